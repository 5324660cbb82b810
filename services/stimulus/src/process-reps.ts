import type { RepBatchJob, RepRecord } from '@neurolift/contracts';
import { velocityLosses } from '@neurolift/stimulus';
import { repLine } from './points.js';
import type { AlertChecks, PointSink, SetStore } from './ports.js';
import type { JobTenancy } from './tenancy/job-tenancy.js';

const setKey = (rep: Pick<RepRecord, 'stationId' | 'setId'>) => `${rep.stationId}:${rep.setId}`;

export interface RepBatchDeps {
  readonly sets: SetStore;
  readonly sink: PointSink;
  readonly tenancy: JobTenancy;
  readonly checks?: AlertChecks;
}

export interface RepBatchResult {
  readonly points: number;
  /** Reps whose athlete belongs to another tenant than their gym: not written (their set's job dead-letters them). */
  readonly notAllowed: number;
}

/**
 * Writes the rep points of one ingest micro-batch, each into its gym's tenant's bucket (a batch may span
 * gyms). Velocity loss needs the set's first reps, which ingest stored in Redis before it enqueued this
 * job; if some are still missing (reps arriving out of order) the value is provisional, and the set job
 * rewrites every rep point of the set when it closes.
 */
export async function processRepBatch(job: RepBatchJob, deps: RepBatchDeps): Promise<RepBatchResult> {
  const bySet = new Map<string, { reps: RepRecord[]; bucket: string }>();
  for (const rep of job.reps) {
    const { tenant, admitted } = await deps.tenancy.admits(rep.athleteId, rep.gymId);
    if (!admitted) continue;
    const set = bySet.get(setKey(rep));
    if (set) set.reps.push(rep);
    else bySet.set(setKey(rep), { reps: [rep], bucket: deps.tenancy.bucketOf(tenant) });
  }
  const notAllowed = job.reps.length - [...bySet.values()].reduce((sum, set) => sum + set.reps.length, 0);
  if (bySet.size === 0) return { points: 0, notAllowed };
  const firstOfEach = [...bySet.values()].map((set) => set.reps[0] as RepRecord);
  // The in-set alert rules first: a coach hears of a grinding rep even while the TSDB is slow or down.
  await deps.checks?.repsStored(firstOfEach);
  const first = await deps.sets.firstReps(firstOfEach);
  const byBucket = new Map<string, string[]>();
  for (const [key, { reps, bucket }] of bySet) {
    const known = new Map<number, RepRecord>();
    for (const rep of first.get(key) ?? []) known.set(rep.repIndex, rep);
    for (const rep of reps) known.set(rep.repIndex, rep);
    const losses = velocityLosses([...known.values()]);
    const lines = byBucket.get(bucket) ?? [];
    for (const rep of reps) {
      const loss = losses.get(rep.repIndex);
      lines.push(repLine(rep, loss === undefined ? undefined : loss * 100));
    }
    byBucket.set(bucket, lines);
  }
  let points = 0;
  for (const [bucket, lines] of byBucket) {
    await deps.sink.write(lines, bucket);
    points += lines.length;
  }
  return { points, notAllowed };
}
