import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { RepRecord } from '@neurolift/contracts';
import { toLuaArgs } from './adapters/redis-intake-store.js';
import type { SetOp } from './ports.js';

/*
 * toLuaArgs is what APPLY_SET_OPS reads: `ops` (JSON) and, after it, one RepRecord JSON per rep index,
 * consumed in op order. Ops of different stations are independent; within a station order matters.
 */

const TS = 1_793_032_889_000;

function repOp(stationId: string, setId: string, repIndex: number, extra: Partial<RepRecord> = {}): SetOp {
  return {
    kind: 'rep',
    rep: {
      gymId: 'gym-01',
      stationId,
      athleteId: 'a-1',
      setId,
      exercise: 'back_squat',
      repIndex,
      ts: TS + repIndex,
      loadKg: 100,
      meanVelocity: 0.6,
      source: 'device',
      ...extra,
    },
  };
}
const boundary = (kind: 'start' | 'end', stationId: string, setId: string, loadKg?: number): SetOp => ({
  kind,
  gymId: 'gym-01',
  stationId,
  setId,
  athleteId: 'a-1',
  exercise: 'back_squat',
  ts: TS,
  ...(loadKg === undefined ? {} : { loadKg }),
});
const status = (stationId: string, online = true): SetOp => ({ kind: 'status', gymId: 'gym-01', stationId, online, ts: TS, firmware: '2.4.1' });

const json = (op: SetOp): string => (op.kind === 'rep' ? JSON.stringify(op.rep) : expect.fail('not a rep'));

/** The ops as Lua sees them (after JSON), so `undefined` keys are gone. */
const luaOps = (ops: readonly SetOp[]) => JSON.parse(JSON.stringify(toLuaArgs(ops).ops)) as Array<Record<string, unknown>>;

describe('toLuaArgs', () => {
  it('merges consecutive reps of one set into one reps op, indexes and JSON in order', () => {
    const ops = [repOp('st-1', 's-1', 1), repOp('st-1', 's-1', 2), repOp('st-1', 's-1', 3)];
    const args = toLuaArgs(ops);
    expect(luaOps(ops)).toEqual([{ k: 'reps', g: 'gym-01', s: 'st-1', set: 's-1', a: 'a-1', e: 'back_squat', l: 100, i: [1, 2, 3] }]);
    expect(args.reps).toEqual(ops.map(json));
  });

  it('keeps out-of-order rep indexes in arrival order', () => {
    const ops = [repOp('st-1', 's-1', 3), repOp('st-1', 's-1', 1), repOp('st-1', 's-1', 2)];
    const args = toLuaArgs(ops);
    expect(args.ops).toHaveLength(1);
    expect(args.ops[0]?.['i']).toEqual([3, 1, 2]);
    expect(args.reps).toEqual(ops.map(json));
  });

  it('groups ops per station, keeping each station’s order; another station’s op does not break a group', () => {
    const ops = [
      repOp('A', 's-1', 1),
      repOp('B', 's-9', 1),
      repOp('A', 's-1', 2),
      status('B'),
      boundary('end', 'A', 's-1'),
      repOp('B', 's-9', 2),
    ];
    const args = toLuaArgs(ops);
    expect(luaOps(ops).map((op) => [op['s'], op['k'], op['i']])).toEqual([
      ['A', 'reps', [1, 2]],
      ['A', 'end', undefined],
      ['B', 'reps', [1]],
      ['B', 'status', undefined],
      ['B', 'reps', [2]],
    ]);
    expect(args.reps).toEqual([ops[0], ops[2], ops[1], ops[5]].map((op) => json(op as SetOp)));
  });

  it('a set switch breaks a group', () => {
    const ops = [repOp('st', 's-1', 1), repOp('st', 's-1', 2), repOp('st', 's-2', 1), repOp('st', 's-1', 3)];
    expect(luaOps(ops).map((op) => [op['set'], op['i']])).toEqual([
      ['s-1', [1, 2]],
      ['s-2', [1]],
      ['s-1', [3]],
    ]);
    expect(toLuaArgs(ops).reps).toEqual(ops.map(json));
  });

  it('a change of athlete or exercise under the same setId breaks a group', () => {
    const ops = [
      repOp('st', 's-1', 1),
      repOp('st', 's-1', 2, { athleteId: 'a-2' }),
      repOp('st', 's-1', 3, { athleteId: 'a-2', exercise: 'deadlift' }),
    ];
    expect(luaOps(ops).map((op) => [op['a'], op['e'], op['i']])).toEqual([
      ['a-1', 'back_squat', [1]],
      ['a-2', 'back_squat', [2]],
      ['a-2', 'deadlift', [3]],
    ]);
  });

  it.each([
    ['start', boundary('start', 'st', 's-1', 100)],
    ['end', boundary('end', 'st', 's-1')],
    ['status', status('st', false)],
  ] as const)('a %s op breaks a group of the same set', (_name, separator) => {
    const ops = [repOp('st', 's-1', 1), separator, repOp('st', 's-1', 2)];
    const out = luaOps(ops);
    expect(out.map((op) => op['k'])).toEqual(['reps', separator.kind, 'reps']);
    expect(out[0]?.['i']).toEqual([1]);
    expect(out[2]?.['i']).toEqual([2]);
  });

  it('maps start/end/status to their short forms (absent optional fields stay absent)', () => {
    expect(luaOps([boundary('start', 'st', 's-1', 80), boundary('end', 'st', 's-1'), status('st'), { kind: 'status', gymId: 'g', stationId: 'st', online: false, ts: 5 }])).toEqual([
      { k: 'start', g: 'gym-01', s: 'st', set: 's-1', a: 'a-1', e: 'back_squat', l: 80 },
      { k: 'end', g: 'gym-01', s: 'st', set: 's-1', a: 'a-1', e: 'back_squat' },
      { k: 'status', g: 'gym-01', s: 'st', online: true, ts: TS, fw: '2.4.1' },
      { k: 'status', g: 'g', s: 'st', online: false, ts: 5 },
    ]);
  });

  it('caps a group at 500 reps', () => {
    const ops = Array.from({ length: 1201 }, (_, i) => repOp('st', 's-1', (i % 1000) + 1));
    const args = toLuaArgs(ops);
    const groups = args.ops.map((op) => op['i'] as number[]);
    expect(groups.map((g) => g.length)).toEqual([500, 500, 201]);
    expect(groups.flat()).toEqual(ops.map((op) => (op.kind === 'rep' ? op.rep.repIndex : -1)));
    expect(args.reps).toEqual(ops.map(json));
  });

  it('no ops → nothing', () => {
    expect(toLuaArgs([])).toEqual({ ops: [], reps: [] });
  });
});

// ---- property ----

const stationArb = fc.constantFrom('st-a', 'st-b', 'st-c');
const setArb = fc.constantFrom('s-1', 's-2');
const opArb: fc.Arbitrary<SetOp> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(stationArb, setArb, fc.integer({ min: 1, max: 1000 }), fc.constantFrom('a-1', 'a-2'), fc.double({ min: 0, max: 1000, noNaN: true })).map(([st, set, index, athlete, load]) => repOp(st, set, index, { athleteId: athlete, loadKg: load })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('start' as const, 'end' as const), stationArb, setArb).map(([kind, st, set]) => boundary(kind, st, set)) },
  { weight: 1, arbitrary: stationArb.map((st) => status(st)) },
);

/** Per station, the sequence of tokens (rep JSON, or the op kind) a station's ops amount to. */
function tokensByStation(ops: readonly SetOp[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const op of ops) {
    const station = op.kind === 'rep' ? op.rep.stationId : op.stationId;
    const token = op.kind === 'rep' ? JSON.stringify(op.rep) : op.kind;
    map.set(station, [...(map.get(station) ?? []), token]);
  }
  return map;
}

describe('toLuaArgs: property', () => {
  it('preserves the multiset of reps, each station’s order, and pairs every index with its own rep', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const args = toLuaArgs(ops);

        // The multiset of rep JSON strings equals the input reps.
        const inputReps = ops.flatMap((op) => (op.kind === 'rep' ? [JSON.stringify(op.rep)] : []));
        expect([...args.reps].sort()).toEqual([...inputReps].sort());

        // Walk the ops as the Lua script does, consuming rep arguments in order.
        let next = 0;
        const seenStations: string[] = [];
        const outputTokens = new Map<string, string[]>();
        for (const op of args.ops) {
          const station = op['s'] as string;
          if (seenStations[seenStations.length - 1] !== station) {
            // Each station forms one contiguous block.
            expect(seenStations).not.toContain(station);
            seenStations.push(station);
          }
          const tokens = outputTokens.get(station) ?? [];
          outputTokens.set(station, tokens);
          if (op['k'] === 'reps') {
            const indexes = op['i'] as number[];
            expect(indexes.length).toBeGreaterThanOrEqual(1);
            expect(indexes.length).toBeLessThanOrEqual(500);
            for (const index of indexes) {
              const text = args.reps[next++];
              if (text === undefined) return expect.fail('fewer rep arguments than indexes');
              const rep = JSON.parse(text) as RepRecord;
              expect(rep.repIndex).toBe(index);
              expect([rep.gymId, rep.stationId, rep.setId, rep.athleteId, rep.exercise]).toEqual([op['g'], op['s'], op['set'], op['a'], op['e']]);
              tokens.push(text);
            }
          } else {
            tokens.push(op['k'] as string);
          }
        }
        expect(next).toBe(args.reps.length);
        // Per station, the expanded sequence equals the input sequence (order of reps and other ops kept).
        expect(outputTokens).toEqual(tokensByStation(ops));
      }),
    );
  });
});
