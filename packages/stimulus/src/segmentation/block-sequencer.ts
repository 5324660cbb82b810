/*
 * Block ordering shared by every streaming segmenter (`samples` and `imu`): which block is next,
 * buffering early ones, duplicates, late blocks, waiting for and giving up gaps, closing the stream at
 * a gap or at the set's end. What a block's samples turn into is the stream's business (a
 * SequencedStream); this file only decides when and from which sample each block is consumed, so the
 * guarantees of segmenter.ts (the reps of in-order delivery whenever every block arrives within the
 * wait limit) hold for any kind of block.
 */
import type { SegmenterCounters } from './segmenter-state.js';
import type { SetTally } from './stream-state.js';
import type { BlockDisposition, SegmentedRep } from './types.js';

/** The fields the sequencer reads from a buffered block. */
export interface SequencedBlock {
  readonly t0: number;
  readonly hz: number;
}

/** The range of raw sample indices whose (rounded) time can be t0, and the most likely one. */
export interface SampleRange {
  readonly min: number;
  readonly max: number;
  readonly best: number;
}

/** One contiguous stretch of samples, consumed strictly in time order. */
export interface SequencedStream<P, S> {
  /** Raw samples consumed. */
  readonly consumed: number;
  locate(t0: number): SampleRange;
  /** A block starting at raw sample `index` had this t0 (narrows the stream's clock). */
  noteClock(t0: number, index: number): void;
  /** Consumes the block's samples from `from` on (those before it are consumed already). */
  consume(block: P, from: number): void;
  /** The samples stop here (a gap given up, or the set's end): report what has ended, drop the rest. */
  end(): void;
  /** Reps completed since the last call, in order. */
  takeReps(): SegmentedRep[];
  toState(): S;
}

/** How one kind of block is streamed. */
export interface StreamKind<P extends SequencedBlock, S> {
  /** Raw samples in a block. */
  samplesOf(block: P): number;
  /** A stream at `hz`: restored from `state`, or new (state null) starting at `origin` (epoch ms). */
  open(hz: number, state: S | null, origin: number, tally: SetTally): SequencedStream<P, S>;
  /** Samples to wait for a gap (and before starting) at `hz`. */
  waitSamples(hz: number): number;
  /** At most this many early blocks are kept; one more gives up the oldest gap. */
  readonly maxPendingBlocks: number;
}

/** The sequencer's state between calls: plain JSON when P and S are. */
export interface SequencerState<P, S> {
  readonly v: 1;
  /** The set's sample rate (from its first block); null before. */
  readonly hz: number | null;
  /** The segmenter was finished: later blocks are ignored. */
  readonly finished: boolean;
  /** Reps reported so far and their ROMs (for repIndex and the median-ROM rule). */
  readonly repCount: number;
  readonly roms: readonly number[];
  /** Early blocks, ordered by t0. */
  readonly pending: readonly P[];
  /** The contiguous stretch being segmented; null before the first block is consumed and after finish. */
  readonly stream: S | null;
  readonly counters: SegmenterCounters;
}

/** A set's state before its first block, whatever its streams are made of. */
export function freshSequencerState<P, S>(): SequencerState<P, S> {
  return {
    v: 1,
    hz: null,
    finished: false,
    repCount: 0,
    roms: [],
    pending: [],
    stream: null,
    counters: { samples: 0, duplicateBlocks: 0, lateBlocks: 0, rejectedBlocks: 0, gaps: 0, droppedReps: 0 },
  };
}

/** Mutable working copy of a state for the length of one call. */
export class BlockSequencer<P extends SequencedBlock, S> {
  private hz: number | null;
  private finished: boolean;
  private pending: P[];
  private stream: SequencedStream<P, S> | null;
  private readonly tally: SetTally;
  private samples: number;
  private duplicateBlocks: number;
  private lateBlocks: number;
  private rejectedBlocks: number;
  private gaps: number;
  readonly reps: SegmentedRep[] = [];

  constructor(state: SequencerState<P, S>, private readonly kind: StreamKind<P, S>) {
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
    this.stream = state.stream === null || state.hz === null ? null : kind.open(state.hz, state.stream, 0, this.tally);
  }

  /** Where a block falls relative to the open stream. */
  private classify(block: P): { kind: 'next'; index: number } | { kind: 'early' | 'duplicate' | 'late' } {
    const stream = this.stream;
    if (stream === null) return { kind: 'early' };
    const consumed = stream.consumed;
    const where = stream.locate(block.t0);
    // Contiguous whenever its t0 can be that of the next sample (t0 is rounded to the ms on the wire).
    if (where.min <= consumed && consumed <= where.max) return { kind: 'next', index: consumed };
    const index = where.best;
    if (index > consumed) return { kind: 'early' };
    if (index + this.kind.samplesOf(block) <= consumed) return { kind: index < 0 ? 'late' : 'duplicate' };
    return { kind: 'next', index }; // overlaps the end of the stream: its new tail is taken
  }

  private consume(block: P, index: number): void {
    const stream = this.stream;
    if (stream === null) return;
    const before = stream.consumed;
    stream.noteClock(block.t0, index);
    stream.consume(block, before - index);
    this.samples += stream.consumed - before;
    this.collect(stream);
  }

  private collect(stream: SequencedStream<P, S>): void {
    const reps = stream.takeReps();
    if (reps.length > 0) this.reps.push(...reps);
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
      this.stream.end();
      this.collect(this.stream);
      this.gaps++;
    }
    const head = this.pending[0];
    if (head === undefined || this.hz === null) {
      this.stream = null;
      return;
    }
    this.stream = this.kind.open(this.hz, null, head.t0, this.tally);
    this.drain();
  }

  private pendingSamples(): number {
    let total = 0;
    for (const block of this.pending) total += this.kind.samplesOf(block);
    return total;
  }

  /** Gives up waiting while the buffer is over its limits. */
  private enforceLimits(): void {
    if (this.hz === null) return;
    const wait = this.kind.waitSamples(this.hz);
    while (this.pending.length > 0 && (this.pendingSamples() >= wait || this.pending.length > this.kind.maxPendingBlocks)) this.advance();
  }

  /** Feeds one block; `entry` null: the block is invalid. */
  add(entry: P | null): BlockDisposition {
    if (this.finished) return 'after_finish';
    if (entry === null) {
      this.rejectedBlocks++;
      return 'invalid';
    }
    if (this.hz === null) this.hz = entry.hz;
    else if (entry.hz !== this.hz) {
      this.rejectedBlocks++;
      return 'rate_mismatch';
    }
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
      this.stream.end();
      this.collect(this.stream);
      this.stream = null;
    }
    this.finished = true;
  }

  toState(): SequencerState<P, S> {
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
