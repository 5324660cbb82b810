import type { RepBatchJob, RepRecord } from '@neurolift/contracts';
import { velocityLosses } from '@neurolift/stimulus';
import { repLine } from './points.js';
import type { AlertChecks, PointSink, SetStore } from './ports.js';

const setKey = (rep: Pick<RepRecord, 'stationId' | 'setId'>) => `${rep.stationId}:${rep.setId}`;

/**
 * Writes the rep points of one ingest micro-batch. Velocity loss needs the set's first reps, which
 * ingest stored in Redis before it enqueued this job; if some are still missing (reps arriving out of
 * order) the value is provisional, and the set job rewrites every rep point of the set when it closes.
 */
export async function processRepBatch(job: RepBatchJob, deps: { sets: SetStore; sink: PointSink; checks?: AlertChecks }): Promise<number> {
  const bySet = new Map<string, RepRecord[]>();
  for (const rep of job.reps) {
    const list = bySet.get(setKey(rep));
    if (list) list.push(rep);
    else bySet.set(setKey(rep), [rep]);
  }
  // The in-set alert rules first: a coach hears of a grinding rep even while the TSDB is slow or down.
  await deps.checks?.repsStored([...bySet.values()].map((reps) => reps[0] as RepRecord));
  const first = await deps.sets.firstReps([...bySet.values()].map((reps) => reps[0] as RepRecord));
  const lines: string[] = [];
  for (const [key, reps] of bySet) {
    const known = new Map<number, RepRecord>();
    for (const rep of first.get(key) ?? []) known.set(rep.repIndex, rep);
    for (const rep of reps) known.set(rep.repIndex, rep);
    const losses = velocityLosses([...known.values()]);
    for (const rep of reps) {
      const loss = losses.get(rep.repIndex);
      lines.push(repLine(rep, loss === undefined ? undefined : loss * 100));
    }
  }
  await deps.sink.write(lines);
  return lines.length;
}
