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
 */
import { StreamEngine } from './engine.js';
import { filterKernels, type FilterKernels } from './kernels.js';
import { segmenterCutoffHz, segmenterWaitSamples, resolveSegmenterParams, type SegmenterParams } from './params.js';
import { createSegmenterState, type BlockResult, type PendingBlock, type SegmentResult, type SegmenterState } from './segmenter-state.js';
import { freshStream, type SetTally, type StreamState } from './stream-state.js';
import type { BlockDisposition, SamplesBlock, SegmentedRep } from './types.js';

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

/** Mutable working copy of a state for the length of one call. */
class Session {
  hz: number | null;
  finished: boolean;
  pending: PendingBlock[];
  stream: StreamEngine | null;
  readonly tally: SetTally;
  samples: number;
  duplicateBlocks: number;
  lateBlocks: number;
  rejectedBlocks: number;
  gaps: number;
  readonly reps: SegmentedRep[] = [];
  private kernels: FilterKernels | undefined;
  private group = 1;

  constructor(state: SegmenterState, private readonly params: SegmenterParams) {
    if (state.v !== 1) throw new Error(`unknown segmenter state version ${String(state.v)}`);
    this.hz = state.hz;
    this.finished = state.finished;
    this.pending = [...state.pending];
    this.tally = { count: state.repCount, roms: [...state.roms], dropped: state.counters.droppedReps };
    this.samples = state.counters.samples;
    this.duplicateBlocks = state.counters.duplicateBlocks;
    this.lateBlocks = state.counters.lateBlocks;
    this.rejectedBlocks = state.counters.rejectedBlocks;
    this.gaps = state.counters.gaps;
    this.stream = state.stream === null || state.hz === null ? null : this.engine(state.hz, state.stream);
  }

  private engine(hz: number, stream: StreamState | null, origin = 0): StreamEngine {
    if (this.kernels === undefined) {
      this.group = averagingGroup(hz, this.params);
      this.kernels = filterKernels(hz / this.group, segmenterCutoffHz(this.params, hz), this.params.filterLengthFactor);
    }
    return new StreamEngine(this.params, hz, this.kernels, this.group, stream ?? freshStream(origin, this.kernels.half), this.tally);
  }

  /** Where a block falls relative to the open stream. */
  private classify(block: PendingBlock): { kind: 'next'; index: number } | { kind: 'early' | 'duplicate' | 'late' } {
    const stream = this.stream;
    if (stream === null) return { kind: 'early' };
    const consumed = stream.consumed;
    const where = stream.locate(block.t0);
    // Contiguous whenever its t0 can be that of the next sample (t0 is rounded to the ms on the wire).
    if (where.min <= consumed && consumed <= where.max) return { kind: 'next', index: consumed };
    const index = where.best;
    if (index > consumed) return { kind: 'early' };
    if (index + block.position.length <= consumed) return { kind: index < 0 ? 'late' : 'duplicate' };
    return { kind: 'next', index }; // overlaps the end of the stream: its new tail is taken
  }

  private consume(block: PendingBlock, index: number): void {
    const stream = this.stream;
    if (stream === null) return;
    const before = stream.consumed;
    stream.noteClock(block.t0, index);
    stream.consume(block.position, block.force, before - index, block.loadKg);
    this.samples += stream.consumed - before;
    this.collect(stream);
  }

  private collect(stream: StreamEngine): void {
    if (stream.reps.length > 0) this.reps.push(...stream.reps.splice(0));
  }

  /** Segments buffered blocks that have become contiguous. */
  private drain(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      const where = this.classify(head);
      if (where.kind === 'early') return;
      this.pending.shift();
      if (where.kind === 'next') this.consume(head, where.index);
      else if (where.kind === 'duplicate') this.duplicateBlocks++;
      else this.lateBlocks++;
    }
  }

  /** Closes the open stream (if any) and starts a new one at the earliest buffered block. */
  private advance(): void {
    if (this.stream !== null) {
      // As at the end of a set: a bar at rest before the gap completes a rep that ended there.
      this.stream.settleAtRest(this.params.stationaryMs, this.params.resumeMarginM);
      this.stream.close();
      this.collect(this.stream);
      this.gaps++;
    }
    const head = this.pending[0];
    if (head === undefined || this.hz === null) {
      this.stream = null;
      return;
    }
    this.stream = this.engine(this.hz, null, head.t0);
    this.drain();
  }

  private pendingSamples(): number {
    let total = 0;
    for (const block of this.pending) total += block.position.length;
    return total;
  }

  /** Gives up waiting while the buffer is over its limits. */
  private enforceLimits(): void {
    if (this.hz === null) return;
    const wait = segmenterWaitSamples(this.params, this.hz);
    while (this.pending.length > 0 && (this.pendingSamples() >= wait || this.pending.length > this.params.maxPendingBlocks)) this.advance();
  }

  add(block: SamplesBlock): BlockDisposition {
    if (this.finished) return 'after_finish';
    if (!isValidBlock(block)) {
      this.rejectedBlocks++;
      return 'invalid';
    }
    if (this.hz === null) this.hz = block.hz;
    else if (block.hz !== this.hz) {
      this.rejectedBlocks++;
      return 'rate_mismatch';
    }
    const entry: PendingBlock = {
      t0: block.t0,
      hz: block.hz,
      loadKg: block.loadKg,
      position: block.position,
      ...(block.force === undefined ? {} : { force: block.force }),
    };
    const where = this.classify(entry);
    if (where.kind === 'next') {
      this.consume(entry, where.index);
      this.drain();
      this.enforceLimits();
      return 'consumed';
    }
    if (where.kind === 'duplicate') {
      this.duplicateBlocks++;
      return 'duplicate';
    }
    if (where.kind === 'late') {
      this.lateBlocks++;
      return 'late';
    }
    // Early, or no stream yet: buffer it in t0 order unless the same block (same t0) is already there.
    let at = 0;
    while (at < this.pending.length && this.pending[at]!.t0 < entry.t0) at++;
    if (this.pending[at]?.t0 === entry.t0) {
      this.duplicateBlocks++;
      return 'duplicate';
    }
    this.pending.splice(at, 0, entry);
    this.enforceLimits();
    return this.pending.includes(entry) ? 'buffered' : 'consumed';
  }

  finish(): void {
    if (this.finished) return;
    while (this.pending.length > 0) this.advance();
    if (this.stream !== null) {
      // The bar at rest after the last lockout stands in for the look-ahead the filter lacks.
      this.stream.settleAtRest(this.params.stationaryMs, this.params.resumeMarginM);
      this.stream.close();
      this.collect(this.stream);
      this.stream = null;
    }
    this.finished = true;
  }

  toState(): SegmenterState {
    return {
      v: 1,
      hz: this.hz,
      finished: this.finished,
      repCount: this.tally.count,
      roms: this.tally.roms,
      pending: this.pending,
      stream: this.stream === null ? null : this.stream.toState(),
      counters: {
        samples: this.samples,
        duplicateBlocks: this.duplicateBlocks,
        lateBlocks: this.lateBlocks,
        rejectedBlocks: this.rejectedBlocks,
        gaps: this.gaps,
        droppedReps: this.tally.dropped,
      },
    };
  }
}

/**
 * Feeds one block of the set. Pure: `state` is not modified; the returned state replaces it. The
 * parameters must be the same for every call of a set.
 */
export function segmentBlock(state: SegmenterState, block: SamplesBlock, params?: Partial<SegmenterParams>): BlockResult {
  const session = new Session(state, resolveSegmenterParams(params));
  const disposition = session.add(block);
  return { state: session.toState(), reps: session.reps, disposition };
}

/**
 * The set is closed: segments what is buffered (giving up remaining gaps) and closes the stream. A
 * concentric that has ended (its velocity reached zero) is reported; one still rising when the samples
 * end is not. The returned state is final: later blocks are ignored ('after_finish').
 */
export function finishSegmenter(state: SegmenterState, params?: Partial<SegmenterParams>): SegmentResult {
  const session = new Session(state, resolveSegmenterParams(params));
  session.finish();
  return { state: session.toState(), reps: session.reps };
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
