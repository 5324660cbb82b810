import { MEASUREMENTS, type HeartRateJob } from '@neurolift/contracts';
import { float, line } from '@neurolift/storage';
import { rmssd } from '@neurolift/stimulus';

/**
 * The `heart_rate` points of a block: one a second from t0 (tags gym, station, athlete; field `bpm`), and
 * the RMSSD of the block's beat-to-beat intervals as `rmssd_ms` on its first point when it has them. A
 * re-sent block writes the same points.
 */
export function heartRateLines(job: HeartRateJob): string[] {
  const { gymId, stationId, block } = job;
  const tags = { gym: gymId, station: stationId, athlete: block.athleteId };
  const variability = block.rr === undefined ? undefined : rmssd(block.rr);
  return block.bpm.map((bpm, i) =>
    line(MEASUREMENTS.heartRate, tags, { bpm: float(bpm), rmssd_ms: i === 0 && variability !== undefined ? float(variability) : undefined }, block.t0 + i * 1000),
  );
}
