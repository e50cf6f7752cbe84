import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, preparedStatementsOf } from '../src/index';

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('auto (the default) names the hot statement, unless DIRECT_DATABASE_URL says a pooler is in front', () => {
    expect(preparedStatementsOf(loadConfig({}))).toBe(true);
    expect(preparedStatementsOf(loadConfig({ DIRECT_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/datasync' }))).toBe(false);
  });

  it('true and false override auto either way', () => {
    const direct = { DIRECT_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/datasync' };
    expect(preparedStatementsOf(loadConfig({ ...direct, DATABASE_PREPARED_STATEMENTS: 'true' }))).toBe(true);
    expect(preparedStatementsOf(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }))).toBe(false);
  });

  it('anything else stops start-up naming the variable', () => {
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });
});
