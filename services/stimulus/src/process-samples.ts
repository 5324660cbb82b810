import { setTimeout as sleep } from 'node:timers/promises';
import type { RepRecord, SamplesJob } from '@neurolift/contracts';
import { PipelineError } from '@neurolift/platform';
import type { SegmentedRep, SegmenterParams } from '@neurolift/stimulus';
import { finishInbox, freshState, segmentInboxBlock, sourceOf, type BlockSource, type InboxBlock, type InboxDisposition, type TaggedState } from './inbox-segmenter.js';
import type { SegmentOwner, SegmenterSnapshot, SegmenterStore } from './ports.js';

export interface SamplesDeps {
  readonly store: SegmenterStore;
  /** Writes rep points (the rep job's code), durably before it resolves. */
  readonly writeReps: (reps: readonly RepRecord[]) => Promise<unknown>;
  /** Segmenter parameters; the same for every block of a set (defaults unless a test overrides them). */
  readonly params?: Partial<SegmenterParams>;
  /** Blocks older than `ms` (by `now`) are a late upload: see paramsForInbox. Absent: every set is live. */
  readonly liveWindow?: { readonly ms: number; readonly now: () => number };
}

/**
 * Waiting for a gap longer than needed for samples far beyond any set: only maxPendingBlocks (64) then bounds
 * what is buffered, and the set's end gives the remaining gaps up.
 */
const UNTIL_SET_END = Number.MAX_SAFE_INTEGER;

/**
 * The parameters for segmenting these inbox blocks. Live, the segmenter gives a gap up after 2 s of later
 * samples, so reps reach dashboards and in-set alerts while the set runs. A late upload (a gateway that was
 * offline, protocol v1.1) comes all at once in any order, and nobody waits for its reps: when the newest
 * block is older than the live window, no gap is given up before the set's end, so its reps are those of
 * in-order delivery, as the protocol requires, however the upload was split over jobs. Pure.
 */
export function paramsForInbox(
  inbox: readonly InboxBlock[],
  params: Partial<SegmenterParams> | undefined,
  liveWindow: SamplesDeps['liveWindow'],
): Partial<SegmenterParams> | undefined {
  if (liveWindow === undefined || liveWindow.ms <= 0 || inbox.length === 0) return params;
  const newest = Math.max(...inbox.map((block) => block.t0));
  return liveWindow.now() - newest > liveWindow.ms ? { ...params, maxWaitSamples: UNTIL_SET_END } : params;
}

/** A block and what the segmenter did with it. */
export interface BlockOutcome {
  readonly block: InboxBlock;
  readonly disposition: InboxDisposition;
}

/**
 * Rounds when another worker committed the same set meanwhile; each waits a little longer. Then
 * BullMQ retries the job. A winner takes every block in the inbox, so losers usually find it empty.
 */
const MAX_ROUNDS = 20;
const ROUND_DELAY_MS = 5;

/** A segmented rep as the rest of the pipeline sees a rep: a RepRecord with `source` the kind of blocks it came from. */
export function segmentedRepRecord(rep: SegmentedRep, owner: SegmentOwner, stationId: string, setId: string, source: BlockSource = 'samples'): RepRecord {
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
    source,
  };
}

interface Step {
  readonly state: TaggedState;
  readonly owner: SegmentOwner;
  readonly reps: readonly SegmentedRep[];
  readonly outcomes: readonly BlockOutcome[];
}

/**
 * One optimistic step on a set's segmentation: load, compute, commit if nobody committed in between
 * (compare-and-set on the version), else go again with the newer state. null: nothing to do.
 */
async function commitStep(
  store: SegmenterStore,
  stationId: string,
  setId: string,
  compute: (snapshot: SegmenterSnapshot) => Step | null,
): Promise<Step | null> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const snapshot = await store.load(stationId, setId);
    const step = compute(snapshot);
    if (!step) return null;
    const reps = step.reps.map((rep) => segmentedRepRecord(rep, step.owner, stationId, setId, step.state.source));
    const consumed = step.outcomes.map(({ block }) => block.t0);
    if (await store.commit({ stationId, setId, owner: step.owner, expectedVersion: snapshot.version, state: step.state, reps, consumed })) return step;
    await sleep(Math.min(50, round * ROUND_DELAY_MS));
  }
  throw new PipelineError('NL_ERR_SEGMENTER_BUSY', `segmentation of set ${setId} kept changing during ${MAX_ROUNDS} rounds`, true);
}

/**
 * Segments every block waiting in the inbox, oldest first. A set is segmented from one kind of block, the
 * kind of its first segmented block; a block of the other kind is left out (`source_mismatch`).
 */
function segmentInbox(snapshot: SegmenterSnapshot, gymId: string, params: Partial<SegmenterParams> | undefined): Step | null {
  const first = snapshot.inbox[0];
  if (!first) return null;
  let state = snapshot.state ?? freshState(sourceOf(first));
  const reps: SegmentedRep[] = [];
  const outcomes: BlockOutcome[] = [];
  for (const block of snapshot.inbox) {
    const result = segmentInboxBlock(state, block, params);
    state = result.state;
    reps.push(...result.reps);
    outcomes.push({ block, disposition: result.disposition });
  }
  return { state, reps, outcomes, owner: snapshot.owner ?? { gymId, athleteId: first.athleteId, exercise: first.exercise } };
}

/** Writes the rep points of reps committed but not yet written (also those of an earlier, failed attempt). */
async function flushOutbox(stationId: string, setId: string, deps: SamplesDeps): Promise<void> {
  const reps = await deps.store.unwritten(stationId, setId);
  if (reps.length === 0) return;
  await deps.writeReps(reps);
  await deps.store.markWritten(stationId, setId, reps.map((rep) => rep.repIndex));
}

/**
 * A `samples` or `imu` block has arrived (the job is its trigger): every block of the set waiting in its inbox is
 * segmented in time order against the set's state in Redis, so blocks of one set taken by several
 * workers at once are still segmented in order. The reps they complete are stored with the set (as
 * device reps are) and their points written. Blocks may also arrive out of order or twice: the
 * segmenter buffers early blocks and knows consumed ones.
 */
export async function processSamples(job: SamplesJob, deps: SamplesDeps): Promise<{ outcomes: BlockOutcome[]; reps: number }> {
  const outcomes: BlockOutcome[] = [];
  let reps = 0;
  for (;;) {
    const step = await commitStep(deps.store, job.stationId, job.setId, (snapshot) => segmentInbox(snapshot, job.gymId, paramsForInbox(snapshot.inbox, deps.params, deps.liveWindow)));
    if (!step) break;
    outcomes.push(...step.outcomes);
    reps += step.reps.length;
  }
  await flushOutbox(job.stationId, job.setId, deps);
  return { outcomes, reps };
}

/**
 * At set close: the reps the filter still holds back are completed and stored with the set, and
 * their points written. A set without samples, or already finished (a re-close), is left alone.
 * Returns how many reps this added.
 */
export async function finishSetSegmentation(stationId: string, setId: string, deps: SamplesDeps): Promise<number> {
  const step = await commitStep(deps.store, stationId, setId, (snapshot) => {
    if (!snapshot.state || !snapshot.owner || snapshot.state.state.finished) return null;
    const result = finishInbox(snapshot.state, deps.params);
    return { state: result.state, reps: result.reps, outcomes: [], owner: snapshot.owner };
  });
  await flushOutbox(stationId, setId, deps);
  return step?.reps.length ?? 0;
}
