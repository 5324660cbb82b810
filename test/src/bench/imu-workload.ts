// Prepared set traces for bench-samples (`samples` and, protocol v1.1, `imu`): each synthetic set cut into
// blocks of `perBlock` samples, the JSON of each block's data built once (the publish loop only adds the
// ids and t0), and which reps the segmenter completes with each block, from its own replay of exactly
// the blocks the pipeline will get (the JSON parsed back). The benchmark then knows every rep it must
// find and the publish that rep dates from (the block that completes it, or the set's end message).
import {
  createImuSegmenterState,
  createSegmenterState,
  finishImuSegmenter,
  finishSegmenter,
  generateSyntheticImuTrace,
  generateSyntheticTrace,
  mulberry32,
  segmentBlock,
  segmentImuBlock,
  type ImuBlock,
  type ImuRepKind,
  type SamplesBlock,
  type SegmentedRep,
} from '@neurolift/stimulus';

export type Channel = 'samples' | 'imu';
export const CHANNELS: readonly Channel[] = ['samples', 'imu'];

export function parseChannel(text: string): Channel {
  const channel = CHANNELS.find((c) => c === text);
  if (channel === undefined) throw new Error(`--channel must be one of ${CHANNELS.join(', ')} (got "${text}")`);
  return channel;
}

export interface PreparedTrace {
  /** What it is, for the log ("imu paused, 9 reps, 41.2 s"). */
  readonly label: string;
  readonly samples: number;
  /** Per block: its JSON members after the ids and t0 (`"hz":100,"loadKg":…,…`), no braces. */
  readonly blockJson: readonly string[];
  readonly blockSamples: readonly number[];
  /** The repIndex values the segmenter completes with block i. */
  readonly repsAtBlock: ReadonlyArray<readonly number[]>;
  /** Those it completes when the set is closed. */
  readonly repsAtFinish: readonly number[];
  /** Reps the segmenter finds in the whole set, and the generator's true reps. */
  readonly expectedReps: number;
  readonly truthReps: number;
}

/** Epoch ms of the replay's first sample; rep counts and the blocks that complete them do not depend on it. */
const REPLAY_T0 = 1_793_000_000_000;

const round = (digits: number) => {
  const scale = 10 ** digits;
  return (v: number) => Math.round(v * scale) / scale;
};
/** A 16-bit sensor at ±16 g resolves ~0.005 m/s², at ±2000 °/s ~0.001 rad/s: 3 and 4 decimals keep all it says. */
const accel3 = round(3);
const gyro4 = round(4);

interface Segmenter<B> {
  feed(block: B): SegmentedRep[];
  finish(): SegmentedRep[];
}

function samplesSegmenter(): Segmenter<SamplesBlock> {
  let state = createSegmenterState();
  return {
    feed(block) {
      const r = segmentBlock(state, block);
      state = r.state;
      return r.reps;
    },
    finish: () => finishSegmenter(state).reps,
  };
}

function imuSegmenter(): Segmenter<ImuBlock> {
  let state = createImuSegmenterState();
  return {
    feed(block) {
      const r = segmentImuBlock(state, block);
      state = r.state;
      return r.reps;
    },
    finish: () => finishImuSegmenter(state).reps,
  };
}

/** Blocks' JSON and the replay of their JSON-parsed form (what the worker gets) through `segmenter`. */
function prepare<B>(label: string, truthReps: number, blockJson: string[], blockSamples: number[], hz: number, segmenter: Segmenter<B>): PreparedTrace {
  const repsAtBlock: number[][] = [];
  let offset = 0;
  for (const json of blockJson) {
    const block = { t0: Math.round(REPLAY_T0 + (offset * 1000) / hz), ...(JSON.parse(`{${json}}`) as object) } as B;
    repsAtBlock.push(segmenter.feed(block).map((rep) => rep.repIndex));
    offset += blockSamples[repsAtBlock.length - 1] ?? 0;
  }
  const repsAtFinish = segmenter.finish().map((rep) => rep.repIndex);
  const expectedReps = repsAtBlock.reduce((sum, reps) => sum + reps.length, repsAtFinish.length);
  return { label: `${label}, ${expectedReps} reps (truth ${truthReps}), ${(offset / hz).toFixed(1)} s`, samples: offset, blockJson, blockSamples, repsAtBlock, repsAtFinish, expectedReps, truthReps };
}

/** Cuts `n` samples into blocks of `perBlock` (the last one shorter). */
function cuts(n: number, perBlock: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let from = 0; from < n; from += perBlock) out.push([from, Math.min(n, from + perBlock)]);
  return out;
}

/**
 * The samples benchmark's sets, as before v1.1: 8 sets of 5–8 reps (the synthetic position generator,
 * ±2 mm noise, seeds 1000–1007), positions at full precision.
 */
export function prepareSamplesTraces(hz: number, perBlock: number): PreparedTrace[] {
  return Array.from({ length: 8 }, (_, i) => {
    const trace = generateSyntheticTrace(mulberry32(1000 + i), { hz, t0: 0, reps: 5 + (i % 4) });
    const pieces = cuts(trace.position.length, perBlock);
    const blockJson = pieces.map(([from, to]) => `"hz":${hz},"loadKg":${trace.loadKg},"position":${JSON.stringify(trace.position.slice(from, to))}`);
    return prepare(`samples ${i}`, trace.truth.length, blockJson, pieces.map(([from, to]) => to - from), hz, samplesSegmenter());
  });
}

/** The mix of the imu sets: mostly paused reps, some touch-and-go, one in six grinding. */
const IMU_KINDS: readonly ImuRepKind[] = ['paused', 'touch_and_go', 'paused', 'grinding', 'paused', 'touch_and_go'];
/** Reps per kind that give sets of about 30–60 s. */
const IMU_REPS: Readonly<Record<ImuRepKind, readonly [number, number]>> = { paused: [6, 11], touch_and_go: [12, 20], grinding: [4, 7] };

/**
 * `count` bar-IMU sets (the synthetic IMU generator: J-curve bar path, roll and tilt, random sensor
 * mounting, accelerometer and gyro noise and bias), each 30–60 s of reps with the generator's rest
 * before and after, accel rounded to 3 decimals (m/s²) and gyro to 4 (rad/s) as a 16-bit sensor reports them.
 */
export function prepareImuTraces(hz: number, perBlock: number, count = 12, withGyro = true): PreparedTrace[] {
  const traces: PreparedTrace[] = [];
  for (let i = 0; i < count; i++) {
    const kind = IMU_KINDS[i % IMU_KINDS.length] as ImuRepKind;
    const [lo, hi] = IMU_REPS[kind];
    // Deterministic: the first seed (from 7000 + 100·i) whose set lasts 30–60 s.
    let trace = generateSyntheticImuTrace(mulberry32(7000 + 100 * i), { hz, kind, reps: lo + (i % (hi - lo + 1)), withGyro });
    for (let attempt = 1; attempt < 100; attempt++) {
      const seconds = trace.accel.x.length / hz;
      if (seconds >= 30 && seconds <= 60) break;
      const prng = mulberry32(7000 + 100 * i + attempt);
      trace = generateSyntheticImuTrace(prng, { hz, kind, reps: lo + Math.floor(prng() * (hi - lo + 1)), withGyro });
    }
    const { accel, gyro } = trace;
    const axes = (a: { x: number[]; y: number[]; z: number[] }, from: number, to: number, r: (v: number) => number) =>
      `{"x":${JSON.stringify(a.x.slice(from, to).map(r))},"y":${JSON.stringify(a.y.slice(from, to).map(r))},"z":${JSON.stringify(a.z.slice(from, to).map(r))}}`;
    const pieces = cuts(accel.x.length, perBlock);
    const blockJson = pieces.map(
      ([from, to]) => `"hz":${hz},"loadKg":${trace.loadKg},"mount":"bar","accel":${axes(accel, from, to, accel3)}${gyro ? `,"gyro":${axes(gyro, from, to, gyro4)}` : ''}`,
    );
    traces.push(prepare(`imu ${i} ${kind}`, trace.truth.length, blockJson, pieces.map(([from, to]) => to - from), hz, imuSegmenter()));
  }
  return traces;
}
