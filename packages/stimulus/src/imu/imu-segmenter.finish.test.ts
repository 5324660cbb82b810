// The end of a set: the device keeps sending about 1 s after the last lockout (protocol v1.1), perhaps
// less. The last rep must still be found, as accurately; a set cut mid-concentric gives no rep for it.
import { describe, expect, it } from 'vitest';
import { segmentImuBlocks } from './imu-segmenter.js';
import { generateSyntheticImuTrace, mulberry32, splitImuIntoBlocks, type SyntheticImuTrace } from './synthetic-imu.js';

function cutAt(trace: SyntheticImuTrace, endMs: number): SyntheticImuTrace {
  const kept = Math.max(1, Math.ceil(((endMs - trace.t0) * trace.hz) / 1000));
  const cut = (a: { x: number[]; y: number[]; z: number[] }) => ({ x: a.x.slice(0, kept), y: a.y.slice(0, kept), z: a.z.slice(0, kept) });
  return { ...trace, accel: cut(trace.accel), ...(trace.gyro ? { gyro: cut(trace.gyro) } : {}), position: trace.position.slice(0, kept) };
}

const CASES = [50, 100, 200, 500].flatMap((hz) => (['paused', 'touch_and_go', 'grinding'] as const).flatMap((kind) => [1, 2].map((seed) => ({ hz, kind, seed }))));

describe('finishing an imu set', () => {
  it.each(CASES)('$hz Hz $kind, seed $seed: samples ending 400 ms or 1 s after the last lockout give every rep', ({ hz, kind, seed }) => {
    const trace = generateSyntheticImuTrace(mulberry32(seed * 7919 + hz), { hz, kind, reps: 4 });
    const last = trace.truth.at(-1)!;
    const full = segmentImuBlocks(splitImuIntoBlocks(trace, mulberry32(seed), 20, 300));
    expect(full).toHaveLength(trace.truth.length);
    for (const after of [400, 1000]) {
      const cut = segmentImuBlocks(splitImuIntoBlocks(cutAt(trace, last.concentricEnd + after), mulberry32(seed), 20, 300));
      expect(cut, `${after} ms`).toHaveLength(trace.truth.length);
      const lastCut = cut.at(-1)!;
      expect(Math.abs(lastCut.meanVelocity - last.meanVelocity), `${after} ms`).toBeLessThan(0.03);
      expect(Math.abs(lastCut.rom - last.rom), `${after} ms`).toBeLessThan(0.02);
    }
  });

  it.each(CASES.filter((c) => c.seed === 1))('$hz Hz $kind: samples ending mid-concentric give no rep for it', ({ hz, kind, seed }) => {
    const trace = generateSyntheticImuTrace(mulberry32(seed * 104729 + hz), { hz, kind, reps: 3 });
    const last = trace.truth.at(-1)!;
    const reps = segmentImuBlocks(splitImuIntoBlocks(cutAt(trace, (last.concentricStart + last.concentricEnd) / 2), mulberry32(seed), 20, 300));
    expect(reps.length).toBe(trace.truth.length - 1);
    // The reps before it: a touch-and-go run cut while moving has no end at rest to correct against,
    // only its turnarounds (levelled); paused ones closed at their own still moments.
    const tol = kind === 'touch_and_go' ? { v: 0.03, rom: 0.03 } : { v: 0.02, rom: 0.02 };
    reps.forEach((rep, i) => {
      if (process.env.IMU_REPORT) console.log(`${hz} ${kind} rep ${i + 1}: dv ${(rep.meanVelocity - trace.truth[i]!.meanVelocity).toFixed(4)} drom ${(rep.rom - trace.truth[i]!.rom).toFixed(4)}`);
      expect(Math.abs(rep.meanVelocity - trace.truth[i]!.meanVelocity)).toBeLessThan(tol.v);
      expect(Math.abs(rep.rom - trace.truth[i]!.rom)).toBeLessThan(tol.rom);
    });
  });
});
