import type { ImuMessage, SamplesMessage } from '@neurolift/contracts';
import {
  createImuSegmenterState,
  createSegmenterState,
  finishImuSegmenter,
  finishSegmenter,
  segmentBlock,
  segmentImuBlock,
  type BlockDisposition,
  type ImuSegmenterState,
  type SegmentedRep,
  type SegmenterParams,
  type SegmenterState,
} from '@neurolift/stimulus';

/** A block waiting in a set's inbox: raw `samples` (position) or `imu` (inertial, v1.1). */
export type InboxBlock = SamplesMessage | ImuMessage;
export type BlockSource = 'samples' | 'imu';

/** What happened to a block; `source_mismatch`: an imu block in a set segmented from samples, or the reverse. */
export type InboxDisposition = BlockDisposition | 'source_mismatch';

/** A set's segmentation state, tagged with the kind of blocks it is made from. */
export type TaggedState = { readonly source: 'samples'; readonly state: SegmenterState } | { readonly source: 'imu'; readonly state: ImuSegmenterState };

export function sourceOf(block: InboxBlock): BlockSource {
  return 'accel' in block ? 'imu' : 'samples';
}

export function freshState(source: BlockSource): TaggedState {
  return source === 'imu' ? { source, state: createImuSegmenterState() } : { source, state: createSegmenterState() };
}

export interface StepResult {
  readonly state: TaggedState;
  readonly reps: readonly SegmentedRep[];
  readonly disposition: InboxDisposition;
}

/** Feeds one block to the set's segmenter of its kind; a block of the other kind is left out. Pure. */
export function segmentInboxBlock(tagged: TaggedState, block: InboxBlock, params: Partial<SegmenterParams> | undefined): StepResult {
  if (sourceOf(block) !== tagged.source) return { state: tagged, reps: [], disposition: 'source_mismatch' };
  if (tagged.source === 'imu') {
    const result = segmentImuBlock(tagged.state, block as ImuMessage, params);
    return { state: { source: 'imu', state: result.state }, reps: result.reps, disposition: result.disposition };
  }
  const result = segmentBlock(tagged.state, block as SamplesMessage, params);
  return { state: { source: 'samples', state: result.state }, reps: result.reps, disposition: result.disposition };
}

/** The set closed: the reps its segmenter still holds back. Pure. */
export function finishInbox(tagged: TaggedState, params: Partial<SegmenterParams> | undefined): { state: TaggedState; reps: readonly SegmentedRep[] } {
  if (tagged.source === 'imu') {
    const result = finishImuSegmenter(tagged.state, params);
    return { state: { source: 'imu', state: result.state }, reps: result.reps };
  }
  const result = finishSegmenter(tagged.state, params);
  return { state: { source: 'samples', state: result.state }, reps: result.reps };
}

export function isFinished(tagged: TaggedState): boolean {
  return tagged.state.finished;
}
