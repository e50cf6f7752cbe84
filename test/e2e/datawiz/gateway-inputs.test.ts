import { describe, it } from 'vitest';
import { useInputChecks } from '../../reliability/input-checks';

/**
 * POST /api/datawiz/sales against shapes a small fuzzer never makes (finding 7): a 400 naming the field,
 * never a 5xx, nothing written or queued (the shared checks: test/reliability/input-checks.ts).
 */

const { expectRefused } = useInputChecks();

describe('shapes a small fuzzer never makes (finding 7)', () => {
  it('a promotion with 150k invalid shop ids: a 400 naming shops, never a 5xx', async () => {
    const shops = Array.from({ length: 150_000 }, () => ({}));
    await expectRefused('POST', '/api/datawiz/sales', { sale_id: 's-1', name: 'n', shops }, /^shops(\.|$)/);
  });
});
