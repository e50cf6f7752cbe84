import type { Request, Response, Router } from 'express';
import { intList, obj, toInt } from '../marketplace-params';
import { stockKey } from './data';
import { fail } from './envelope';
import { warehouse, type WbState } from './state';

const STOCK_BATCH_MAX = 1000;
const AMOUNT_MAX = 100_000;

/** marketplace-api: §3.5 the stock push, §3.6 the stock read and the stock delete, per seller warehouse. */
export function mountStockRoutes(router: Router, state: WbState): void {
  // §3.5 stock push: 204, 409 array for per-item failures (nothing applied then).
  router.put('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const body = obj(req.body);
    if (!Array.isArray(body.stocks)) return fail(res, 400, 'IncorrectRequestBody', 'Некорректное тело запроса');
    if (body.stocks.length < 1 || body.stocks.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `stocks: from 1 to ${STOCK_BATCH_MAX} items`);
    }
    const entries = body.stocks.map(obj);
    if (entries.some((e) => e.sku !== undefined)) {
      return fail(res, 400, 'SKUUploadDisabled', "Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key");
    }
    if (w.isProcessing) {
      res
        .status(409)
        .json([{ code: 'StoreIsProcessing', message: 'Склад обрабатывается, повторите через несколько секунд', data: entries }]);
      return;
    }
    // WB does not validate key names: entries without chrtId/amount are skipped silently.
    const valid = entries.filter((e) => toInt(e.chrtId) !== undefined && toInt(e.amount) !== undefined);
    const failures = new Map<string, { chrtId: number; amount: number; sku: string }[]>();
    const addFailure = (code: string, chrtId: number, amount: number) => {
      failures.set(code, [...(failures.get(code) ?? []), { sku: '', chrtId, amount }]);
    };
    for (const e of valid) {
      const chrtId = toInt(e.chrtId)!;
      const amount = toInt(e.amount)!;
      const item = state.byChrt(chrtId);
      if (!item) addFailure('NotFound', chrtId, amount);
      else if (amount < 0 || amount > AMOUNT_MAX) addFailure('UploadDataLimit', chrtId, amount);
      else if (item.cargoType > w.cargoType)
        addFailure(w.cargoType === 1 ? 'CargoWarehouseRestrictionMGT' : 'CargoWarehouseRestrictionSGT', chrtId, amount);
    }
    if (failures.size > 0) {
      const messages: Record<string, string> = {
        NotFound: 'Товар не найден',
        UploadDataLimit: `Остаток должен быть от 0 до ${AMOUNT_MAX}`,
        CargoWarehouseRestrictionMGT: 'Склад принимает только малогабаритные товары',
        CargoWarehouseRestrictionSGT: 'Склад не принимает КГТ',
      };
      res.status(409).json([...failures].map(([code, data]) => ({ code, message: messages[code] ?? code, data })));
      return;
    }
    const now = Date.now();
    for (const e of valid) {
      const key = stockKey(w.id, toInt(e.chrtId)!);
      state.stocks.set(key, { amount: toInt(e.amount)!, updatedAt: now, pushes: (state.stocks.get(key)?.pushes ?? 0) + 1 });
    }
    res.status(204).end();
  });

  // §3.6 stock read for a seller warehouse.
  router.post('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const body = obj(req.body);
    if (body.skus !== undefined) return fail(res, 400, 'SKUUploadDisabled', "Reading stock by 'skus' is not allowed. Please use 'chrtIds'");
    const chrtIds = intList(body.chrtIds);
    if (chrtIds === null || chrtIds.length < 1 || chrtIds.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `chrtIds: from 1 to ${STOCK_BATCH_MAX} ids`);
    }
    res.json({
      stocks: chrtIds.flatMap((chrtId) => {
        const s = state.stocks.get(stockKey(w.id, chrtId));
        return s ? [{ chrtId, amount: s.amount }] : [];
      }),
    });
  });

  router.delete('/api/v3/stocks/:warehouseId', (req: Request, res: Response) => {
    const w = warehouse(toInt(req.params.warehouseId));
    if (!w) return fail(res, 404, 'NotFound', '');
    const chrtIds = intList(obj(req.body).chrtIds);
    if (chrtIds === null || chrtIds.length < 1 || chrtIds.length > STOCK_BATCH_MAX) {
      return fail(res, 400, 'IncorrectRequestBody', `chrtIds: from 1 to ${STOCK_BATCH_MAX} ids`);
    }
    for (const chrtId of chrtIds) state.stocks.delete(stockKey(w.id, chrtId));
    res.status(204).end();
  });
}
