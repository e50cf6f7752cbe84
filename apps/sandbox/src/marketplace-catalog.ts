import type { Faker } from '@faker-js/faker';
import { seededFaker } from './random';
import type { SandboxAccount } from './accounts';

/**
 * One good the seller lists on Ozon, Wildberries and Yandex Market, with each marketplace's own
 * identifiers (shared/reference/marketplaces.md §1). One item is one internal SKU; on WB that is
 * one size (`chrtId`) of a card (`nmId`), so several items can share an `nmId`.
 */
export interface CatalogItem {
  /** The seller's own article; Ozon `offer_id` and YM `offerId` equal it. */
  code: string;
  name: string;
  barcode: string;
  /** Roubles. */
  price: number;
  /** 1 small (МГТ), 2 oversized (СГТ), 3 bulky (КГТ+). */
  cargoType: 1 | 2 | 3;
  ozon: { offerId: string; productId: number; sku: number; fboSku: number };
  wb: { vendorCode: string; nmId: number; imtId: number; chrtId: number; techSize: string; barcode: string };
  ym: { offerId: string; shopSku: string; marketSku: number };
}

const goods: { name: string; sizes: string[]; brand: string; cargoType: 1 | 2 | 3 }[] = [
  { name: 'Футболка хлопковая', sizes: ['S', 'M', 'L'], brand: 'Северо', cargoType: 1 },
  { name: 'Чайник электрический', sizes: ['0'], brand: 'Теплон', cargoType: 1 },
  { name: 'Кроссовки беговые', sizes: ['40', '41', '42'], brand: 'Бегун', cargoType: 1 },
  { name: 'Мяч футбольный', sizes: ['0'], brand: 'Спортмир', cargoType: 1 },
  { name: 'Кабель USB-C 0.5 м', sizes: ['0'], brand: 'Провод', cargoType: 1 },
  { name: 'Куртка зимняя', sizes: ['M', 'L'], brand: 'Северо', cargoType: 1 },
  { name: 'Кукла', sizes: ['0'], brand: 'Игрушкин', cargoType: 1 },
  { name: 'Сковорода 28 см', sizes: ['0'], brand: 'Теплон', cargoType: 1 },
  { name: 'Шкаф двухдверный', sizes: ['0'], brand: 'Домострой', cargoType: 3 },
  { name: 'Рюкзак городской', sizes: ['0'], brand: 'Бегун', cargoType: 1 },
  { name: 'Носки шерстяные', sizes: ['37-39', '40-42'], brand: 'Северо', cargoType: 1 },
  { name: 'Пылесос беспроводной', sizes: ['0'], brand: 'Теплон', cargoType: 2 },
];

/** A 13-digit EAN with a valid check digit, Russian prefix. */
function ean13(f: Faker): string {
  const body = `460${f.string.numeric(9)}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/**
 * The seeded catalogue: every fake built from the same seed lists the same goods with the same ids;
 * `extra` one-size goods (`DS-5xxxx`, small) follow the twelve seeded ones, for a large seller.
 */
export function generateCatalog(seed: number, extra = 0): CatalogItem[] {
  const f = seededFaker(seed ^ 0xca7a);
  const items: CatalogItem[] = [];
  let productId = 313_455_000;
  let ozonSku = 1_100_526_000;
  let nmId = 196_320_000;
  let chrtId = 316_399_000;
  let marketSku = 100_956_982_000;
  goods.forEach((good, g) => {
    nmId += f.number.int({ min: 1, max: 900 });
    const imtId = 123_654_000 + g * 17;
    const vendorCode = `DS-${String(1001 + g)}`;
    const price = f.number.int({ min: 3, max: 300 }) * 50 - 1;
    for (const size of good.sizes) {
      const code = size === '0' ? vendorCode : `${vendorCode}-${size}`;
      const barcode = ean13(f);
      productId += f.number.int({ min: 1, max: 500 });
      ozonSku += f.number.int({ min: 1, max: 5000 });
      chrtId += f.number.int({ min: 1, max: 900 });
      marketSku += f.number.int({ min: 1, max: 90_000 });
      items.push({
        code,
        name: size === '0' ? good.name : `${good.name}, ${size}`,
        barcode,
        price,
        cargoType: good.cargoType,
        ozon: { offerId: code, productId, sku: ozonSku, fboSku: ozonSku + 1 },
        wb: { vendorCode, nmId, imtId, chrtId, techSize: size, barcode },
        ym: { offerId: code, shopSku: code, marketSku },
      });
    }
  });
  for (let i = 0; i < extra; i++) {
    const code = `DS-${50_000 + i}`;
    const barcode = ean13(f);
    productId += 1 + (i % 7);
    ozonSku += 1 + (i % 11);
    nmId += 1 + (i % 5);
    chrtId += 1 + (i % 13);
    marketSku += 1 + (i % 17);
    items.push({
      code,
      name: `Товар ${i + 1}`,
      barcode,
      price: 99 + (i % 50) * 10,
      cargoType: 1,
      ozon: { offerId: code, productId, sku: ozonSku, fboSku: ozonSku + 1 },
      wb: { vendorCode: code, nmId, imtId: 200_000_000 + i, chrtId, techSize: '0', barcode },
      ym: { offerId: code, shopSku: code, marketSku },
    });
  }
  return items;
}

export const brandOf = (item: CatalogItem): string => goods.find((g) => item.name.startsWith(g.name))?.brand ?? 'DataSync';

/**
 * An account's catalogue: its own prices and barcodes (seeded by the account), but the marketplace
 * ids of account `a` (offer ids, product ids, SKUs, nmId/chrtId, market SKUs), since two sellers'
 * offer ids and a sandbox's SKUs can collide; account `a` is exactly `generateCatalog(seed)`.
 */
export function accountCatalog(account: SandboxAccount, extra = 0): CatalogItem[] {
  const own = generateCatalog(account.seed, extra);
  if (account.seed === account.idSeed) return own;
  const shared = generateCatalog(account.idSeed, extra);
  return own.map((item, i) => {
    const ids = shared[i]!;
    return { ...item, ozon: ids.ozon, wb: { ...ids.wb, barcode: item.barcode }, ym: ids.ym };
  });
}
