import { MEASUREMENTS } from '@neurolift/contracts';
import type { AerobicPoint, AthleteUpdate, SessionPoint } from '@neurolift/stimulus';
import { bool, float, int, line, str } from '@neurolift/storage';
import { setLine } from '../points.js';

/**
 * The points an athlete update produces: the `set` points of every affected set (with model fields),
 * the session NSI after each of them, the exposure of each affected training day, and the acute curve.
 * `model` is the model identifier written next to every value (MODEL_VERSION, or with overrides).
 *
 * The session, exposure and acute series are the athlete's, wherever the sets were done (decision 0018):
 * they are tagged by `athlete` only, so a day with sets at two gyms is one exposure point, one session
 * series and one acute curve. The session point says where its set was in a string field `gym`; the
 * exposure point (a day's load, summed over every place) and the acute curve name no gym. The `set`
 * points keep their `gym` tag.
 */
export function athleteLines(athleteId: string, update: AthleteUpdate & { readonly aerobic?: readonly AerobicPoint[] }, model: string): string[] {
  const lines: string[] = [];
  for (const { set, model: setModel } of update.sets) {
    const owner = { gymId: set.gymId, stationId: set.stationId, athleteId, exercise: set.exercise, setId: set.setId };
    lines.push(setLine(owner, setModel, model, set.pointTs ?? setModel.lastTs));
  }
  const tags = { athlete: athleteId };
  const models = new Map(update.sets.map((entry) => [entry.set.key, entry.model]));
  const session = (sessionId: string, point: SessionPoint, gymId: string | undefined, ts: number, defaultBodyMass?: boolean) =>
    line(
      MEASUREMENTS.stimulus,
      tags,
      {
        session_id: str(`${athleteId}-${sessionId}`),
        gym: gymId === undefined ? undefined : str(gymId),
        nsi: float(point.nsi),
        dose: float(point.dose),
        work_dose: float(point.workDose),
        lactate_peak: float(point.lactatePeak),
        // A/A₅₀, 0 without counted heart rate: always written, so a rewrite never leaves a stale one.
        aerobic_dose: float(point.aerobicDose ?? 0),
        sets: int(point.sets),
        default_body_mass: defaultBodyMass === undefined ? undefined : bool(defaultBodyMass),
        model: str(model),
      },
      ts,
    );
  // Where a set's point stays (see AthleteSet.pointTs): a late rep updates it, it adds none.
  for (const { set, sessionId, point } of update.stimulus) lines.push(session(sessionId, point, set.gymId, set.pointTs ?? point.ts, models.get(set.key)?.defaultBodyMass ?? false));
  // A minute of counted heart rate (model nsi-1.1): the session after it, at the minute's end.
  for (const { minute, sessionId, point, gymId } of update.aerobic ?? []) lines.push(session(sessionId, point, gymId, minute.ts));
  for (const day of update.exposure) {
    lines.push(
      line(
        MEASUREMENTS.exposure,
        tags,
        { daily_load: float(day.dailyLoad), a7: float(day.a7), c28: float(day.c28), ratio: day.ratio === undefined ? undefined : float(day.ratio), model: str(model) },
        day.ts,
      ),
    );
  }
  for (const sample of update.acute) {
    lines.push(line(MEASUREMENTS.acute, tags, { level: float(sample.level) }, sample.ts));
  }
  return lines;
}
