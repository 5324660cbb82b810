import { ConfigError, loadConfig, type Env } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { ApiConfigSchema, ApiServiceConfigSchema, planTsdbEraser } from './config.js';

const BASE: Env = { REDIS_URL: 'redis://localhost:6379', API_TOKEN: 'a-token-of-16-chars-or-more' };
const INFLUX: Env = { INFLUX_URL: 'http://influxdb:8086', INFLUX_TOKEN: 'tok', INFLUX_ORG: 'neurolift', INFLUX_BUCKET: 'telemetry' };

function problems(env: Env, readFile?: (path: string) => string): Array<{ setting: string; message: string }> {
  try {
    loadConfig('api', ApiServiceConfigSchema, env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('ApiServiceConfigSchema: the TSDB delete settings', () => {
  it('defaults to InfluxDB 2.x, which needs the four INFLUX_* settings, each named when missing', () => {
    const found = problems(BASE);
    expect(found.map((p) => p.setting)).toEqual(['INFLUX_URL', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN']);
    expect(found[1]?.message).toBe('is required when TSDB_DELETE_API is influxdb2 (set INFLUX_ORG or INFLUX_ORG_FILE)');
    expect(loadConfig('api', ApiServiceConfigSchema, { ...BASE, ...INFLUX })).toMatchObject({ TSDB_DELETE_API: 'influxdb2', ...INFLUX });
  });

  it('VictoriaMetrics needs only INFLUX_URL; none needs nothing', () => {
    expect(problems({ ...BASE, TSDB_DELETE_API: 'victoriametrics' }).map((p) => p.setting)).toEqual(['INFLUX_URL']);
    expect(problems({ ...BASE, TSDB_DELETE_API: 'victoriametrics', INFLUX_URL: 'http://127.0.0.1:8428' })).toEqual([]);
    expect(loadConfig('api', ApiServiceConfigSchema, { ...BASE, TSDB_DELETE_API: 'none' })).toMatchObject({ TSDB_DELETE_API: 'none' });
  });

  it('takes a setting from <NAME>_FILE', () => {
    const files: Record<string, string> = { '/run/influx-tokens/services.token': 'file-token\n' };
    const env = { ...BASE, ...INFLUX, INFLUX_TOKEN: undefined, INFLUX_TOKEN_FILE: '/run/influx-tokens/services.token' };
    expect(problems(env, (path) => files[path] ?? '')).toEqual([]);
    expect(loadConfig('api', ApiServiceConfigSchema, env, (path) => files[path] ?? '').INFLUX_TOKEN).toBe('file-token');
  });

  it('names the missing TSDB settings once the other settings are valid (the other problems first)', () => {
    const env = { REDIS_URL: 'redis://localhost:6379', TSDB_DELETE_API: 'victoriametrics', INFLUX_ORG: 'o' };
    expect(problems({ ...env, API_TOKEN: 'short', API_PORT: '70000' }).map((p) => p.setting).sort()).toEqual(['API_PORT', 'API_TOKEN']);
    expect(problems({ ...env, API_TOKEN: BASE.API_TOKEN }).map((p) => p.setting)).toEqual(['INFLUX_URL']);
  });

  it('refuses an unknown API and a bad URL without also calling them missing', () => {
    expect(problems({ ...BASE, ...INFLUX, TSDB_DELETE_API: 'influxdb3' }).map((p) => p.setting)).toEqual(['TSDB_DELETE_API']);
    expect(problems({ ...BASE, ...INFLUX, INFLUX_URL: 'influxdb:8086' }).map((p) => p.setting)).toEqual(['INFLUX_URL']);
  });

  it('keeps INFLUX_* out of ApiConfigSchema.shape: the all-in-one pipeline merges it over the worker’s required ones', () => {
    expect(Object.keys(ApiConfigSchema.shape)).toContain('TSDB_DELETE_API');
    expect(Object.keys(ApiConfigSchema.shape).filter((key) => key.startsWith('INFLUX_'))).toEqual([]);
  });
});

describe('planTsdbEraser', () => {
  it('builds the options of the configured API', () => {
    expect(planTsdbEraser({ TSDB_DELETE_API: 'influxdb2', ...INFLUX }, 1000)).toEqual({
      kind: 'eraser',
      options: { api: 'influxdb2', url: INFLUX.INFLUX_URL, token: 'tok', org: 'neurolift', bucket: 'telemetry', timeoutMs: 1000 },
    });
    expect(planTsdbEraser({ TSDB_DELETE_API: 'victoriametrics', INFLUX_URL: 'http://vm:8428' }, 1000)).toEqual({
      kind: 'eraser',
      options: { api: 'victoriametrics', url: 'http://vm:8428', timeoutMs: 1000 },
    });
    expect(planTsdbEraser({ TSDB_DELETE_API: 'none' }, 1000)).toEqual({ kind: 'none' });
  });

  it('names what is missing when the config bypassed the service schema', () => {
    expect(planTsdbEraser({ TSDB_DELETE_API: 'influxdb2', INFLUX_URL: 'http://influxdb:8086' }, 1000)).toEqual({
      kind: 'missing',
      missing: ['INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN'],
    });
  });
});
