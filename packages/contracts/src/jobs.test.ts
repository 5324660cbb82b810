import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RepBatchJob, RepRecord, SamplesJob, SetJob, SET_CLOSE_CAUSES, samplesDedupId, samplesJobId, setJobId } from './jobs.js';

// The protocol's id rule: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
const ID_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const protocolId = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 64 });
/** Ids from a tiny alphabet heavy in separators-looking characters, so that concatenations collide often. */
const collidingId = fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', 'r', '1'), minLength: 1, maxLength: 5 });
const anyId = fc.oneof(protocolId, collidingId);
const epochMs = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const revision = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.nat());

describe('setJobId / samplesJobId', () => {
  it('never contain ":" (BullMQ rejects custom ids with ":")', () => {
    fc.assert(
      fc.property(anyId, anyId, anyId, revision, epochMs, (g, s, set, r, t0) => {
        expect(setJobId(g, s, set, r)).not.toContain(':');
        expect(samplesJobId(g, s, set, t0)).not.toContain(':');
      }),
    );
  });

  it('are never plain integers (BullMQ reserves those for its own ids)', () => {
    fc.assert(
      fc.property(anyId, anyId, anyId, revision, epochMs, (g, s, set, r, t0) => {
        expect(setJobId(g, s, set, r)).not.toMatch(/^\d+$/);
        expect(samplesJobId(g, s, set, t0)).not.toMatch(/^\d+$/);
      }),
    );
  });

  it('are deterministic', () => {
    fc.assert(
      fc.property(anyId, anyId, anyId, revision, epochMs, (g, s, set, r, t0) => {
        expect(setJobId(g, s, set, r)).toBe(setJobId(`${g}`, `${s}`, `${set}`, r));
        expect(samplesJobId(g, s, set, t0)).toBe(samplesJobId(`${g}`, `${s}`, `${set}`, t0));
      }),
    );
  });

  it('distinct set closes give distinct ids', () => {
    const close = fc.tuple(anyId, anyId, anyId, revision);
    fc.assert(
      fc.property(close, close, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(setJobId(...a) === setJobId(...b)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('distinct sample blocks give distinct ids', () => {
    const block = fc.tuple(anyId, anyId, anyId, fc.oneof(fc.integer({ min: 0, max: 20 }), epochMs));
    fc.assert(
      fc.property(block, block, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(samplesJobId(...a) === samplesJobId(...b)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('many set closes at once: ids are unique iff inputs are', () => {
    // Tiny alphabets for every part, so that a separator-free or ambiguous scheme would collide.
    const part = fc.string({ unit: fc.constantFrom('a', '-', 'r', '1'), minLength: 1, maxLength: 3 });
    const few = fc.constantFrom('g', 'g-1', 'g1');
    fc.assert(
      fc.property(fc.array(fc.tuple(few, few, part, fc.integer({ min: 0, max: 11 })), { maxLength: 300 }), (closes) => {
        const inputs = new Set(closes.map((c) => JSON.stringify(c)));
        const ids = new Set(closes.map((c) => setJobId(...c)));
        expect(ids.size).toBe(inputs.size);
      }),
    );
  });

  it('samples jobs share a deduplication id exactly when they are of the same set', () => {
    const set = fc.tuple(anyId, anyId, anyId);
    fc.assert(
      fc.property(set, set, epochMs, epochMs, (a, b, t0a, t0b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(samplesDedupId(...a) === samplesDedupId(...b)).toBe(same);
        expect(samplesDedupId(...a)).not.toContain(':');
        // Never a job id: a dedup id names the set, a job id one block of it.
        expect(samplesDedupId(...a)).not.toBe(samplesJobId(...b, t0b));
        expect(samplesJobId(...a, t0a)).not.toBe(samplesDedupId(...a));
      }),
      { numRuns: 2000 },
    );
  });

  it('many sample blocks at once: ids are unique iff inputs are', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '-', '1', '2'), minLength: 1, maxLength: 3 });
    const few = fc.constantFrom('g', 'g-1', 'g1');
    fc.assert(
      fc.property(fc.array(fc.tuple(few, few, part, fc.integer({ min: 0, max: 30 })), { maxLength: 300 }), (blocks) => {
        const inputs = new Set(blocks.map((b) => JSON.stringify(b)));
        const ids = new Set(blocks.map((b) => samplesJobId(...b)));
        expect(ids.size).toBe(inputs.size);
      }),
    );
  });

  it('splitting the same characters differently across ids does not collide', () => {
    expect(setJobId('a-b', 'c', 's', 0)).not.toBe(setJobId('a', 'b-c', 's', 0));
    expect(setJobId('g', 'a_b', 'c', 0)).not.toBe(setJobId('g', 'a', 'b_c', 0));
    expect(samplesJobId('a-b', 'c', 's', 1)).not.toBe(samplesJobId('a', 'b-c', 's', 1));
    expect(samplesJobId('g', 's', 'x-1', 2)).not.toBe(samplesJobId('g', 's', 'x', 12));
    expect(samplesJobId('g', 's', 'x1', 2)).not.toBe(samplesJobId('g', 's', 'x', 12));
    // A set id that looks like a revision suffix must not collide with a revision.
    expect(setJobId('g', 's', 'x-r1', 0)).not.toBe(setJobId('g', 's', 'x', 1));
    expect(setJobId('g', 's', 'x_r1', 0)).not.toBe(setJobId('g', 's', 'x', 1));
    expect(setJobId('g', 's', 'r1', 0)).not.toBe(setJobId('g', 's', 'r', 1));
    expect(setJobId('g', 's', 'xr1', 0)).not.toBe(setJobId('g', 's', 'x', 1));
    expect(setJobId('g', 's', 'x1', 1)).not.toBe(setJobId('g', 's', 'x', 11));
  });

  it('a set close and a sample block never share an id', () => {
    fc.assert(
      fc.property(anyId, anyId, anyId, revision, anyId, anyId, anyId, epochMs, (g1, s1, x1, r, g2, s2, x2, t0) => {
        expect(setJobId(g1, s1, x1, r)).not.toBe(samplesJobId(g2, s2, x2, t0));
      }),
    );
  });

  it('each revision of a set has its own id', () => {
    const ids = new Set([0, 1, 2, 10, 11].map((r) => setJobId('g', 's', 'set', r)));
    expect(ids.size).toBe(5);
  });
});

const repRecord = fc.record(
  {
    gymId: protocolId,
    stationId: protocolId,
    athleteId: protocolId,
    setId: protocolId,
    exercise: protocolId,
    repIndex: fc.integer({ min: 1, max: 1000 }),
    ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    loadKg: fc.double({ min: 0, max: 1000, noNaN: true }),
    meanVelocity: fc.double({ min: 0, max: 5, minExcluded: true, noNaN: true }),
    peakVelocity: fc.double({ min: 0, max: 10, minExcluded: true, noNaN: true }),
    rom: fc.double({ min: 0, max: 3, minExcluded: true, noNaN: true }),
    concentricMs: fc.integer({ min: 1, max: 60_000 }),
    eccentricMs: fc.integer({ min: 0, max: 60_000 }),
    source: fc.constantFrom('device' as const, 'samples' as const),
  },
  { requiredKeys: ['gymId', 'stationId', 'athleteId', 'setId', 'exercise', 'repIndex', 'ts', 'loadKg', 'meanVelocity', 'source'], noNullPrototype: true },
);
const repBatchJob = fc.record({ v: fc.constant(1 as const), reps: fc.array(repRecord, { minLength: 1, maxLength: 20 }) }, { noNullPrototype: true });
const setJob = fc.record(
  {
    v: fc.constant(1 as const),
    gymId: protocolId,
    stationId: protocolId,
    setId: protocolId,
    revision: fc.nat(),
    closedBy: fc.constantFrom(...SET_CLOSE_CAUSES),
  },
  { noNullPrototype: true },
);

/** What a job goes through: JSON in Redis, then parsed by a consumer of possibly another version. */
const throughRedis = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('job payloads', () => {
  it('RepBatchJob survives a JSON round trip', () => {
    fc.assert(
      fc.property(repBatchJob, (job) => {
        const parsed = RepBatchJob.safeParse(throughRedis(job));
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(parsed.data).toStrictEqual(job);
      }),
    );
  });

  it('SetJob survives a JSON round trip', () => {
    fc.assert(
      fc.property(setJob, (job) => {
        const parsed = SetJob.safeParse(throughRedis(job));
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(parsed.data).toStrictEqual(job);
      }),
    );
  });

  it('SamplesJob survives a JSON round trip', () => {
    const job = { v: 2, gymId: 'g', stationId: 's', setId: 's-0007', t0: 1793032889000 };
    expect(SamplesJob.parse(throughRedis(job))).toStrictEqual(job);
  });

  it('SamplesJob of v1 (the block inside) is refused', () => {
    const block = { v: 1, t0: 1793032889000, hz: 100, athleteId: 'a', setId: 's', exercise: 'e', loadKg: 1, position: [0] };
    expect(SamplesJob.safeParse({ v: 1, gymId: 'g', stationId: 's', block }).success).toBe(false);
  });

  it.each([2, 0, '1', null, undefined])('RepBatchJob and SetJob reject v = %j', (v) => {
    fc.assert(
      fc.property(repBatchJob, setJob, (batch, set) => {
        expect(RepBatchJob.safeParse({ ...batch, v }).success).toBe(false);
        expect(SetJob.safeParse({ ...set, v }).success).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('RepBatchJob rejects an empty batch and a rep with a bad id or source', () => {
    const rep = { gymId: 'g', stationId: 's', athleteId: 'a', setId: 'x', exercise: 'e', repIndex: 1, ts: 1, loadKg: 1, meanVelocity: 1, source: 'device' };
    expect(RepBatchJob.safeParse({ v: 1, reps: [rep] }).success).toBe(true);
    expect(RepBatchJob.safeParse({ v: 1, reps: [] }).success).toBe(false);
    expect(RepBatchJob.safeParse({ v: 1, reps: [{ ...rep, setId: 'x:y' }] }).success).toBe(false);
    expect(RepBatchJob.safeParse({ v: 1, reps: [{ ...rep, source: 'other' }] }).success).toBe(false);
    expect(RepRecord.safeParse({ ...rep, repIndex: 0 }).success).toBe(false);
  });

  it('SetJob rejects a negative or fractional revision and an unknown cause', () => {
    const job = { v: 1, gymId: 'g', stationId: 's', setId: 'x', revision: 0, closedBy: 'idle' };
    expect(SetJob.safeParse(job).success).toBe(true);
    expect(SetJob.safeParse({ ...job, revision: -1 }).success).toBe(false);
    expect(SetJob.safeParse({ ...job, revision: 1.5 }).success).toBe(false);
    expect(SetJob.safeParse({ ...job, closedBy: 'timeout' }).success).toBe(false);
  });

  it('set close causes cover the protocol: end event, rep of another set, idle time', () => {
    for (const cause of ['end', 'next_set', 'idle']) expect(SET_CLOSE_CAUSES).toContain(cause);
    for (const cause of SET_CLOSE_CAUSES) expect(SetJob.safeParse({ v: 1, gymId: 'g', stationId: 's', setId: 'x', revision: 0, closedBy: cause }).success).toBe(true);
  });
});
