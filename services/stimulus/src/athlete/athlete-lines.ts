import { MEASUREMENTS } from '@neurolift/contracts';
import type { AthleteUpdate } from '@neurolift/stimulus';
import { bool, float, int, line, str } from '@neurolift/storage';
import { setLine } from '../points.js';

/**
 * The points an athlete update produces: the `set` points of every affected set (with model fields),
 * the session NSI after each of them, the exposure of each affected training day, and the acute curve.
 * `model` is the model identifier written next to every value (MODEL_VERSION, or with overrides).
 */
export function athleteLines(athleteId: string, update: AthleteUpdate, model: string): string[] {
  const lines: string[] = [];
  for (const { set, model: setModel } of update.sets) {
    const owner = { gymId: set.gymId, stationId: set.stationId, athleteId, exercise: set.exercise, setId: set.setId };
    lines.push(setLine(owner, setModel, model, set.pointTs ?? setModel.lastTs));
  }
  const models = new Map(update.sets.map((entry) => [entry.set.key, entry.model]));
  for (const { set, sessionId, point } of update.stimulus) {
    lines.push(
      line(
        MEASUREMENTS.stimulus,
        { gym: set.gymId, athlete: athleteId },
        {
          session_id: str(`${athleteId}-${sessionId}`),
          nsi: float(point.nsi),
          dose: float(point.dose),
          work_dose: float(point.workDose),
          lactate_peak: float(point.lactatePeak),
          sets: int(point.sets),
          default_body_mass: bool(models.get(set.key)?.defaultBodyMass ?? false),
          model: str(model),
        },
        // Where this set's point stays (see AthleteSet.pointTs): a late rep updates it, it adds none.
        set.pointTs ?? point.ts,
      ),
    );
  }
  for (const day of update.exposure) {
    lines.push(
      line(
        MEASUREMENTS.exposure,
        { gym: day.gymId, athlete: athleteId },
        { daily_load: float(day.dailyLoad), a7: float(day.a7), c28: float(day.c28), ratio: day.ratio === undefined ? undefined : float(day.ratio), model: str(model) },
        day.ts,
      ),
    );
  }
  for (const sample of update.acute) {
    lines.push(line(MEASUREMENTS.acute, { gym: sample.gymId, athlete: athleteId }, { level: float(sample.level) }, sample.ts));
  }
  return lines;
}
