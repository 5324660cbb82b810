import type { RepBatchJob, RepRecord } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
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
  /** Keeps a set's reps the TSDB refused for good (4xx): a dead letter of the set's tenant, with the TSDB's answer. */
  readonly refused: (reps: readonly RepRecord[], tenant: string, error: PipelineError) => Promise<void>;
}

export interface RepBatchResult {
  readonly points: number;
  /** Reps whose athlete belongs to another tenant than their gym: not written (their set's job dead-letters them). */
  readonly notAllowed: number;
  /** Reps of sets the TSDB refused, handed to `refused`. */
  readonly refused: number;
}

/** One set's reps in a batch, whose they are, and their lines. */
interface SetPart {
  readonly reps: RepRecord[];
  readonly tenant: string;
  readonly bucket: string;
  readonly lines: readonly string[];
}

const isRejection = (error: unknown): error is PipelineError => error instanceof PipelineError && error.code === 'NL_ERR_TSDB_REJECTED';

/**
 * One write per bucket. A 4xx refuses the whole request (a field type conflict in one station's points), so
 * a refused bucket is written again set by set: the refusal then costs only the refused sets' reps, not their
 * neighbours' in the batch (which set jobs do not write again when their reps came in order). Anything
 * retryable is thrown before any set is reported refused, so a retried job refuses each set once.
 */
async function writeBucket(bucket: string, parts: readonly SetPart[], sink: PointSink): Promise<Array<{ part: SetPart; error: PipelineError }>> {
  try {
    await sink.write(parts.flatMap((part) => part.lines), bucket);
    return [];
  } catch (error) {
    if (!isRejection(error)) throw error;
    if (parts.length === 1) return [{ part: parts[0] as SetPart, error }];
  }
  const refused: Array<{ part: SetPart; error: PipelineError }> = [];
  for (const part of parts) {
    try {
      await sink.write(part.lines, bucket);
    } catch (error) {
      if (!isRejection(error)) throw error;
      refused.push({ part, error });
    }
  }
  return refused;
}

/**
 * Writes the rep points of one ingest micro-batch, each into its gym's tenant's bucket (a batch may span
 * gyms). Velocity loss needs the set's first reps, which ingest stored in Redis before it enqueued this
 * job; if some are still missing (reps arriving out of order) the value is provisional, and the set job
 * rewrites every rep point of the set when it closes.
 */
export async function processRepBatch(job: RepBatchJob, deps: RepBatchDeps): Promise<RepBatchResult> {
  const bySet = new Map<string, Omit<SetPart, 'lines'>>();
  for (const rep of job.reps) {
    const { tenant, admitted } = await deps.tenancy.admits(rep.athleteId, rep.gymId);
    if (!admitted) continue;
    const set = bySet.get(setKey(rep));
    if (set) set.reps.push(rep);
    else bySet.set(setKey(rep), { reps: [rep], tenant, bucket: deps.tenancy.bucketOf(tenant) });
  }
  const notAllowed = job.reps.length - [...bySet.values()].reduce((sum, set) => sum + set.reps.length, 0);
  if (bySet.size === 0) return { points: 0, notAllowed, refused: 0 };
  const firstOfEach = [...bySet.values()].map((set) => set.reps[0] as RepRecord);
  // The in-set alert rules first: a coach hears of a grinding rep even while the TSDB is slow or down.
  await deps.checks?.repsStored(firstOfEach);
  const first = await deps.sets.firstReps(firstOfEach);
  const byBucket = new Map<string, SetPart[]>();
  for (const [key, set] of bySet) {
    const known = new Map<number, RepRecord>();
    for (const rep of first.get(key) ?? []) known.set(rep.repIndex, rep);
    for (const rep of set.reps) known.set(rep.repIndex, rep);
    const losses = velocityLosses([...known.values()]);
    const lines = set.reps.map((rep) => {
      const loss = losses.get(rep.repIndex);
      return repLine(rep, loss === undefined ? undefined : loss * 100);
    });
    byBucket.set(set.bucket, [...(byBucket.get(set.bucket) ?? []), { ...set, lines }]);
  }
  const refused: Array<{ part: SetPart; error: PipelineError }> = [];
  for (const [bucket, parts] of byBucket) refused.push(...(await writeBucket(bucket, parts, deps.sink)));
  for (const { part, error } of refused) await deps.refused(part.reps, part.tenant, error);
  const refusedReps = refused.reduce((sum, { part }) => sum + part.reps.length, 0);
  const points = [...bySet.values()].reduce((sum, set) => sum + set.reps.length, 0) - refusedReps;
  return { points, notAllowed, refused: refusedReps };
}
