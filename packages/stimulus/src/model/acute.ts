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
