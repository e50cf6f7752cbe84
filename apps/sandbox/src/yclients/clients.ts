import type { NamePools } from './catalog';
import { hash } from './hash';
import { idOf, type CompanyLayout, type Json, pick } from './layout';
import type { RowKey, TableSpec } from './table';
import { DATA_NOW, dateOnly, isoCompact } from './time';

export interface ClientKey extends RowKey {
  changed: number;
}

const SEX_TITLES = ['Неизвестно', 'Мужской', 'Женский'];
const IMPORTANCE = ['Без класса важности', 'Бронза', 'Серебро', 'Золото'];

/** A company's clients: base client i built from the seeded streams, in id order. */
export class ClientRows {
  constructor(
    private readonly layout: CompanyLayout,
    private readonly pools: NamePools,
  ) {}

  spec(): TableSpec<Json, ClientKey> {
    const layout = this.layout;
    return {
      baseCount: layout.options.clients,
      baseRow: (i) => this.build(i, layout.clientIdAt(i)),
      baseKey: (i) => {
        const id = layout.clientIdAt(i);
        return { id, sort: id, changed: layout.clientChangedAt(i) };
      },
      baseIndexOf: (id) => layout.clientIndexOf(id),
      keyOf: (row) => ({ id: idOf(row.id), sort: idOf(row.id), changed: layout.stamp(row.last_change_date) }),
    };
  }

  build(i: number, id: number, changed = this.layout.clientChangedAt(i)): Json {
    const s = this.layout.s;
    const tz = this.layout.options.tz;
    const sexRoll = s.sex.int(i, 10);
    const sexId = sexRoll < 6 ? 2 : sexRoll < 9 ? 1 : 0;
    const gender = sexId === 0 ? 2 : sexId;
    const p = this.pools;
    const name = pick(p.first[gender], s.first.int(i, 1 << 20));
    const surname = s.last.int(i, 10) < 8 ? pick(p.last[gender], s.last.int(i, 1 << 20)) : '';
    const patronymic = s.middle.int(i, 10) < 4 ? pick(p.middle[gender], s.middle.int(i, 1 << 20)) : '';
    const visits = s.visits.int(i, 5) === 0 ? 0 : 1 + s.visits.int(i + 7_000_000, 60);
    const spent = visits * (500 + s.spent.int(i, 40) * 100);
    const labels = this.layout.catalog.labels.filter((l) => l.entity === 1);
    const catRoll = s.cat.int(i, 100);
    const categories =
      catRoll < 15 && labels.length > 0
        ? [labels[catRoll % labels.length]!].map((l) => ({ id: l.id, title: l.title, color: l.color }))
        : [];
    const importance = [0, 0, 0, 0, 0, 1, 1, 2, 3][s.importance.int(i, 9)]!;
    const balanceRoll = s.balance.int(i, 20);
    const firstVisit = DATA_NOW - s.birth.int(i + 11, 4 * 365) * 86400;
    return {
      id,
      name,
      surname,
      patronymic,
      display_name: [surname, name].filter(Boolean).join(' '),
      phone: `+79${String(100_000_000 + (hash(i, id) % 900_000_000)).slice(0, 9)}`,
      email: s.email.int(i, 2) === 0 ? '' : `client${id}@example.com`,
      categories,
      sex_id: sexId,
      sex: SEX_TITLES[sexId],
      discount: [0, 0, 0, 0, 5, 10, 15][s.discount.int(i, 7)],
      importance_id: importance,
      importance: IMPORTANCE[importance],
      card: s.card.int(i, 5) === 0 ? String(100_000_000 + s.card.int(i + 1, 899_999_999)) : '',
      birth_date: s.birth.int(i, 10) < 6 ? dateOnly(DATA_NOW - (18 * 365 + s.birth.int(i, 45 * 365)) * 86400, tz) : '',
      comment: s.comment.int(i, 8) === 0 ? pick(p.comments, s.comment.int(i + 3, 1000)) : '',
      sms_check: s.sms.int(i, 2),
      sms_bot: 0,
      sms_not: s.sms.int(i + 5, 10) === 0 ? 1 : 0,
      spent,
      paid: spent,
      balance: balanceRoll === 0 ? -100 * (1 + s.balance.int(i + 1, 30)) : balanceRoll === 1 ? 100 * (1 + s.balance.int(i + 2, 30)) : 0,
      visits,
      last_change_date: isoCompact(changed, tz),
      custom_fields: s.comment.int(i + 9, 6) === 0 ? { referral_source: ['instagram', 'vk', 'сарафан'][s.comment.int(i + 10, 3)] } : {},
      first_visit_date: visits > 0 ? dateOnly(firstVisit, tz) : '',
      last_visit_date: visits > 0 ? dateOnly(Math.min(DATA_NOW, firstVisit + s.visits.int(i + 1, 400) * 86400), tz) : '',
      passteam_card_id: '',
    };
  }
}

/** A client as the full-object endpoints show it (the search-only fields left out). */
export function fullClient(row: Json): Json {
  const { first_visit_date: _f, last_visit_date: _l, passteam_card_id: _p, ...rest } = row;
  return rest;
}
