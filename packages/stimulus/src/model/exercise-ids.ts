/**
 * Exercise ids of the NSI model's catalogue (model spec "Exercise catalogue") and how any exercise id maps
 * onto them. Part of the constants table: see `constants.ts`.
 */

/** Exercise ids with their own catalogue row. Any other id is modelled as `other`. */
export const EXERCISE_IDS = [
  'back_squat',
  'front_squat',
  'deadlift',
  'leg_press',
  'bench_press',
  'overhead_press',
  'row',
  'pull_up',
  'lat_pulldown',
  'other',
] as const;
export type ExerciseId = (typeof EXERCISE_IDS)[number];

const EXERCISE_ID_SET: ReadonlySet<string> = new Set(EXERCISE_IDS);

/** True when the id has its own catalogue row (`other` included). */
export function isExerciseId(id: string): id is ExerciseId {
  return EXERCISE_ID_SET.has(id);
}

/** The catalogue id an exercise id is modelled as: itself when catalogued, else `other`. */
export function resolveExerciseId(id: string): ExerciseId {
  return isExerciseId(id) ? id : 'other';
}
