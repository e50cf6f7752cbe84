import { expect } from 'vitest';
import type { ComposeChecks } from '../../docker-compose-checks';

/** docker/compose.yml: IT Resume's reports and daily sync follow Moscow time by default. */
export const compose: ComposeChecks = {
  title: 'worker-itresume: Moscow time by default',
  check(svc) {
    expect(svc['worker-itresume']!.environment.ITRESUME_TIMEZONE).toBe('Europe/Moscow');
  },
};
