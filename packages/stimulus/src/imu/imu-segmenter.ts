/*
 * Streaming rep segmentation of one set's `imu` blocks (device protocol v1.1). Pure, like the samples
 * segmenter, and used the same way by the worker:
 *
 *   let state = createImuSegmenterState();
 *   for each block of the set (any order, duplicates allowed):
 *     ({ state, reps } = segmentImuBlock(state, block));   // reps completed by this block
 *   ({ state, reps } = finishImuSegmenter(state));          // at set close: the rest
 *
 * Block ordering, waiting, gaps, duplicates and late blocks are the samples segmenter's
 * (block-sequencer.ts), so the same guarantee holds: the reps of in-order delivery whenever every block
 * arrives before maxWaitSamples later samples have. What a stream does with its samples is imu-stream.ts.
 */
import { BlockSequencer, freshSequencerState, type SequencerState, type StreamKind } from '../segmentation/block-sequencer.js';
import { filterKernels, type FilterKernels } from '../segmentation/kernels.js';
import { segmenterCutoffHz, segmenterWaitSamples } from '../segmentation/params.js';
import type { BlockDisposition, SegmentedRep } from '../segmentation/types.js';
import { resolveImuParams, type ImuSegmenterParams } from './imu-params.js';
import { freshImuStream, ImuStream, type ImuStreamConfig, type ImuStreamState, type PendingImuBlock } from './imu-stream.js';
import type { Axes, ImuBlock } from './types.js';

/** The imu segmenter's whole state between blocks: plain JSON. */
export type ImuSegmenterState = SequencerState<PendingImuBlock, ImuStreamState>;

export interface ImuSegmentResult {
  readonly state: ImuSegmenterState;
  /** Reps completed by this call, in repIndex order. */
  readonly reps: SegmentedRep[];
}

export interface ImuBlockResult extends ImuSegmentResult {
  readonly disposition: BlockDisposition;
}

export function createImuSegmenterState(): ImuSegmenterState {
  return freshSequencerState();
}

/** Internal (filter and phase) rate: raw samples averaged in groups of this many. */
export function imuAveragingGroup(hz: number, params: ImuSegmenterParams): number {
  return Math.max(1, Math.ceil(hz / params.internalRateHz - 1e-9));
}

function finiteAxes(axes: Axes, n: number): boolean {
  if (axes.x.length !== n || axes.y.length !== n || axes.z.length !== n) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(axes.x[i]) || !Number.isFinite(axes.y[i]) || !Number.isFinite(axes.z[i])) return false;
  return true;
}

function pendingEntry(block: ImuBlock): PendingImuBlock | null {
  if (!Number.isFinite(block.t0) || !Number.isFinite(block.hz) || block.hz <= 0 || !Number.isFinite(block.loadKg)) return null;
  const n = block.accel.x.length;
  if (n === 0 || !finiteAxes(block.accel, n)) return null;
  if (block.gyro !== undefined && !finiteAxes(block.gyro, n)) return null;
  return { t0: block.t0, hz: block.hz, loadKg: block.loadKg, accel: block.accel, ...(block.gyro === undefined ? {} : { gyro: block.gyro }) };
}

/** How `imu` blocks are streamed (kernels computed once per call). */
function imuKind(params: ImuSegmenterParams): StreamKind<PendingImuBlock, ImuStreamState> {
  let config: ImuStreamConfig | undefined;
  const configFor = (hz: number): ImuStreamConfig => {
    if (config === undefined) {
      const group = imuAveragingGroup(hz, params);
      const kernels: FilterKernels = filterKernels(hz / group, segmenterCutoffHz(params, hz), params.filterLengthFactor);
      config = { params, hz, group, kernels };
    }
    return config;
  };
  return {
    samplesOf: (block) => block.accel.x.length,
    open: (hz, stream, origin, tally) => {
      const c = configFor(hz);
      return new ImuStream(c, stream ?? freshImuStream(c, origin), tally);
    },
    waitSamples: (hz) => segmenterWaitSamples(params, hz),
    maxPendingBlocks: params.maxPendingBlocks,
  };
}

/**
 * Feeds one block of the set. Pure: `state` is not modified; the returned state replaces it. The
 * parameters must be the same for every call of a set.
 */
export function segmentImuBlock(state: ImuSegmenterState, block: ImuBlock, params?: Partial<ImuSegmenterParams>): ImuBlockResult {
  const sequencer = new BlockSequencer(state, imuKind(resolveImuParams(params)));
  const disposition = sequencer.add(pendingEntry(block));
  return { state: sequencer.toState(), reps: sequencer.reps, disposition };
}

/** The set is closed: segments what is buffered (giving up remaining gaps) and closes the stream. The returned state is final. */
export function finishImuSegmenter(state: ImuSegmenterState, params?: Partial<ImuSegmenterParams>): ImuSegmentResult {
  const sequencer = new BlockSequencer(state, imuKind(resolveImuParams(params)));
  sequencer.finish();
  return { state: sequencer.toState(), reps: sequencer.reps };
}

/** Convenience: all reps of a set's blocks (in the given arrival order), finished. */
export function segmentImuBlocks(blocks: Iterable<ImuBlock>, params?: Partial<ImuSegmenterParams>): SegmentedRep[] {
  let state = createImuSegmenterState();
  const reps: SegmentedRep[] = [];
  for (const block of blocks) {
    const result = segmentImuBlock(state, block, params);
    state = result.state;
    reps.push(...result.reps);
  }
  reps.push(...finishImuSegmenter(state, params).reps);
  return reps;
}
