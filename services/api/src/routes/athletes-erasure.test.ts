import { Writable } from 'node:stream';
import { createLogger, createRegistry, PipelineError } from '@neurolift/platform';
import type { TsdbEraser } from '@neurolift/storage';
import { describe, expect, it } from 'vitest';
import { createAthleteErasure } from '../athlete-erasure.js';
import { buildTestApi, createMemoryRedisEraser, TOKEN } from '../test-fixtures.js';

const AUTH = { authorization: `Bearer ${TOKEN}` };
const KEYS = ['athlete:a-1:profile', 'athlete:a-1:sets', 'athlete:a-1:daily', 'athlete:b-2:profile'];

/** The app with an in-memory Redis eraser, a TSDB eraser that succeeds or throws `tsdbError`, and captured logs. */
function setup(options: { tsdb?: 'none' | TsdbEraser } = {}) {
  const memory = createMemoryRedisEraser(KEYS);
  const deleted: string[] = [];
  const tsdb: TsdbEraser | undefined =
    options.tsdb === 'none'
      ? undefined
      : (options.tsdb ?? {
          deleteSeries: async (match) => {
            deleted.push(`${match.key}=${match.value}`);
          },
        });
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const registry = createRegistry({ defaultMetrics: false });
  const { app } = buildTestApi({
    erasure: createAthleteErasure({ redis: memory.eraser, tsdb }),
    registry,
    logger: createLogger({ name: 'api', level: 'info', destination }),
  });
  const count = async (outcome: string): Promise<number> => {
    const metric = await registry.getSingleMetric('neurolift_api_erasures_total')?.get();
    return metric?.values.find((value) => value.labels.outcome === outcome)?.value ?? NaN;
  };
  return { app, memory, deleted, lines, count };
}

describe('DELETE /v1/athletes/:athleteId', () => {
  it('requires the bearer token and erases nothing without it', async () => {
    const { app, memory } = setup();
    expect((await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: { authorization: `Bearer ${TOKEN}x` } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: `/v1/athletes/a-1?token=${TOKEN}` })).statusCode).toBe(401);
    expect(memory.state.keys.size).toBe(KEYS.length);
  });

  it.each(['a.1', 'a%3A1', 'a%20b', 'x'.repeat(65)])('answers 400 to an id that breaks the id rule: %s', async (id) => {
    const { app, memory, count } = setup();
    const response = await app.inject({ method: 'DELETE', url: `/v1/athletes/${id}`, headers: AUTH });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'bad_request', message: 'athleteId breaks the id rule' });
    expect(memory.state.keys.size).toBe(KEYS.length);
    expect(await count('completed')).toBe(0);
  });

  it('erases the athlete and answers a summary; again is idempotent', async () => {
    const { app, memory, deleted, count } = setup();
    const first = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ athleteId: 'a-1', redisKeysDeleted: 3, redisEntriesRemoved: 0, tsdb: 'deleted' });
    expect(first.json<{ remaining: string }>().remaining).toContain('8 days');
    expect([...memory.state.keys]).toEqual(['athlete:b-2:profile']);
    expect(deleted).toEqual(['athlete=a-1']);

    const again = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ athleteId: 'a-1', redisKeysDeleted: 0, tsdb: 'deleted' });
    expect(await count('completed')).toBe(2);
  });

  it('says the TSDB was skipped when TSDB_DELETE_API is none', async () => {
    const { app } = setup({ tsdb: 'none' });
    const response = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ tsdb: 'skipped', redisKeysDeleted: 3 });
  });

  it('answers 502 when the TSDB delete fails, with Redis already erased; a retry completes', async () => {
    let fail = true;
    const tsdb: TsdbEraser = {
      deleteSeries: async () => {
        if (fail) throw new PipelineError('NL_ERR_TSDB_UNREACHABLE', 'TSDB delete failed: connect ECONNREFUSED 127.0.0.1:8086', true);
      },
    };
    const { app, memory, count, lines } = setup({ tsdb });
    const response = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ error: 'tsdb_delete_failed', athleteId: 'a-1', redisKeysDeleted: 3, tsdb: 'failed' });
    expect(response.json<{ message: string }>().message).toContain('NL_ERR_TSDB_UNREACHABLE');
    expect(response.json<{ message: string }>().message).toContain('retry');
    expect([...memory.state.keys]).toEqual(['athlete:b-2:profile']);
    expect(await count('tsdb_failed')).toBe(1);
    expect(lines.at(-1)).toMatchObject({ level: 30, athleteId: 'a-1', outcome: 'tsdb_failed', errorCode: 'NL_ERR_TSDB_UNREACHABLE' });

    fail = false;
    const retry = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ tsdb: 'deleted', redisKeysDeleted: 0 });
  });

  it('answers 503 with Retry-After while the worker holds the athlete, erasing nothing', async () => {
    const { app, memory, count } = setup();
    memory.state.busy = true;
    const response = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('10');
    expect(response.json()).toMatchObject({ error: 'busy' });
    expect(memory.state.keys.size).toBe(KEYS.length);
    expect(await count('busy')).toBe(1);
  });

  it('answers 500 when the erasure stops part-way (Redis down), counted as failed', async () => {
    const { app, memory, count } = setup();
    memory.eraser.erase = async () => {
      throw new Error('Connection is closed.');
    };
    const response = await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ error: 'erasure_failed' });
    expect(await count('failed')).toBe(1);
  });

  it('audits every erasure at info with the athlete id and counts, and no other personal data', async () => {
    const { app, lines } = setup();
    await app.inject({ method: 'DELETE', url: '/v1/athletes/a-1', headers: AUTH });
    const audit = lines.filter((line) => line.msg === 'athlete erasure');
    expect(audit).toHaveLength(1);
    const { time: _time, pid: _pid, hostname: _hostname, ...rest } = audit[0] ?? {};
    expect(rest).toEqual({
      level: 30,
      name: 'api',
      msg: 'athlete erasure',
      athleteId: 'a-1',
      outcome: 'completed',
      redisKeysDeleted: 3,
      redisEntriesRemoved: 0,
      tsdb: 'deleted',
    });
  });

  it('starts every outcome of the counter at 0', async () => {
    const { count } = setup();
    for (const outcome of ['completed', 'tsdb_failed', 'busy', 'failed']) expect(await count(outcome)).toBe(0);
  });
});
