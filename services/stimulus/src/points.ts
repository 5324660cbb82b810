import { MEASUREMENTS, type RepRecord } from '@neurolift/contracts';
import type { SetModel } from '@neurolift/stimulus';
import { bool, float, int, line, optionalFloat, str } from '@neurolift/storage';

/** Who a point belongs to: its tags, plus the set id field. */
export interface PointOwner {
  readonly gymId: string;
  readonly stationId: string;
  readonly athleteId: string;
  readonly exercise: string;
  readonly setId: string;
}

/** The identity of a rep or set point: measurement + these tags + time. A re-write overwrites it. */
function tags(owner: Omit<PointOwner, 'setId'>): Record<string, string> {
  return { gym: owner.gymId, station: owner.stationId, athlete: owner.athleteId, exercise: owner.exercise };
}

/** `rep` point: time = the rep's ts. `velocityLossPct` is left out when unknown. */
export function repLine(rep: RepRecord, velocityLossPct: number | undefined): string {
  return line(
    MEASUREMENTS.rep,
    tags(rep),
    {
      set_id: str(rep.setId),
      rep_index: int(rep.repIndex),
      load_kg: float(rep.loadKg),
      mean_velocity: float(rep.meanVelocity),
      peak_velocity: optionalFloat(rep.peakVelocity),
      rom: optionalFloat(rep.rom),
      concentric_ms: optionalFloat(rep.concentricMs),
      eccentric_ms: optionalFloat(rep.eccentricMs),
      velocity_loss_pct: optionalFloat(velocityLossPct),
      mean_propulsive_velocity: optionalFloat(rep.meanPropulsiveVelocity),
      mean_force: optionalFloat(rep.meanForce),
      mean_power: optionalFloat(rep.meanPower),
      partial: rep.partial === undefined ? undefined : bool(rep.partial),
      force_source: rep.forceSource === undefined ? undefined : str(rep.forceSource),
      source: str(rep.source),
    },
    rep.ts,
  );
}

/** `set` point: plain set metrics and the model's terms; time = `ts`, by default the last rep's ts. */
export function setLine(owner: PointOwner, set: SetModel, model: string, ts: number = set.lastTs): string {
  return line(
    MEASUREMENTS.set,
    tags(owner),
    {
      set_id: str(owner.setId),
      reps: int(set.reps),
      load_kg: float(set.loadKg),
      volume_kg: float(set.volumeKg),
      mean_velocity: float(set.meanVelocity),
      best_velocity: float(set.bestVelocity),
      velocity_loss_pct: float(set.velocityLoss * 100),
      tut_ms: float(set.tutMs),
      e1rm_kg: float(set.e1rmKg),
      e1rm_source: str(set.e1rmSource),
      rel_intensity: float(set.relIntensity),
      rir_last: float(set.rirLast),
      impulse: float(set.impulse),
      lactate_increment: float(set.lactateIncrement),
      model: str(model),
    },
    ts,
  );
}

/** Heart rate of a set (model v1.1), from whichever of the athlete's `hr` stations covered it. */
export interface SetHeartRate {
  readonly peak?: number | undefined;
  readonly recovery60s?: number | undefined;
}

/**
 * The heart-rate fields of a `set` point alone (same tags and time as its setLine): written when the heart
 * rate arrives, before or after the set closed; the point's other fields stay as they are. A TSDB cannot
 * drop one field of a point, so `hr_recovery_ok` says whether `hr_recovery_60s` applies: false once a set
 * stored later starts within the recovery window, or while no heart rate covers the window.
 */
export function setHeartRateLine(owner: PointOwner, ts: number, hr: SetHeartRate): string | undefined {
  if (hr.peak === undefined) return undefined;
  const fields = { set_id: str(owner.setId), hr_peak: float(hr.peak), hr_recovery_60s: optionalFloat(hr.recovery60s), hr_recovery_ok: bool(hr.recovery60s !== undefined) };
  return line(MEASUREMENTS.set, tags(owner), fields, ts);
}
