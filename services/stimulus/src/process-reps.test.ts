import type { RepRecord } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { processRepBatch } from './process-reps.js';
import type { SetRef } from './ports.js';
import type { JobTenancy } from './tenancy/job-tenancy.js';

const rep = (gymId: string, athleteId: string, repIndex: number, stationId = `st-${gymId}`): RepRecord => ({
  gymId,
  stationId,
  athleteId,
  setId: 's-1',
  exercise: 'back_squat',
  repIndex,
  ts: 1_795_000_000_000 + repIndex * 3000,
  loadKg: 100,
  meanVelocity: 0.8 - repIndex * 0.05,
  source: 'device',
});

/** Gym A is tenant a's, gym B tenant b's, any other gym the default tenant's; ath-a belongs to tenant a. */
const tenantOfGym = (gymId: string) => ({ A: 'a', B: 'b' })[gymId] ?? 'default';
const tenancy: JobTenancy = {
  tenantOfGym,
  bucketOf: (tenantId) => `bucket-${tenantId}`,
  admits: async (athleteId, gymId) => ({ tenant: tenantOfGym(gymId), admitted: athleteId !== 'ath-a' || tenantOfGym(gymId) === 'a' }),
};

/** What the fake TSDB answers a write: nothing (stored), or the error it throws. */
type Answer = (lines: readonly string[]) => PipelineError | undefined;

function harness(answer: Answer = () => undefined) {
  const writes: Array<{ bucket: string | undefined; lines: readonly string[] }> = [];
  const checked: SetRef[][] = [];
  const refused: Array<{ reps: string[]; tenant: string; code: string }> = [];
  const deps = {
    sets: { closedSet: async () => ({ reps: [], repsInOrder: true }), firstReps: async () => new Map<string, RepRecord[]>() },
    sink: {
      write: async (lines: readonly string[], bucket?: string) => {
        const error = answer(lines);
        if (error) throw error;
        writes.push({ bucket, lines });
      },
    },
    checks: { repsStored: async (sets: readonly SetRef[]) => void checked.push([...sets]), setClosed: async () => undefined },
    tenancy,
    refused: async (reps: readonly RepRecord[], tenant: string, error: PipelineError) =>
      void refused.push({ reps: reps.map((r) => `${r.stationId}#${r.repIndex}`), tenant, code: error.code }),
  };
  return { deps, writes, checked, refused };
}

/** A 4xx for any write holding a line of `station`, as a TSDB refuses a field type conflict. */
const refusing = (station: string): Answer => (lines) =>
  lines.some((line) => line.includes(`station=${station},`) || line.includes(`station=${station} `)) ? new PipelineError('NL_ERR_TSDB_REJECTED', 'TSDB rejected the write with 422', false) : undefined;

const stationsOf = (lines: readonly string[]) => [...new Set(lines.map((line) => /station=([\w-]+)/.exec(line)?.[1]))];

describe('processRepBatch', () => {
  it("writes each rep into its gym's tenant's bucket", async () => {
    const h = harness();
    const result = await processRepBatch({ v: 1, reps: [rep('A', 'ath-a', 1), rep('B', 'ath-b', 1), rep('C', 'ath-c', 1), rep('A', 'ath-a', 2)] }, h.deps);
    expect(result).toEqual({ points: 4, notAllowed: 0, refused: 0 });
    expect(h.writes.map((write) => [write.bucket, write.lines.map((line) => line.match(/gym=(\w+)/)?.[1])])).toEqual([
      ['bucket-a', ['A', 'A']],
      ['bucket-b', ['B']],
      ['bucket-default', ['C']],
    ]);
  });

  it("writes nothing of an athlete of another tenant and raises no in-set check for it", async () => {
    const h = harness();
    const result = await processRepBatch({ v: 1, reps: [rep('B', 'ath-a', 1), rep('B', 'ath-a', 2)] }, h.deps);
    expect(result).toEqual({ points: 0, notAllowed: 2, refused: 0 });
    expect(h.writes).toEqual([]);
    expect(h.checked).toEqual([]);
  });

  it('a batch refused with 4xx is written again set by set: only the refused set is handed over, with its tenant', async () => {
    const h = harness(refusing('st-bad'));
    const reps = [rep('A', 'ath-a', 1, 'st-ok'), rep('A', 'ath-a', 1, 'st-bad'), rep('A', 'ath-a', 2, 'st-ok'), rep('A', 'ath-a', 2, 'st-bad'), rep('C', 'ath-c', 1)];
    const result = await processRepBatch({ v: 1, reps }, h.deps);
    expect(result).toEqual({ points: 3, notAllowed: 0, refused: 2 });
    expect(h.writes.map((write) => [write.bucket, stationsOf(write.lines), write.lines.length])).toEqual([
      ['bucket-a', ['st-ok'], 2],
      ['bucket-default', ['st-C'], 1],
    ]);
    expect(h.refused).toEqual([{ reps: ['st-bad#1', 'st-bad#2'], tenant: 'a', code: 'NL_ERR_TSDB_REJECTED' }]);
  });

  it('a refused batch of one set is handed over as it is, without a second write', async () => {
    let attempts = 0;
    const h = harness((lines) => (attempts++, refusing('st-bad')(lines)));
    const result = await processRepBatch({ v: 1, reps: [rep('B', 'ath-b', 1, 'st-bad'), rep('B', 'ath-b', 2, 'st-bad')] }, h.deps);
    expect(result).toEqual({ points: 0, notAllowed: 0, refused: 2 });
    expect(attempts).toBe(1);
    expect(h.refused).toEqual([{ reps: ['st-bad#1', 'st-bad#2'], tenant: 'b', code: 'NL_ERR_TSDB_REJECTED' }]);
  });

  it('a retryable error while writing set by set is thrown, and nothing is handed over (the retry refuses once)', async () => {
    const unavailable = new PipelineError('NL_ERR_TSDB_UNAVAILABLE', 'TSDB answered 503', true);
    const h = harness((lines) => refusing('st-bad')(lines) ?? (stationsOf(lines).includes('st-later') ? unavailable : undefined));
    const reps = [rep('A', 'ath-a', 1, 'st-bad'), rep('A', 'ath-a', 1, 'st-later')];
    await expect(processRepBatch({ v: 1, reps }, h.deps)).rejects.toBe(unavailable);
    expect(h.refused).toEqual([]);
  });
});
