import type { RepRecord, SamplesJob } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import {
  createSegmenterState,
  finishSegmenter,
  segmentBlock,
  type BlockDisposition,
  type SegmentedRep,
  type SegmenterParams,
  type SegmentResult,
} from '@neurolift/stimulus';
import type { SegmentOwner, SegmenterSnapshot, SegmenterStore } from './ports.js';

export interface SamplesDeps {
  readonly store: SegmenterStore;
  /** Segmenter parameters; the same for every block of a set (defaults unless a test overrides them). */
  readonly params?: Partial<SegmenterParams>;
}

/** Rounds when another worker changed the set's state meanwhile; then BullMQ retries the job. */
const MAX_ROUNDS = 5;

/** A segmented rep as the rest of the pipeline sees a rep: a RepRecord with `source: 'samples'`. */
export function segmentedRepRecord(rep: SegmentedRep, owner: SegmentOwner, stationId: string, setId: string): RepRecord {
  return {
    gymId: owner.gymId,
    stationId,
    athleteId: owner.athleteId,
    setId,
    exercise: owner.exercise,
    repIndex: rep.repIndex,
    ts: rep.ts,
    loadKg: rep.loadKg,
    meanVelocity: rep.meanVelocity,
    peakVelocity: rep.peakVelocity,
    rom: rep.rom,
    concentricMs: rep.concentricMs,
    ...(rep.eccentricMs === undefined ? {} : { eccentricMs: rep.eccentricMs }),
    meanPropulsiveVelocity: rep.meanPropulsiveVelocity,
    meanForce: rep.meanForce,
    meanPower: rep.meanPower,
    forceSource: rep.forceSource,
    partial: rep.partial,
    source: 'samples',
  };
}

/**
 * One optimistic step on a set's segmenter state: load, compute, commit if nobody committed in
 * between (compare-and-set on the version), else go again with the newer state.
 */
async function step<R extends SegmentResult>(
  store: SegmenterStore,
  stationId: string,
  setId: string,
  compute: (snapshot: SegmenterSnapshot) => { result: R; owner: SegmentOwner } | null,
  commit: { enqueueReps: boolean; blockT0?: number },
): Promise<R | null> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const snapshot = await store.load(stationId, setId);
    const computed = compute(snapshot);
    if (!computed) return null;
    const { result, owner } = computed;
    const reps = result.reps.map((rep) => segmentedRepRecord(rep, owner, stationId, setId));
    const ok = await store.commit({ stationId, setId, owner, expectedVersion: snapshot.version, state: result.state, reps, ...commit });
    if (ok) return result;
  }
  throw new PipelineError('NL_ERR_SEGMENTER_BUSY', `segmenter state of set ${setId} kept changing during ${MAX_ROUNDS} rounds`, true);
}

/**
 * A sample block: segmented against the set's state in Redis; the reps it completes are stored with
 * the set (as device reps would be) and written as rep points by a rep job. Blocks may come in any
 * order and more than once (the segmenter buffers early blocks and recognises consumed ones).
 */
export async function processSamples(job: SamplesJob, deps: SamplesDeps): Promise<{ disposition: BlockDisposition; reps: number }> {
  const { gymId, stationId, block } = job;
  const owner: SegmentOwner = { gymId, athleteId: block.athleteId, exercise: block.exercise };
  const result = await step(
    deps.store,
    stationId,
    block.setId,
    (snapshot) => ({ result: segmentBlock(snapshot.state ?? createSegmenterState(), block, deps.params), owner }),
    { enqueueReps: true, blockT0: block.t0 },
  );
  // step returns null only when compute does, which it never does here.
  if (!result) throw new Error('unreachable: a block always yields a result');
  return { disposition: result.disposition, reps: result.reps.length };
}

/**
 * At set close: the reps still held back by the filter's look-ahead are completed and stored with the
 * set (the set job then writes every rep point itself). A set without samples, or already finished
 * (a re-close), is left alone. Returns how many reps this added.
 */
export async function finishSetSegmentation(stationId: string, setId: string, deps: SamplesDeps): Promise<number> {
  const result = await step(
    deps.store,
    stationId,
    setId,
    (snapshot) =>
      snapshot.state && snapshot.owner && !snapshot.state.finished
        ? { result: finishSegmenter(snapshot.state, deps.params), owner: snapshot.owner }
        : null,
    { enqueueReps: false },
  );
  return result?.reps.length ?? 0;
}
