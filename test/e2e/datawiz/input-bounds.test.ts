import { describe, expect, it } from 'vitest';
import type { ErrorAnswer } from '@datasync/testkit';
import { gatewayClient, reliabilitySource, useBench } from '../../reliability/sources';
import { useWritten } from '../../reliability/written';

/**
 * POST /api/datawiz/sales under the gateway's body bounds (GATEWAY_JSON_MAX_DEPTH 32 and
 * GATEWAY_JSON_MAX_ITEMS 100,000, the defaults): too deep is a 400 naming the field with nothing
 * written, while the largest promotion Datawiz takes still reaches it (moved from
 * test/reliability/input-bounds.test.ts, which holds the generic cases).
 */

const t = useBench({ sources: [reliabilitySource('datawiz')] });
const written = useWritten(t);

/** `{"a":{"a":… value}}` nested `depth` deep, as JSON text (JSON.stringify itself overflows on such a value). */
const nested = (depth: number, value = '"x"') => `${'{"a":'.repeat(depth)}${value}${'}'.repeat(depth)}`;

describe('bounded input', () => {
  const api = () => gatewayClient(t.stack.gateway.url);

  it('a promotion whose shop is nested 5000 deep: 400 naming the field, nothing written', async () => {
    const before = await written();
    // As JSON text, posted as is.
    const answer = await fetch(`${t.stack.gateway.url}/api/datawiz/sales`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"sale_id":"S","name":"n","shops":[${nested(5000)}]}`,
    });
    const res = { status: answer.status, text: await answer.text() };
    const body = JSON.parse(res.text) as ErrorAnswer;
    expect(res.status, res.text.slice(0, 200)).toBe(400);
    expect(body.error?.code).toBe('invalid_request');
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.field.startsWith('shops.0.a'), body.errors![0]!.field.slice(0, 60)).toBe(true);
    expect(body.errors![0]!.message).toBe('nests objects or lists deeper than 32 levels');
    expect(await written()).toEqual(before);
  });

  it('keeps large legitimate lists: a Datawiz promotion of 10,000 products (the most Datawiz takes at once) reaches its own validation and the client', async () => {
    const products = Array.from({ length: 10_000 }, (_, i) => String(100_000 + i));
    const res = await api().call<ErrorAnswer>('POST', '/api/datawiz/sales', {
      sale_id: 'BIG-1',
      name: 'Big',
      description: 'big',
      date_from: '2026-03-01',
      date_to: '2026-03-31',
      shops: ['1'],
      products,
    });
    // Not refused by the bounds: valid here, so it was sent to Datawiz (the sandbox), which knows none of these ids.
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.error?.code).toBe('upstream_rejected');
    expect(res.body.errors).toContainEqual({ field: 'products.9999.product_id', message: 'Object with product_id=109999 does not exist.' });
  });
});
