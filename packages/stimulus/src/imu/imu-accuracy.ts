/* Accuracy of the imu segmenter against a synthetic trace's truth (for the accuracy test and README). */
import { mulberry32 } from '../segmentation/prng.js';
import type { TruthRep } from '../segmentation/synthetic-types.js';
import type { SegmentedRep } from '../segmentation/types.js';
import type { ImuSegmenterParams } from './imu-params.js';
import { segmentImuBlocks } from './imu-segmenter.js';
import { generateSyntheticImuTrace, splitImuIntoBlocks, withoutGyro, type ImuRepKind } from './synthetic-imu.js';

export interface AccuracyRow {
  readonly hz: number;
  readonly kind: ImuRepKind;
  readonly gyro: boolean;
  readonly traces: number;
  readonly reps: number;
  readonly countErrors: number;
  /** Mean and SD of (measured − true) mean concentric velocity, m/s, over reps of traces whose count matched. */
  readonly bias: number;
  readonly sd: number;
  readonly maxAbs: number;
  /** Largest |ROM error|, m. */
  readonly maxRom: number;
  /** Mean and SD of the ROM error, m. */
  readonly romBias: number;
  readonly romSd: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

export interface TracePair {
  readonly truth: readonly TruthRep[];
  readonly reps: SegmentedRep[];
  readonly seed: number;
}

/** Segments `traces` sets of `kind` at `hz` (seeds base + 0…), with and without the gyro. */
export function runImuAccuracy(
  hz: number,
  kind: ImuRepKind,
  traces: number,
  base: number,
  params?: Partial<ImuSegmenterParams>,
  startAt: 'top' | 'bottom' = 'top',
): { withGyro: TracePair[]; noGyro: TracePair[] } {
  const withGyro: TracePair[] = [];
  const noGyro: TracePair[] = [];
  for (let s = 0; s < traces; s++) {
    const seed = base + s;
    const prng = mulberry32(seed);
    const trace = generateSyntheticImuTrace(prng, { hz, kind, startAt });
    const blocks = splitImuIntoBlocks(trace, prng, 1, 2000);
    withGyro.push({ truth: trace.truth, reps: segmentImuBlocks(blocks, params), seed });
    const bare = withoutGyro(trace);
    noGyro.push({ truth: trace.truth, reps: segmentImuBlocks(splitImuIntoBlocks(bare, mulberry32(seed + 7), 1, 2000), params), seed });
  }
  return { withGyro, noGyro };
}

export function summarise(hz: number, kind: ImuRepKind, gyro: boolean, pairs: readonly TracePair[]): AccuracyRow {
  const matched = pairs.filter((p) => p.reps.length === p.truth.length);
  const dv: number[] = [];
  const dr: number[] = [];
  for (const { truth, reps } of matched) {
    reps.forEach((rep, i) => {
      dv.push(rep.meanVelocity - truth[i]!.meanVelocity);
      dr.push(rep.rom - truth[i]!.rom);
    });
  }
  return {
    hz, kind, gyro,
    traces: pairs.length,
    reps: dv.length,
    countErrors: pairs.length - matched.length,
    bias: mean(dv),
    sd: sd(dv),
    maxAbs: Math.max(0, ...dv.map(Math.abs)),
    maxRom: Math.max(0, ...dr.map(Math.abs)),
    romBias: mean(dr),
    romSd: sd(dr),
  };
}

export function formatRow(r: AccuracyRow): string {
  const f3 = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
  return (
    `| ${String(r.hz).padStart(3)} Hz | ${r.kind.padEnd(12)} | ${r.gyro ? 'yes' : 'no '} | ${String(r.traces).padStart(3)} | ${String(r.reps).padStart(4)} | ` +
    `${String(r.countErrors).padStart(2)} | ${f3(r.bias)} | ${r.sd.toFixed(4)} | ${r.maxAbs.toFixed(3)} | ${(1000 * r.romBias).toFixed(1).padStart(5)} ± ${(1000 * r.romSd).toFixed(1)} | ${(1000 * r.maxRom).toFixed(1).padStart(5)} |`
  );
}

export const TABLE_HEADER =
  '| rate | kind | gyro | sets | reps | count errors | MCV bias m/s | MCV error SD m/s | worst MCV error m/s | ROM error mm (mean ± SD) | worst ROM error mm |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|';
