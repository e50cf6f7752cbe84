import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redisConnectionOf } from '../src/index';

/** The start-up error's text for `env`, or undefined when it loads. */
function refusal(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('Redis settings: one of REDIS_URL, a Sentinel group, a Cluster', () => {
  it('REDIS_URL alone (or nothing: the local default) is one server', () => {
    expect(redisConnectionOf(loadConfig({}))).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(redisConnectionOf(loadConfig({ REDIS_URL: 'redis://:pw@cache:6380/2' }))).toEqual({
      mode: 'single',
      url: 'redis://:pw@cache:6380/2',
    });
  });

  it('REDIS_SENTINELS + REDIS_SENTINEL_NAME is a Sentinel group, with the passwords given', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_PASSWORD: 'data-pw',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(redisConnectionOf(config)).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      password: 'data-pw',
      sentinelPassword: 'sentinel-pw',
    });
  });

  it('REDIS_CLUSTER_NODES with a hash-tagged prefix is a Cluster', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_PREFIX: '{datasync}' });
    expect(config.REDIS_PREFIX).toBe('{datasync}');
    expect(redisConnectionOf(config)).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      password: undefined,
    });
    // A tag inside a longer prefix hashes the same way.
    expect(refusal({ REDIS_CLUSTER_NODES: 'n1:7000', REDIS_PREFIX: 'prod:{datasync}:v2' })).toBeUndefined();
  });

  it('contradictory settings are refused at start-up, naming the variables', () => {
    expect(refusal({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'n1:7000', REDIS_PREFIX: '{d}' })).toMatch(
      /set one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, not REDIS_URL and REDIS_CLUSTER_NODES/,
    );
    expect(refusal({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'n1:7000', REDIS_PREFIX: '{d}' })).toMatch(
      /not REDIS_SENTINELS and REDIS_CLUSTER_NODES/,
    );
    expect(refusal({ REDIS_SENTINELS: 's:26379' })).toMatch(/REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/);
    expect(refusal({ REDIS_SENTINEL_NAME: 'mymaster' })).toMatch(/REDIS_SENTINEL_NAME: set without REDIS_SENTINELS/);
    expect(refusal({ REDIS_PASSWORD: 'pw' })).toMatch(/REDIS_PASSWORD: only with REDIS_SENTINELS or REDIS_CLUSTER_NODES/);
    expect(refusal({ REDIS_CLUSTER_NODES: 'n1' })).toMatch(/REDIS_CLUSTER_NODES: must be a comma-separated list of host:port/);
    expect(refusal({ REDIS_SENTINELS: 's:99999', REDIS_SENTINEL_NAME: 'm' })).toMatch(/REDIS_SENTINELS: must be a comma-separated list/);
  });

  it('on a Cluster a prefix without a {hash tag} is refused, naming REDIS_PREFIX and the fix', () => {
    for (const prefix of ['datasync', 'data{}sync', '{datasync', 'datasync}']) {
      expect(refusal({ REDIS_CLUSTER_NODES: 'n1:7000', REDIS_PREFIX: prefix })).toMatch(
        /REDIS_PREFIX: must hold a hash tag with REDIS_CLUSTER_NODES, e\.g\. \{datasync\}/,
      );
    }
    // Without a Cluster the same prefixes are fine: one server has no slots.
    expect(refusal({ REDIS_PREFIX: 'datasync' })).toBeUndefined();
    expect(refusal({ REDIS_PREFIX: '{datasync}' })).toBeUndefined();
    expect(refusal({ REDIS_PREFIX: 'bad prefix' })).toMatch(/REDIS_PREFIX: letters, digits and _ \. : - \{ \} only/);
  });
});
