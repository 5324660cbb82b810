/*
 * How an athlete's set is stored: v1 is the set alone (written before checkpoints existed, and by putSet
 * until the worker has folded the set); v2 adds its model terms, session point and checkpoint. Parsed on
 * read: another version of the worker may have written it.
 */
import { EXERCISE_IDS, MODEL_VERSIONS, aerobicMinute, type AerobicMinute, type AthleteSet, type FoldedAerobic, type FoldedSet, type LvpHistoryEntry } from '@neurolift/stimulus';
import { z } from 'zod';
import type { ActivityRecord, AthleteRecord, SetEntry } from './athlete-store.js';

const StoredRep = z.object({
  repIndex: z.number(),
  ts: z.number(),
  loadKg: z.number(),
  meanVelocity: z.number(),
  rom: z.number().optional(),
  concentricMs: z.number().optional(),
  eccentricMs: z.number().optional(),
});

const SetFields = {
  key: z.string(),
  gymId: z.string(),
  stationId: z.string(),
  setId: z.string(),
  exercise: z.string(),
  reps: z.array(StoredRep),
  pointTs: z.number().optional(),
};

const RepModelSchema = z.object({
  repIndex: z.number(),
  ts: z.number(),
  relIntensity: z.number(),
  velocityLoss: z.number(),
  rir: z.number(),
  work: z.number(),
  effort: z.number(),
  impulse: z.number(),
});

const SetModelSchema = z.object({
  // Any version this worker can continue from: a change of constants refolds the session (the basis).
  modelVersion: z.enum(MODEL_VERSIONS),
  exercise: z.enum(EXERCISE_IDS),
  impulse: z.number(),
  velocityLoss: z.number(),
  lactateIncrement: z.number(),
  relIntensity: z.number(),
  rirLast: z.number(),
  e1rmKg: z.number(),
  e1rmSource: z.enum(['lvp', 'profile', 'generic_curve', 'epley']),
  firstTs: z.number(),
  lastTs: z.number(),
  reps: z.number(),
  tutMs: z.number(),
  loadKg: z.number(),
  volumeKg: z.number(),
  meanVelocity: z.number(),
  bestVelocity: z.number(),
  bodyMassKg: z.number(),
  defaultBodyMass: z.boolean(),
  perRep: z.array(RepModelSchema),
});

const SessionPointSchema = z.object({
  setId: z.string(),
  ts: z.number(),
  nsi: z.number(),
  dose: z.number(),
  workDose: z.number(),
  lactateDose: z.number(),
  lactatePeak: z.number(),
  lactate: z.number(),
  impulseSum: z.number(),
  sets: z.number(),
  aerobicDose: z.number().optional(),
  aerobicSum: z.number().optional(),
});

const ExposureStateSchema = z.object({ day: z.number(), a7: z.number(), c28: z.number() });

const CheckpointSchema = z.object({
  key: z.string(),
  gymId: z.string(),
  lastTs: z.number(),
  sessionId: z.string(),
  sessionFirstKey: z.string(),
  sessionStartTs: z.number(),
  session: z.object({ lactate: z.number(), lactatePeak: z.number(), impulseSum: z.number(), sets: z.number(), lastTs: z.number(), aerobicSum: z.number().optional() }),
  nsi: z.number(),
  priorDayLoad: z.number(),
  firstDay: z.number(),
  exposureBefore: ExposureStateSchema.optional(),
  exposure: ExposureStateSchema,
  sessionIntensity: z.record(z.string(), z.number()),
  bestE1rm: z.record(z.string(), z.number()),
  basis: z.string(),
});

const GenesisSchema = z.object({ firstDay: z.number().optional(), exposure: ExposureStateSchema.optional() });

const AerobicSumSchema = z.object({ a: z.number(), counted: z.number(), firstCountedTs: z.number().optional(), lastCountedTs: z.number().optional() });

/** A minute of heart rate (v3): its aerobic sum and, once folded, its session point and checkpoint. */
const StoredAerobic = z.object({
  v: z.literal(3),
  minute: z.number(),
  sum: AerobicSumSchema,
  sessionId: z.string().optional(),
  point: SessionPointSchema.optional(),
  checkpoint: z.union([CheckpointSchema, GenesisSchema]).optional(),
});

const StoredRecord = z.discriminatedUnion('v', [
  z.object({ v: z.literal(1), ...SetFields }),
  z.object({
    v: z.literal(2),
    ...SetFields,
    model: SetModelSchema,
    sessionId: z.string(),
    point: SessionPointSchema,
    checkpoint: CheckpointSchema,
    sessionIntensityBefore: z.number().optional(),
    bestE1rmBefore: z.number().optional(),
  }),
]);

/** A stored activity: a set (v1, v2) or a minute of heart rate (v3). */
export function parseActivity(text: string): ActivityRecord {
  const json: unknown = JSON.parse(text);
  if (typeof json === 'object' && json !== null && 'v' in json && json.v === 3) {
    const stored = StoredAerobic.parse(json);
    const { firstCountedTs, lastCountedTs, a, counted } = stored.sum;
    const minute = aerobicMinute(stored.minute, { a, counted, firstCountedTs, lastCountedTs });
    if (stored.checkpoint === undefined) return { minute };
    const folded: FoldedAerobic = {
      minute,
      checkpoint: stored.checkpoint,
      ...(stored.sessionId === undefined ? {} : { sessionId: stored.sessionId }),
      ...(stored.point === undefined ? {} : { point: stored.point }),
    };
    return { minute, folded };
  }
  return parseRecord(text);
}

export function aerobicText(minute: AerobicMinute, folded?: FoldedAerobic): string {
  const { a, counted, firstCountedTs, lastCountedTs } = minute.sum;
  const sum = { a, counted, ...(firstCountedTs === undefined ? {} : { firstCountedTs }), ...(lastCountedTs === undefined ? {} : { lastCountedTs }) };
  if (folded === undefined) return JSON.stringify({ v: 3, minute: minute.minute, sum });
  return JSON.stringify({ v: 3, minute: minute.minute, sum, sessionId: folded.sessionId, point: folded.point, checkpoint: folded.checkpoint });
}

export function parseRecord(text: string): AthleteRecord {
  const stored = StoredRecord.parse(JSON.parse(text));
  const { key, gymId, stationId, setId, exercise, reps, pointTs } = stored;
  const set: AthleteSet = { key, gymId, stationId, setId, exercise, reps, ...(pointTs === undefined ? {} : { pointTs }) };
  if (stored.v === 1) return { set };
  const { model, sessionId, point, checkpoint, sessionIntensityBefore, bestE1rmBefore } = stored;
  return { set, folded: { set, model, sessionId, point, checkpoint, sessionIntensityBefore, bestE1rmBefore } };
}

export function storedSetText(set: AthleteSet): string {
  return JSON.stringify({ v: 1, ...set });
}

export function foldedSetText(folded: FoldedSet): string {
  const { set, ...terms } = folded;
  return JSON.stringify({ v: 2, ...set, ...terms });
}

/*
 * An entry is a JSON array [exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity] and, once folded,
 * [..., sessionId, nsi, relIntensity, sessionIntensityBefore | null]: small, and readable by a Lua script
 * (cjson) to find the set's place in the exercise index.
 */
function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

export function entryText(set: AthleteSet, folded?: FoldedSet): string {
  const first = set.reps.reduce((lowest, rep) => (rep.repIndex < lowest.repIndex ? rep : lowest));
  const entry = [set.exercise, ...spanOf(set), set.reps.reduce((sum, rep) => sum + rep.loadKg, 0) / set.reps.length, Math.max(...set.reps.map((rep) => rep.meanVelocity)), first.meanVelocity];
  if (folded === undefined) return JSON.stringify(entry);
  return JSON.stringify([...entry, folded.sessionId, folded.point.nsi, folded.model.relIntensity, folded.sessionIntensityBefore ?? null]);
}

function spanOf(set: AthleteSet): [number, number] {
  const times = set.reps.map((rep) => rep.ts);
  return [Math.min(...times), Math.max(...times)];
}

/** Parses an entry; checked by hand, not by a schema: the alert rules and the fold read hundreds per set. */
export function parseEntry(key: string, text: string): SetEntry {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || typeof value[0] !== 'string' || !value.slice(1, 6).every(isNumber) || (value.length !== 6 && value.length !== 10)) {
    throw new Error(`athlete entry ${key}: not an entry: ${text.slice(0, 200)}`);
  }
  const [exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity] = value as [string, number, number, number, number, number];
  const entry = { key, exercise, firstTs, lastTs, loadKg, bestVelocity, firstRepVelocity };
  if (value.length === 6) return entry;
  const [sessionId, nsi, relIntensity, before] = value.slice(6) as unknown[];
  if (typeof sessionId !== 'string' || !isNumber(nsi) || !isNumber(relIntensity) || !(before === null || isNumber(before))) {
    throw new Error(`athlete entry ${key}: bad model terms: ${text.slice(0, 200)}`);
  }
  return { ...entry, terms: { sessionId, nsi, relIntensity, ...(before === null ? {} : { sessionIntensityBefore: before }) } };
}

/** An exercise's load–velocity entries packed in time order (numbers as JavaScript prints them: exact). */
export function packLvp(entries: readonly LvpHistoryEntry[]): string {
  return [...entries]
    .sort((a, b) => a.ts - b.ts || (a.setId < b.setId ? -1 : a.setId > b.setId ? 1 : 0))
    .map((entry) => `${entry.ts},${entry.loadKg},${entry.bestVelocity},${entry.setId}`)
    .join(';');
}

/** The entries of a packed list; throws on anything else (it is read at every set). */
export function unpackLvp(text: string): LvpHistoryEntry[] {
  if (text === '') return [];
  return text.split(';').map((item) => {
    const [ts, loadKg, bestVelocity, setId] = item.split(',');
    const entry = { setId: setId ?? '', ts: Number(ts), loadKg: Number(loadKg), bestVelocity: Number(bestVelocity) };
    if (setId === undefined || setId === '' || ![entry.ts, entry.loadKg, entry.bestVelocity].every(Number.isFinite)) {
      throw new Error(`athlete load–velocity list: not an entry: ${item.slice(0, 200)}`);
    }
    return entry;
  });
}
