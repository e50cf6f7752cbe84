import { expect } from 'vitest';
import type { ComposeChecks } from '../../docker-compose-checks';

/** docker/compose.yml: the gateway talks to DataWiz too (its own routes), through the sandbox by default. */
export const compose: ComposeChecks = {
  title: 'worker-datawiz: the gateway talks to the sandbox too',
  check(svc) {
    expect(svc.gateway!.environment.DATAWIZ_BASE_URL).toBe('http://sandbox:4010/datawiz');
  },
};
