import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { ConfigError, env, loadConfig, type Env } from './config.js';

const schema = z.object({
  PORT: env.int({ min: 1, max: 65535 }).default(8080),
  BATCH_MAX: env.int().default(500),
  MQTT_URL: env.url(['mqtt:', 'mqtts:']),
  REDIS_URL: env.url(['redis:', 'rediss:']).default('redis://localhost:6379'),
  METRICS_ENABLED: env.bool().default(true),
  TRACE_SQL: env.bool().default(false),
  LOG_LEVEL: env.logLevel().default('info'),
});

const REQUIRED: Env = { MQTT_URL: 'mqtt://broker:1883' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return expect.fail('expected a ConfigError');
}

/** The `- NAME:` lines of a ConfigError message. */
const namedLines = (message: string): string[] => [...message.matchAll(/^\s*- ([A-Za-z0-9_.()]+):/gm)].map((m) => m[1] as string);

describe('loadConfig', () => {
  it('applies defaults for unset variables', () => {
    const config = loadConfig('ingest', schema, REQUIRED);
    expect(config).toEqual({
      PORT: 8080,
      BATCH_MAX: 500,
      MQTT_URL: 'mqtt://broker:1883',
      REDIS_URL: 'redis://localhost:6379',
      METRICS_ENABLED: true,
      TRACE_SQL: false,
      LOG_LEVEL: 'info',
    });
  });

  it('reads a setting from the file FOO_FILE names when FOO is unset (secrets), trimmed; FOO wins', () => {
    const files: Record<string, string> = { '/run/secrets/mqtt': 'mqtts://secret-broker:8883\n' };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    };
    expect(loadConfig('ingest', schema, { MQTT_URL_FILE: '/run/secrets/mqtt' }, read).MQTT_URL).toBe('mqtts://secret-broker:8883');
    expect(loadConfig('ingest', schema, { MQTT_URL: 'mqtt://direct:1883', MQTT_URL_FILE: '/run/secrets/mqtt' }, read).MQTT_URL).toBe('mqtt://direct:1883');
    const error = configError(() => loadConfig('ingest', schema, { MQTT_URL_FILE: '/run/secrets/missing' }, read));
    expect(namedLines(error.message)).toEqual(['MQTT_URL_FILE']);
    expect(error.message).toContain('ENOENT');
  });

  it('parses set variables into typed values', () => {
    const config = loadConfig('ingest', schema, {
      PORT: '9000',
      BATCH_MAX: '-3',
      MQTT_URL: 'mqtts://broker.example:8883',
      REDIS_URL: 'rediss://cache:6380/2',
      METRICS_ENABLED: 'false',
      TRACE_SQL: 'yes',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      PORT: 9000,
      BATCH_MAX: -3,
      MQTT_URL: 'mqtts://broker.example:8883',
      REDIS_URL: 'rediss://cache:6380/2',
      METRICS_ENABLED: false,
      TRACE_SQL: true,
      LOG_LEVEL: 'debug',
    });
  });

  it('treats an empty (or blank) string as unset: the default applies', () => {
    const config = loadConfig('ingest', schema, { ...REQUIRED, PORT: '', METRICS_ENABLED: '', LOG_LEVEL: '   ', REDIS_URL: '' });
    expect(config.PORT).toBe(8080);
    expect(config.METRICS_ENABLED).toBe(true);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.REDIS_URL).toBe('redis://localhost:6379');
  });

  it('reports a missing required variable as "is required but not set", also when it is empty', () => {
    for (const environment of [{}, { MQTT_URL: '' }] satisfies Env[]) {
      const error = configError(() => loadConfig('ingest', schema, environment));
      expect(error.message).toMatch(/^\s*- MQTT_URL: is required but not set$/m);
      expect(error.problems).toEqual([{ setting: 'MQTT_URL', message: 'is required but not set' }]);
    }
  });

  it('names EVERY bad variable in one ConfigError', () => {
    const error = configError(() =>
      loadConfig('ingest', schema, { PORT: 'abc', MQTT_URL: 'http://broker:1883', LOG_LEVEL: 'loud' }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('NL_ERR_CONFIG');
    expect(error.service).toBe('ingest');
    expect(error.message).toContain('ingest');
    expect(namedLines(error.message).sort()).toEqual(['LOG_LEVEL', 'MQTT_URL', 'PORT']);
    expect(error.problems.map((p) => p.setting).sort()).toEqual(['LOG_LEVEL', 'MQTT_URL', 'PORT']);
    // The messages say what was expected.
    expect(error.message).toMatch(/- PORT: must be an integer/);
    expect(error.message).toMatch(/- MQTT_URL: .*mqtt:\/\/.*mqtts:\/\//);
  });

  it('names bad and missing variables together', () => {
    const error = configError(() => loadConfig('ingest', schema, { PORT: '0', TRACE_SQL: 'maybe', BATCH_MAX: '1.5' }));
    expect(namedLines(error.message).sort()).toEqual(['BATCH_MAX', 'MQTT_URL', 'PORT', 'TRACE_SQL']);
    expect(error.message).toMatch(/- MQTT_URL: is required but not set/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig('ingest', schema, REQUIRED);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
    expect(config.PORT).toBe(8080);
  });

  it('ignores variables the schema does not name', () => {
    const config = loadConfig('ingest', schema, { ...REQUIRED, HOME: '/root', PATH: '/bin' });
    expect(Object.keys(config).sort()).toEqual(Object.keys(schema.shape).sort());
  });
});

describe('env.bool', () => {
  const boolSchema = z.object({ FLAG: env.bool().default(true) });
  const load = (value: string) => loadConfig('svc', boolSchema, { FLAG: value }).FLAG;

  it('parses "false" as false (unlike z.coerce.boolean)', () => {
    expect(load('false')).toBe(false);
  });

  it.each(['false', '0', 'no', 'off', 'FALSE', 'Off'])('%s → false', (value) => {
    expect(load(value)).toBe(false);
  });

  it.each(['true', '1', 'yes', 'on', 'TRUE', 'On'])('%s → true', (value) => {
    expect(load(value)).toBe(true);
  });

  it.each(['maybe', '2', 'truee'])('rejects %s, naming the variable', (value) => {
    const error = configError(() => load(value));
    expect(namedLines(error.message)).toEqual(['FLAG']);
  });
});

describe('env.int', () => {
  const intSchema = z.object({ N: env.int({ min: 1, max: 100 }).default(10), FREE: env.int().default(0) });
  const load = (vars: Env) => loadConfig('svc', intSchema, vars);

  it.each(['1.5', 'abc', '1e3', '0x10', '12abc', '--1', '+', '1_000'])('rejects %s', (value) => {
    const error = configError(() => load({ N: value }));
    expect(error.problems).toEqual([{ setting: 'N', message: 'must be an integer' }]);
  });

  it('an empty string is unset: the default applies', () => {
    expect(load({ N: '' }).N).toBe(10);
  });

  it('enforces the bounds inclusively', () => {
    expect(load({ N: '1' }).N).toBe(1);
    expect(load({ N: '100' }).N).toBe(100);
    for (const value of ['0', '101', '-1']) {
      const error = configError(() => load({ N: value }));
      expect(namedLines(error.message)).toEqual(['N']);
    }
  });

  it('rejects integers beyond the safe range even without bounds', () => {
    const error = configError(() => load({ FREE: '99999999999999999999' }));
    expect(new Set(namedLines(error.message))).toEqual(new Set(['FREE']));
  });

  it('parses every in-bounds integer to itself and rejects every out-of-bounds one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        if (n >= 1 && n <= 100) {
          expect(load({ N: String(n) }).N).toBe(n);
        } else {
          expect(configError(() => load({ N: String(n) })).problems.map((p) => p.setting)).toEqual(['N']);
        }
      }),
    );
  });

  it('rejects any non-blank text that is not an optionally signed run of digits', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '' && !/^-?\d+$/.test(s.trim())),
        (text) => {
          const error = configError(() => load({ FREE: text }));
          expect(error.problems).toEqual([{ setting: 'FREE', message: 'must be an integer' }]);
        },
      ),
    );
  });
});

describe('env.url and env.logLevel', () => {
  const urlSchema = z.object({ URL: env.url(['http:', 'https:']), LEVEL: env.logLevel().default('info') });

  it('accepts the listed protocols only', () => {
    expect(loadConfig('svc', urlSchema, { URL: 'https://influx:8086' }).URL).toBe('https://influx:8086');
    for (const value of ['ftp://influx', 'influx:8086', 'not a url', '//influx']) {
      const error = configError(() => loadConfig('svc', urlSchema, { URL: value }));
      expect(namedLines(error.message)).toEqual(['URL']);
      expect(error.message).toContain('http:// or https://');
    }
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts log level %s', (level) => {
    expect(loadConfig('svc', urlSchema, { URL: 'http://x', LEVEL: level }).LEVEL).toBe(level);
  });

  it('rejects an unknown log level', () => {
    const error = configError(() => loadConfig('svc', urlSchema, { URL: 'http://x', LEVEL: 'verbose' }));
    expect(namedLines(error.message)).toEqual(['LEVEL']);
  });
});
