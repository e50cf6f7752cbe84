import { expect } from 'vitest';
import type { ComposeChecks } from '../../docker-compose-checks';

/** docker/compose.yml: YClients' credentials come from the environment (none baked in). */
export const compose: ComposeChecks = {
  title: 'worker-yclients: credentials from the environment',
  check(svc) {
    expect(svc['worker-yclients']!.environment.YCLIENTS_PARTNER_TOKEN ?? '').toBe('');
  },
};
