import { PipelineError } from '@neurolift/platform';
import type { TagMatch, TsdbEraser } from '@neurolift/storage';
import { describe, expect, it } from 'vitest';
import { createAthleteErasure, remainingAfterErasure } from './athlete-erasure.js';
import { createMemoryRedisEraser } from './test-fixtures.js';

const KEYS = ['athlete:a1:profile', 'athlete:a1:sets', 'athlete:a2:profile'];

/** A TsdbEraser recording its calls; `fail` makes the next calls throw it. */
function fakeTsdb(log: string[] = []) {
  const calls: TagMatch[] = [];
  let fail: Error | undefined;
  const tsdb: TsdbEraser = {
    async deleteSeries(match) {
      log.push('tsdb');
      calls.push(match);
      if (fail !== undefined) throw fail;
    },
  };
  return { tsdb, calls, failWith: (error: Error | undefined) => (fail = error) };
}

describe('createAthleteErasure', () => {
  it('erases Redis, then every series tagged athlete=<id>, inside the athlete lock', async () => {
    const log: string[] = [];
    const memory = createMemoryRedisEraser(KEYS);
    const redis = { ...memory.eraser, erase: async (id: string) => (log.push(`redis locked=${memory.state.locked.join()}`), memory.eraser.erase(id)) };
    const tsdb = fakeTsdb(log);
    const result = await createAthleteErasure({ redis, tsdb: tsdb.tsdb }).erase('a1');
    expect(log).toEqual(['redis locked=a1', 'tsdb']);
    expect(tsdb.calls).toEqual([{ key: 'athlete', value: 'a1' }]);
    expect(result).toEqual({
      outcome: 'completed',
      report: { athleteId: 'a1', redisKeysDeleted: 2, redisEntriesRemoved: 0, tsdb: 'deleted', remaining: remainingAfterErasure('a1', 'deleted') },
    });
    expect([...memory.state.keys]).toEqual(['athlete:a2:profile']);
  });

  it('skips the TSDB when TSDB_DELETE_API is none, and says so', async () => {
    const result = await createAthleteErasure({ redis: createMemoryRedisEraser(KEYS).eraser, tsdb: undefined }).erase('a1');
    expect(result.outcome).toBe('completed');
    expect(result.report.tsdb).toBe('skipped');
    expect(result.report.remaining).toContain('TSDB_DELETE_API=none');
    expect(result.report.remaining).toContain('athlete="a1"');
  });

  it('a failed TSDB delete leaves Redis erased and is reported; the same call again completes', async () => {
    const memory = createMemoryRedisEraser(KEYS);
    const tsdb = fakeTsdb();
    const erasure = createAthleteErasure({ redis: memory.eraser, tsdb: tsdb.tsdb });
    const unavailable = new PipelineError('NL_ERR_TSDB_UNAVAILABLE', 'TSDB answered the delete with 503: busy', true);
    tsdb.failWith(unavailable);
    const failed = await erasure.erase('a1');
    expect(failed).toMatchObject({ outcome: 'tsdb_failed', error: unavailable, report: { tsdb: 'failed', redisKeysDeleted: 2 } });
    expect(failed.report.remaining).toContain('retry');
    expect([...memory.state.keys]).toEqual(['athlete:a2:profile']);

    tsdb.failWith(undefined);
    expect(await erasure.erase('a1')).toMatchObject({ outcome: 'completed', report: { tsdb: 'deleted', redisKeysDeleted: 0 } });
    expect(tsdb.calls).toHaveLength(2);
  });

  it('erases nothing while the worker holds the athlete', async () => {
    const memory = createMemoryRedisEraser(KEYS);
    memory.state.busy = true;
    const tsdb = fakeTsdb();
    await expect(createAthleteErasure({ redis: memory.eraser, tsdb: tsdb.tsdb }).erase('a1')).rejects.toMatchObject({ code: 'NL_ERR_ATHLETE_BUSY' });
    expect(memory.state.keys.size).toBe(3);
    expect(tsdb.calls).toEqual([]);
  });

  it('a programmer error from the TSDB side is thrown, not reported as a TSDB failure', async () => {
    const tsdb = fakeTsdb();
    tsdb.failWith(new TypeError('not a deletable tag match'));
    await expect(createAthleteErasure({ redis: createMemoryRedisEraser(KEYS).eraser, tsdb: tsdb.tsdb }).erase('a1')).rejects.toThrow(TypeError);
  });
});
