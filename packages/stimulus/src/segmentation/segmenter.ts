/*
 * Streaming rep segmentation of one set's `samples` blocks (issue 4). Pure: every call takes a state
 * and returns a new one (plain JSON: the worker keeps it in Redis between blocks, keyed by set).
 *
 *   let state = createSegmenterState();
 *   for each block of the set (any order, duplicates allowed):
 *     ({ state, reps } = segmentBlock(state, block));     // reps completed by this block
 *   ({ state, reps } = finishSegmenter(state));            // at set close: the rest
 *
 * Block order. The stream consumes samples strictly in time order. A block that starts where the
 * consumed samples end is segmented at once (and then any buffered blocks that have become
 * contiguous); an early block is buffered in the state; a block that is already consumed, or has the
 * t0 of a buffered one, is a duplicate. A missing stretch is waited for until maxWaitSamples later
 * samples have arrived (or more than maxPendingBlocks blocks are buffered, or the set is finished):
 * then the stream is closed at the gap (a rep whose concentric has ended is kept, one still rising is
 * dropped, nothing is joined across the gap) and a new stream starts after it. The first stream of a
 * set likewise starts only when maxWaitSamples samples are at hand, so a set's first blocks may also
 * arrive out of order. Hence: the reps equal those of in-order delivery whenever every block arrives
 * before maxWaitSamples samples later than it have arrived. A block arriving after its gap was given up
 * is 'late' and ignored (its samples cannot be put back into reps already reported).
 *
 * Placing a block: raw sample j of a stream was taken at origin + j·1000/hz (+ the clock's phase,
 * narrowed block by block, as t0 is rounded to the ms on the wire); a block is the next one when its
 * t0 can be that of the next unconsumed sample. A block overlapping consumed samples (re-chunked on a
 * resend) contributes its new tail only. All blocks of a set must share its rate ('rate_mismatch').
 * The ordering itself is block-sequencer.ts, shared with the `imu` segmenter.
 */
import { StreamEngine } from './engine.js';
import { filterKernels, type FilterKernels } from './kernels.js';
import { segmenterCutoffHz, segmenterWaitSamples, resolveSegmenterParams, type SegmenterParams } from './params.js';
import { BlockSequencer, type SampleRange, type SequencedStream, type StreamKind } from './block-sequencer.js';
import { createSegmenterState, type BlockResult, type PendingBlock, type SegmentResult, type SegmenterState } from './segmenter-state.js';
import { freshStream, type StreamState } from './stream-state.js';
import type { SamplesBlock, SegmentedRep } from './types.js';

export * from './segmenter-state.js';

/** Averaging group size M for a raw rate. */
export function averagingGroup(hz: number, params: SegmenterParams): number {
  return Math.max(1, Math.ceil(hz / params.internalRateHz - 1e-9));
}

/** Look-ahead of the filter at this rate, in raw samples (reps are found at least this late). */
export function lookAheadSamples(hz: number, overrides?: Partial<SegmenterParams>): number {
  const params = resolveSegmenterParams(overrides);
  const group = averagingGroup(hz, params);
  return filterKernels(hz / group, segmenterCutoffHz(params, hz), params.filterLengthFactor).half * group;
}

function isValidBlock(block: SamplesBlock): boolean {
  if (!Number.isFinite(block.t0) || !Number.isFinite(block.hz) || block.hz <= 0 || !Number.isFinite(block.loadKg)) return false;
  const n = block.position.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(block.position[i])) return false;
  if (block.force !== undefined) {
    if (block.force.length !== n) return false;
    for (let i = 0; i < n; i++) if (!Number.isFinite(block.force[i])) return false;
  }
  return true;
}

/** A samples stream: the filter and phase engine behind the shared block sequencer. */
class SamplesStream implements SequencedStream<PendingBlock, StreamState> {
  constructor(
    private readonly engine: StreamEngine,
    private readonly params: SegmenterParams,
  ) {}

  get consumed(): number {
    return this.engine.consumed;
  }

  locate(t0: number): SampleRange {
    return this.engine.locate(t0);
  }

  noteClock(t0: number, index: number): void {
    this.engine.noteClock(t0, index);
  }

  consume(block: PendingBlock, from: number): void {
    this.engine.consume(block.position, block.force, from, block.loadKg);
  }

  end(): void {
    // A bar at rest when the samples stop (a gap, or the set's end) completes a rep that ended there.
    this.engine.settleAtRest(this.params.stationaryMs, this.params.resumeMarginM);
    this.engine.close();
  }

  takeReps(): SegmentedRep[] {
    return this.engine.reps.splice(0);
  }

  toState(): StreamState {
    return this.engine.toState();
  }
}

/** How `samples` blocks are streamed (kernels computed once per call). */
function samplesKind(params: SegmenterParams): StreamKind<PendingBlock, StreamState> {
  let kernels: FilterKernels | undefined;
  let group = 1;
  return {
    samplesOf: (block) => block.position.length,
    open: (hz, stream, origin, tally) => {
      if (kernels === undefined) {
        group = averagingGroup(hz, params);
        kernels = filterKernels(hz / group, segmenterCutoffHz(params, hz), params.filterLengthFactor);
      }
      return new SamplesStream(new StreamEngine(params, hz, kernels, group, stream ?? freshStream(origin, kernels.half), tally), params);
    },
    waitSamples: (hz) => segmenterWaitSamples(params, hz),
    maxPendingBlocks: params.maxPendingBlocks,
  };
}

function pendingEntry(block: SamplesBlock): PendingBlock | null {
  if (!isValidBlock(block)) return null;
  return {
    t0: block.t0,
    hz: block.hz,
    loadKg: block.loadKg,
    position: block.position,
    ...(block.force === undefined ? {} : { force: block.force }),
  };
}

/**
 * Feeds one block of the set. Pure: `state` is not modified; the returned state replaces it. The
 * parameters must be the same for every call of a set.
 */
export function segmentBlock(state: SegmenterState, block: SamplesBlock, params?: Partial<SegmenterParams>): BlockResult {
  const sequencer = new BlockSequencer(state, samplesKind(resolveSegmenterParams(params)));
  const disposition = sequencer.add(pendingEntry(block));
  return { state: sequencer.toState(), reps: sequencer.reps, disposition };
}

/**
 * The set is closed: segments what is buffered (giving up remaining gaps) and closes the stream. A
 * concentric that has ended (its velocity reached zero) is reported; one still rising when the samples
 * end is not. The returned state is final: later blocks are ignored ('after_finish').
 */
export function finishSegmenter(state: SegmenterState, params?: Partial<SegmenterParams>): SegmentResult {
  const sequencer = new BlockSequencer(state, samplesKind(resolveSegmenterParams(params)));
  sequencer.finish();
  return { state: sequencer.toState(), reps: sequencer.reps };
}

/** Convenience: all reps of a set's blocks (in the given arrival order), finished. */
export function segmentBlocks(blocks: Iterable<SamplesBlock>, params?: Partial<SegmenterParams>): SegmentedRep[] {
  let state = createSegmenterState();
  const reps: SegmentedRep[] = [];
  for (const block of blocks) {
    const result = segmentBlock(state, block, params);
    state = result.state;
    reps.push(...result.reps);
  }
  const end = finishSegmenter(state, params);
  reps.push(...end.reps);
  return reps;
}
