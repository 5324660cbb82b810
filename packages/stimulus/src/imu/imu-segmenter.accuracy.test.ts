/*
 * Accuracy of the imu segmenter on synthetic bar-worn IMU sets with known truth (synthetic-imu.ts):
 * paused, touch-and-go and grinding sets at 50, 100, 200 and 500 Hz, each with and without its gyro.
 * Accelerometer noise σ 0.02–0.03 m/s² per sample and bias ≤ 0.05 m/s² per axis; gyro noise σ
 * 0.003–0.005 rad/s, bias ≤ 0.01 rad/s; arbitrary mount; the bar rolls (up to ~25°), tilts and sways.
 *
 * The target (100 Hz and above): rep count exact; mean concentric velocity bias within ±0.01 m/s and
 * error SD ≤ 0.03 m/s; ROM within 2 cm. Asserted with the gyro at 100–500 Hz. At 50 Hz, and without the
 * gyro, ACHIEVED below is what is reached on these seeds (30 sets per rate and kind), asserted with a
 * margin so that a regression shows: without the gyro the target is met too at 100–500 Hz (bias ≤ 0.0010,
 * SD ≤ 0.0039 m/s, ROM ≤ 12.8 mm); at 50 Hz the bias reaches −0.0066 m/s (paused sets, gyro or not) and
 * the ROM 14 mm (grinding). See README for the table, and for what the levelling of touch-and-go
 * stretches and the lockout-height fusion of slow concentrics each bring.
 * IMU_REPORT=1 prints the table.
 */
import { describe, expect, it } from 'vitest';
import { TABLE_HEADER, formatRow, runImuAccuracy, summarise, type AccuracyRow } from './imu-accuracy.js';
import type { ImuRepKind } from './synthetic-imu.js';

const RATES = [50, 100, 200, 500] as const;
const KINDS: readonly ImuRepKind[] = ['paused', 'touch_and_go', 'grinding'];
const SETS = 30;
const TARGET = { bias: 0.01, sd: 0.03, romM: 0.02 };

/** What is reached where the target is not asserted: worst |bias|, SD and ROM error over the kinds. */
const ACHIEVED: Record<string, { bias: number; sd: number; romM: number }> = {
  '50 gyro': { bias: 0.01, sd: 0.008, romM: 0.03 },
  '50 no gyro': { bias: 0.01, sd: 0.008, romM: 0.03 },
  '100 no gyro': { bias: 0.005, sd: 0.005, romM: 0.02 },
  '200 no gyro': { bias: 0.005, sd: 0.006, romM: 0.02 },
  '500 no gyro': { bias: 0.005, sd: 0.005, romM: 0.015 },
};

const rows: AccuracyRow[] = [];

describe.each(RATES)('%i Hz', (hz) => {
  const results = KINDS.map((kind) => ({ kind, ...runImuAccuracy(hz, kind, SETS, 100_000 * hz + 1000 * KINDS.indexOf(kind)) }));
  for (const gyro of [true, false]) {
    const label = `${hz} ${gyro ? 'gyro' : 'no gyro'}`;
    const summaries = results.map((r) => summarise(hz, r.kind, gyro, gyro ? r.withGyro : r.noGyro));
    rows.push(...summaries);
    const limits = gyro && hz >= 100 ? TARGET : ACHIEVED[label]!;
    it(`${gyro ? 'with' : 'without'} gyro: exact rep counts`, () => {
      for (const s of summaries) expect(s.countErrors, s.kind).toBe(0);
    });
    it(`${gyro ? 'with' : 'without'} gyro: MCV bias within ±${limits.bias} m/s, error SD ≤ ${limits.sd} m/s, ROM within ${100 * limits.romM} cm`, () => {
      for (const s of summaries) {
        expect(Math.abs(s.bias), s.kind).toBeLessThanOrEqual(limits.bias);
        expect(s.sd, s.kind).toBeLessThanOrEqual(limits.sd);
        expect(s.maxRom, s.kind).toBeLessThanOrEqual(limits.romM);
      }
    });
  }
  if (hz === RATES.at(-1)) {
    it('report', () => {
      if (process.env.IMU_REPORT) console.log([TABLE_HEADER, ...rows.map(formatRow)].join('\n'));
      expect(rows.length).toBe(RATES.length * KINDS.length * 2);
    });
  }
});

/*
 * Deadlift style (from the floor, up first), with the gyro, at 100 and 200 Hz: the same target. Without
 * the gyro (README): at 100 Hz one paused set of 30 has a rep 0.68 m/s off (a pause missed after a 1 m/s
 * pull left the accelerometer-only velocity 0.08 m/s off), touch-and-go ROM up to 22 mm: not asserted.
 */
describe.each([100, 200] as const)('deadlift style, %i Hz, with gyro', (hz) => {
  const summaries = KINDS.map((kind) => summarise(hz, kind, true, runImuAccuracy(hz, kind, SETS, 7777 * hz, undefined, 'bottom').withGyro));
  if (process.env.IMU_REPORT) console.log(summaries.map(formatRow).join('\n'));
  it('exact rep counts; MCV bias within ±0.01 m/s, error SD ≤ 0.03 m/s; ROM within 2 cm', () => {
    for (const s of summaries) {
      expect(s.countErrors, s.kind).toBe(0);
      expect(Math.abs(s.bias), s.kind).toBeLessThanOrEqual(TARGET.bias);
      expect(s.sd, s.kind).toBeLessThanOrEqual(TARGET.sd);
      expect(s.maxRom, s.kind).toBeLessThanOrEqual(TARGET.romM);
    }
  });
});
