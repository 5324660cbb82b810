/* The segmenter's state between blocks (plain JSON) and the results of a call (see segmenter.ts). */
import { freshSequencerState, type SequencerState } from './block-sequencer.js';
import type { StreamState } from './stream-state.js';
import type { BlockDisposition, SegmentedRep } from './types.js';

/** A buffered block (only the fields the segmenter uses). */
export interface PendingBlock {
  readonly t0: number;
  readonly hz: number;
  readonly loadKg: number;
  readonly position: readonly number[];
  readonly force?: readonly number[];
}

export interface SegmenterCounters {
  readonly samples: number;
  readonly duplicateBlocks: number;
  readonly lateBlocks: number;
  readonly rejectedBlocks: number;
  /** Gaps given up on (a stream closed and restarted after missing samples). */
  readonly gaps: number;
  /** Reps outside the protocol's ranges (or beyond rep 1000), not reported. */
  readonly droppedReps: number;
}

/** The segmenter's whole state between blocks: plain JSON (the sequencer's, with samples streams). */
export type SegmenterState = SequencerState<PendingBlock, StreamState>;

export interface SegmentResult {
  readonly state: SegmenterState;
  /** Reps completed by this call, in repIndex order. */
  readonly reps: SegmentedRep[];
}

export interface BlockResult extends SegmentResult {
  readonly disposition: BlockDisposition;
}

export function createSegmenterState(): SegmenterState {
  return freshSequencerState();
}
