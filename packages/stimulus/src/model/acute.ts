/**
 * Acute window for dashboards — model spec "Over time": NSI_acute(t) = NSI_session·exp(−(t − t_end)/τ_b),
 * τ_b = 40 min (assumption; evidence range 15–60 min, Nofuji et al. 2012, Church et al. 2016).
 * Label it "acute neurotrophic window (model)"; it is not a BDNF time course.
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from './constants.js';
import { MINUTE_MS } from './time.js';

export interface AcutePoint {
  /** Epoch ms. */
  readonly ts: number;
  /** NSI_acute(ts), same scale as the NSI. */
  readonly level: number;
}

/**
 * The acute-window curve after a session ending at tEndMs: one point every acuteCurveStepMinutes (1 min) from
 * t_end to t_end + acuteCurveMinutes (3 h) inclusive — 181 points with the defaults. Times are rounded to whole ms.
 */
export function acuteCurve(nsi: number, tEndMs: number, constants: ModelConstants = DEFAULT_CONSTANTS): AcutePoint[] {
  const steps = Math.floor(constants.acuteCurveMinutes / constants.acuteCurveStepMinutes + 1e-9);
  const points: AcutePoint[] = [];
  for (let k = 0; k <= steps; k++) {
    const minutes = k * constants.acuteCurveStepMinutes;
    points.push({ ts: Math.round(tEndMs + minutes * MINUTE_MS), level: nsi * Math.exp(-minutes / constants.acuteTauMin) });
  }
  return points;
}

/** One sample of an athlete's acute-window series, with the gym its set was at. */
export interface AcuteSample {
  readonly gymId: string;
  readonly ts: number;
  readonly level: number;
}

/**
 * The acute window after one set as written to the time series (decision 0015): a point at the set's own time
 * (`anchorTs`, the time of its stimulus point; level = the NSI), then NSI·exp(−(t − t_end)/τ_b) on the grid of
 * multiples of acuteSeriesStepMinutes since the epoch for the curve's length, stopping before `until` (the next
 * set's end, whose own curve takes over). On a shared grid a later set's curve overwrites every grid point an
 * earlier set's curve left after it; the anchor lies before the next set and is never stale.
 */
export function acuteWindow(gymId: string, nsi: number, tEnd: number, anchorTs: number, until: number, constants: ModelConstants = DEFAULT_CONSTANTS): AcuteSample[] {
  const step = constants.acuteSeriesStepMinutes * MINUTE_MS;
  const end = Math.min(tEnd + constants.acuteCurveMinutes * MINUTE_MS, until - 1);
  const samples: AcuteSample[] = anchorTs < until ? [{ gymId, ts: anchorTs, level: nsi }] : [];
  for (let ts = Math.floor(tEnd / step) * step + step; ts <= end; ts += step) {
    if (ts !== anchorTs) samples.push({ gymId, ts, level: nsi * Math.exp(-(ts - tEnd) / MINUTE_MS / constants.acuteTauMin) });
  }
  return samples;
}
