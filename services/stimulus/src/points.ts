import { MEASUREMENTS, type RepRecord } from '@neurolift/contracts';
import type { SetMetrics } from '@neurolift/stimulus';
import { float, int, line, optionalFloat, str } from './line-protocol.js';

/** The identity of a rep or set point: measurement + these tags + time. A re-write overwrites it. */
function tags(rep: Pick<RepRecord, 'gymId' | 'stationId' | 'athleteId' | 'exercise'>): Record<string, string> {
  return { gym: rep.gymId, station: rep.stationId, athlete: rep.athleteId, exercise: rep.exercise };
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
      source: str(rep.source),
    },
    rep.ts,
  );
}

/** `set` point: time = the last rep's ts; tags from the last rep. */
export function setLine(lastRep: RepRecord, metrics: SetMetrics): string {
  return line(
    MEASUREMENTS.set,
    tags(lastRep),
    {
      set_id: str(lastRep.setId),
      reps: int(metrics.reps),
      load_kg: float(metrics.loadKg),
      volume_kg: float(metrics.volumeKg),
      mean_velocity: float(metrics.meanVelocity),
      best_velocity: float(metrics.bestVelocity),
      velocity_loss_pct: float(metrics.velocityLossPct),
      tut_ms: float(metrics.tutMs),
    },
    metrics.lastTs,
  );
}
