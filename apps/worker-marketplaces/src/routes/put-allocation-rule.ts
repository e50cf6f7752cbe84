import { z } from 'zod';
import { submitRun } from '@datasync/runs';
import { findProduct, putAllocationRule } from '@datasync/stock-ledger';
import { errorSchema, InvalidRequestError, parseOr400, type Route } from '@datasync/api-kit';
import { ruleBody, ruleSchema } from './allocation-rule-schemas';

export const putAllocationRuleRoute: Route = {
  method: 'put',
  path: '/api/marketplaces/rules',
  summary: 'Create or replace the stock allocation rule of one scope (SKU, marketplace, warehouse; a scope field left out means every)',
  tag: 'marketplaces',
  body: ruleBody,
  responses: {
    200: {
      description: 'The stored rule; the next push applies it',
      schema: z.object({ rule: ruleSchema, parser_uuid: z.string().uuid() }),
    },
    400: { description: 'Invalid rule, unknown SKU or warehouse; nothing was stored', schema: errorSchema },
  },
  async handle(input, deps) {
    const b = parseOr400(ruleBody, input.body ?? {});
    if (b.sku != null && !(await findProduct(deps.pool, b.sku))) {
      throw new InvalidRequestError([{ field: 'sku', message: `no product ${b.sku}; nothing was stored` }]);
    }
    if (b.warehouseId != null) {
      const { rows } = await deps.pool.query('SELECT 1 FROM marketplace_warehouses WHERE marketplace = $1 AND warehouse_id = $2', [
        b.marketplace,
        b.warehouseId,
      ]);
      if (rows.length === 0) {
        throw new InvalidRequestError([
          {
            field: 'warehouseId',
            message: `${b.marketplace} has no warehouse ${b.warehouseId} (GET /api/marketplaces/warehouses); nothing was stored`,
          },
        ]);
      }
    }
    const rule = await putAllocationRule(deps.pool, {
      sku: b.sku ?? null,
      marketplace: b.marketplace ?? null,
      warehouseId: b.warehouseId ?? null,
      bufferUnits: b.bufferUnits ?? null,
      bufferPercent: b.bufferPercent ?? null,
      cap: b.cap ?? null,
      excluded: b.excluded ?? null,
      weight: b.weight ?? null,
    });
    // The rule changes what warehouses should be told: a push applies it now, not at the next interval.
    const { runId } = await submitRun({ pool: deps.pool, queues: deps.queues }, 'marketplaces', 'marketplaces.push', {});
    return { body: { rule, parser_uuid: runId } };
  },
};
