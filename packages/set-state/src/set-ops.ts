import type { RepRecord } from '@neurolift/contracts';

/**
 * A state change of a station's set bookkeeping, applied in arrival order by APPLY_SET_OPS. Ingest
 * produces them from device messages; the worker produces `rep` ops for reps segmented from samples.
 */
export type SetOp =
  | {
      readonly kind: 'rep';
      readonly rep: RepRecord;
      /**
       * Segmented reps of a set that already closed are stored without re-closing it: the closed set's
       * job waits for the set's queued sample blocks and segments its tail itself, so it includes them.
       */
      readonly quiet?: boolean;
    }
  | {
      readonly kind: 'start' | 'end';
      readonly gymId: string;
      readonly stationId: string;
      readonly setId: string;
      readonly athleteId: string;
      readonly exercise: string;
      readonly loadKg?: number;
      readonly ts: number;
    }
  | {
      readonly kind: 'status';
      readonly gymId: string;
      readonly stationId: string;
      readonly online: boolean;
      readonly ts: number;
      readonly firmware?: string;
      readonly model?: string;
    };

/** Reps of one set travel as one op; bounded so Lua's `unpack` stays within its stack. */
const MAX_REPS_PER_OP = 500;

interface LuaRepsOp {
  k: 'reps';
  g: string;
  s: string;
  set: string;
  a: string;
  e: string;
  l: number;
  /** Present (true) only for quiet reps. */
  q?: true;
  i: number[];
}

function stationOf(op: SetOp): string {
  return op.kind === 'rep' ? op.rep.stationId : op.stationId;
}

/**
 * The compact form the Lua script reads. Ops of different stations are independent, so they are
 * grouped by station (keeping each station's order) and consecutive reps of one set become one op:
 * the script then opens each set once per batch and stores its reps in one HSET. Short keys keep
 * the JSON small; the reps' own JSON travels as separate arguments.
 */
export function toLuaArgs(ops: readonly SetOp[]): { ops: Array<Record<string, unknown>>; reps: string[] } {
  const byStation = new Map<string, SetOp[]>();
  for (const op of ops) {
    const station = stationOf(op);
    const list = byStation.get(station);
    if (list) list.push(op);
    else byStation.set(station, [op]);
  }
  const out: Array<Record<string, unknown>> = [];
  const reps: string[] = [];
  for (const stationOps of byStation.values()) {
    let group: LuaRepsOp | undefined;
    for (const op of stationOps) {
      if (op.kind === 'rep') {
        const r = op.rep;
        const quiet = op.quiet === true;
        const sameSet = group && group.set === r.setId && group.a === r.athleteId && group.e === r.exercise && (group.q === true) === quiet;
        if (!group || !sameSet || group.i.length >= MAX_REPS_PER_OP) {
          group = { k: 'reps', g: r.gymId, s: r.stationId, set: r.setId, a: r.athleteId, e: r.exercise, l: r.loadKg, i: [], ...(quiet ? { q: true as const } : {}) };
          out.push(group as unknown as Record<string, unknown>);
        }
        group.l = r.loadKg;
        group.i.push(r.repIndex);
        reps.push(JSON.stringify(r));
        continue;
      }
      group = undefined;
      switch (op.kind) {
        case 'start':
        case 'end':
          out.push({ k: op.kind, g: op.gymId, s: op.stationId, set: op.setId, a: op.athleteId, e: op.exercise, l: op.loadKg });
          break;
        case 'status':
          out.push({ k: 'status', g: op.gymId, s: op.stationId, online: op.online, ts: op.ts, fw: op.firmware, model: op.model });
          break;
      }
    }
  }
  return { ops: out, reps };
}
