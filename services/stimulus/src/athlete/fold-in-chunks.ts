import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { activityTs, foldSets, type AcuteSample, type AerobicPoint, type FoldInput, type FoldResult, type FoldedActivity, type ModelledSet, type StimulusPoint } from '@neurolift/stimulus';

/** Activities folded between two turns of the event loop: a late set with weeks of later sets never blocks it long. */
export const FOLD_CHUNK = 32;

/**
 * foldSets in chunks, giving the event loop a turn between them (rep jobs and in-set checks share it): the
 * same result as one call, since each chunk continues from the last checkpoint of the one before.
 */
export async function foldInChunks(input: FoldInput, chunk = FOLD_CHUNK): Promise<FoldResult> {
  if (input.sets.length <= chunk) return foldSets(input);
  const emitIndex = input.emitFrom === undefined ? 0 : Math.max(0, input.sets.findIndex((activity) => activity.key === input.emitFrom));
  const folded: FoldedActivity[] = [];
  const aerobic: AerobicPoint[] = [];
  const sets: ModelledSet[] = [];
  const stimulus: StimulusPoint[] = [];
  const acute: AcuteSample[] = [];
  const dailyLoads = new Map<number, number>();
  const exposure = new Map<number, FoldResult['update']['exposure'][number]>();
  let start = input.start;
  for (let at = 0; at < input.sets.length; at += chunk) {
    if (at > 0) await yieldToLoop();
    const part = input.sets.slice(at, at + chunk);
    const after = input.sets[at + chunk];
    const result = foldSets({
      ...input,
      start,
      sets: part,
      emitBefore: at + part.length <= emitIndex,
      nextLastTs: after === undefined ? input.nextLastTs : activityTs(after),
    });
    folded.push(...result.folded);
    sets.push(...result.update.sets);
    stimulus.push(...result.update.stimulus);
    aerobic.push(...(result.update.aerobic ?? []));
    acute.push(...result.update.acute);
    for (const [day, load] of result.update.dailyLoads) dailyLoads.set(day, load);
    for (const point of result.update.exposure) exposure.set(point.day, point);
    start = (result.folded[result.folded.length - 1] as FoldedActivity).checkpoint;
  }
  const update = { sets, stimulus, dailyLoads, exposure: [...exposure.values()].sort((a, b) => a.day - b.day), acute };
  return { folded, update: aerobic.length > 0 ? { ...update, aerobic } : update };
}
