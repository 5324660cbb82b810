/*
 * One contiguous stretch of `imu` samples (see block-sequencer.ts for how blocks get here):
 *
 *   raw samples ─► "up" and the specific force along it (orientation.ts), at the raw rate
 *               ─► vertical acceleration averaged in groups of M = ⌈hz / internal rate⌉
 *               ─► zero-velocity updates, drift removed, position (zupt-integrator.ts)
 *               ─► the samples segmenter's engine (filter, phases, reps), at hz / M, group 1
 *
 * Everything a later block needs is in ImuStreamState (JSON-safe), and every sample goes through the
 * same arithmetic in the same order however the samples were split into blocks.
 */
import type { SampleRange, SequencedStream } from '../segmentation/block-sequencer.js';
import { StreamEngine } from '../segmentation/engine.js';
import type { FilterKernels } from '../segmentation/kernels.js';
import { locateSample, narrowClock } from '../segmentation/stream-clock.js';
import { freshStream, type SetTally, type StreamState } from '../segmentation/stream-state.js';
import type { SegmentedRep } from '../segmentation/types.js';
import type { ImuSegmenterParams } from './imu-params.js';
import { freshUp, UpTracker, type UpState } from './orientation.js';
import type { Axes } from './types.js';
import { freshZupt, ZuptIntegrator, type ZuptState } from './zupt-integrator.js';

/** A buffered block (only the fields the segmenter uses). */
export interface PendingImuBlock {
  readonly t0: number;
  readonly hz: number;
  readonly loadKg: number;
  readonly accel: Axes;
  readonly gyro?: Axes;
}

export interface ImuStreamState {
  /** t0 of the stream's first block, epoch ms; raw sample j is at origin + j·1000/hz (+ the clock offset). */
  readonly origin: number;
  readonly consumed: number;
  readonly clockLo: number;
  readonly clockHi: number;
  /**
   * The averaging group being filled: raw samples in it, Σ vertical acceleration, largest angular
   * rate, and Σ "up" and Σ specific force along it (for the accelerometer-bias fit, if the group is still).
   */
  readonly groupCount: number;
  readonly groupS: number;
  readonly groupRate: number;
  readonly groupUp: readonly [number, number, number, number];
  readonly up: UpState;
  readonly zupt: ZuptState;
  /** Internal samples produced; internal samples handed to the engine. */
  readonly produced: number;
  readonly emitted: number;
  /** Load steps [first internal sample, kg] from the one in force at `emitted` on. */
  readonly loads: ReadonlyArray<readonly [number, number]>;
  readonly engine: StreamState;
}

/** The configuration shared by every stream of a set (computed once per call). */
export interface ImuStreamConfig {
  readonly params: ImuSegmenterParams;
  readonly hz: number;
  readonly group: number;
  readonly kernels: FilterKernels;
}

export function freshImuStream(config: ImuStreamConfig, origin: number): ImuStreamState {
  const { hz, group, kernels } = config;
  return {
    origin, consumed: 0, clockLo: -0.5, clockHi: 0.5,
    groupCount: 0, groupS: 0, groupRate: 0, groupUp: [0, 0, 0, 0],
    up: freshUp(), zupt: freshZupt(),
    produced: 0, emitted: 0, loads: [],
    // Internal sample k is the mean of raw samples kM … kM + M − 1: centred (M − 1)/2 periods later.
    engine: freshStream(origin + ((group - 1) / 2) * (1000 / hz), kernels.half),
  };
}

export class ImuStream implements SequencedStream<PendingImuBlock, ImuStreamState> {
  private readonly origin: number;
  private readonly period: number;
  consumed: number;
  private clockLo: number;
  private clockHi: number;
  private groupCount: number;
  private groupS: number;
  private groupRate: number;
  private readonly groupUp: number[];
  private produced: number;
  private emitted: number;
  private loads: Array<[number, number]>;
  private readonly up: UpTracker;
  private readonly zupt: ZuptIntegrator;
  private readonly engine: StreamEngine;
  /** Raw samples per chunk of the accelerometer-bias fit (one still moment's minimum). */
  private readonly stillChunk: number;

  constructor(
    private readonly config: ImuStreamConfig,
    state: ImuStreamState,
    tally: SetTally,
  ) {
    const { params, hz, group, kernels } = config;
    this.origin = state.origin;
    this.period = 1000 / hz;
    this.consumed = state.consumed;
    this.clockLo = state.clockLo;
    this.clockHi = state.clockHi;
    this.groupCount = state.groupCount;
    this.groupS = state.groupS;
    this.groupRate = state.groupRate;
    this.groupUp = state.groupUp.slice();
    this.produced = state.produced;
    this.emitted = state.emitted;
    this.loads = state.loads.map(([index, kg]) => [index, kg]);
    this.up = new UpTracker(state.up, 1 / hz, params);
    const dtInternal = group / hz;
    this.zupt = new ZuptIntegrator(state.zupt, dtInternal, params);
    this.stillChunk = Math.max(2, Math.round((params.stillMs / 1000) * hz));
    this.engine = new StreamEngine(params, hz / group, kernels, 1, state.engine, tally);
  }

  locate(t0: number): SampleRange {
    return locateSample(this.origin, this.period, this.clockLo, this.clockHi, t0);
  }

  noteClock(t0: number, index: number): void {
    [this.clockLo, this.clockHi] = narrowClock(this.origin, this.period, this.clockLo, this.clockHi, t0, index);
  }

  consume(block: PendingImuBlock, from: number): void {
    const count = block.accel.x.length - from;
    if (count <= 0) return;
    const lastLoad = this.loads[this.loads.length - 1];
    if (lastLoad === undefined || lastLoad[1] !== block.loadKg) {
      if (lastLoad !== undefined && lastLoad[0] === this.produced) lastLoad[1] = block.loadKg;
      else this.loads.push([this.produced, block.loadKg]);
    }
    const { x: axs, y: ays, z: azs } = block.accel;
    const gyro = block.gyro;
    const hasGyro = gyro !== undefined;
    const gxs = gyro?.x ?? axs;
    const gys = gyro?.y ?? axs;
    const gzs = gyro?.z ?? axs;
    const M = this.config.group;
    const { stillAccelMps2, stillGyroRadS } = this.config.params;
    const up = this.up;
    const zupt = this.zupt;
    const out: number[] = [];
    let sumS = this.groupS;
    let maxRate = this.groupRate;
    let n = this.groupCount;
    let [sx, sy, sz, sf] = this.groupUp as [number, number, number, number];
    if (this.consumed === 0) up.start(axs[from]!, ays[from]!, azs[from]!);
    for (let j = from; j < axs.length; j++) {
      const wasStill = zupt.isStill;
      sumS += up.step(axs[j]!, ays[j]!, azs[j]!, gxs[j]!, gys[j]!, gzs[j]!, hasGyro, wasStill);
      if (up.rate > maxRate) maxRate = up.rate;
      if (wasStill) {
        sx += up.ux;
        sy += up.uy;
        sz += up.uz;
        sf += up.s;
      }
      if (++n === M) {
        const a = sumS / M;
        const quiet = Math.abs(a) < stillAccelMps2 && maxRate < stillGyroRadS;
        // A whole still group (not the one where the bar starts to move) joins the accelerometer-bias fit.
        if (wasStill && quiet) up.addStill(sx, sy, sz, sf, M, this.stillChunk);
        else if (!quiet) up.dropPending();
        zupt.push(a, quiet, up.fitted, out);
        this.produced++;
        sumS = 0;
        maxRate = 0;
        n = 0;
        sx = sy = sz = sf = 0;
      }
    }
    this.groupUp[0] = sx;
    this.groupUp[1] = sy;
    this.groupUp[2] = sz;
    this.groupUp[3] = sf;
    this.groupS = sumS;
    this.groupRate = maxRate;
    this.groupCount = n;
    this.consumed += count;
    this.emit(out);
  }

  /** Hands positions (internal samples emitted, emitted + 1, …) to the engine, split at load steps. */
  private emit(positions: readonly number[]): void {
    let at = 0;
    while (at < positions.length) {
      const index = this.emitted;
      while (this.loads.length > 1 && this.loads[1]![0] <= index) this.loads.shift();
      const next = this.loads[1]?.[0] ?? Infinity;
      const take = Math.min(positions.length - at, next - index);
      const kg = this.loads[0]?.[1] ?? 0;
      this.engine.consume(at === 0 && take === positions.length ? positions : positions.slice(at, at + take), undefined, 0, kg);
      this.emitted += take;
      at += take;
    }
  }

  end(): void {
    const out: number[] = [];
    this.zupt.end(out);
    this.emit(out);
    const params = this.config.params;
    this.engine.settleAtRest(params.stationaryMs, params.resumeMarginM);
    this.engine.close();
  }

  takeReps(): SegmentedRep[] {
    return this.engine.reps.splice(0);
  }

  toState(): ImuStreamState {
    return {
      origin: this.origin,
      consumed: this.consumed,
      clockLo: this.clockLo,
      clockHi: this.clockHi,
      groupCount: this.groupCount,
      groupS: this.groupS,
      groupRate: this.groupRate,
      groupUp: [this.groupUp[0]!, this.groupUp[1]!, this.groupUp[2]!, this.groupUp[3]!],
      up: this.up.toState(),
      zupt: this.zupt.toState(),
      produced: this.produced,
      emitted: this.emitted,
      loads: this.loads.map(([index, kg]) => [index, kg] as const),
      engine: this.engine.toState(),
    };
  }
}
