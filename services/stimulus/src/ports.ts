import type { RepRecord } from '@neurolift/contracts';
import type { SegmenterState } from '@neurolift/stimulus';

/** Where points go: InfluxDB line protocol, written durably before the promise resolves. */
export interface PointSink {
  write(lines: readonly string[]): Promise<void>;
}

/** Reps stored with their set by ingest. */
export interface SetStore {
  /** All reps of a set. */
  setReps(stationId: string, setId: string): Promise<RepRecord[]>;
  /** Reps 1–3 of each set (what velocity loss is measured against), keyed `station:set`. */
  firstReps(sets: ReadonlyArray<{ stationId: string; setId: string }>): Promise<Map<string, RepRecord[]>>;
}

export interface WorkerDeadLetter {
  readonly topic: string;
  readonly reason: string;
  readonly detail: string;
  readonly payload: string;
}

export interface DeadLetterSink {
  add(letter: WorkerDeadLetter): Promise<void>;
}

/** Who a segmented set belongs to (from its sample blocks), so its tail reps can be built at close. */
export interface SegmentOwner {
  readonly gymId: string;
  readonly athleteId: string;
  readonly exercise: string;
}

export interface SegmenterSnapshot {
  /** null: no block of the set segmented yet. */
  readonly state: SegmenterState | null;
  /** Bumped by every commit; a commit expecting another version is refused. */
  readonly version: number;
  readonly owner: SegmentOwner | null;
}

export interface SegmentCommit {
  readonly stationId: string;
  readonly setId: string;
  readonly owner: SegmentOwner;
  readonly expectedVersion: number;
  readonly state: SegmenterState;
  /** Reps completed by this step: stored with the set and, if `enqueueReps`, written as rep points by a rep job. */
  readonly reps: readonly RepRecord[];
  readonly enqueueReps: boolean;
  /** The block this step consumed: removed from the set's pending blocks. */
  readonly blockT0?: number;
}

/** Per-set segmenter state in Redis, between sample blocks (any worker may take the next block). */
export interface SegmenterStore {
  load(stationId: string, setId: string): Promise<SegmenterSnapshot>;
  /** Atomically: state (if still at `expectedVersion`), reps, rep job, pending block. false: the state changed meanwhile. */
  commit(commit: SegmentCommit): Promise<boolean>;
  /** Sample blocks of the set queued by ingest and not yet segmented. */
  pendingBlocks(stationId: string, setId: string): Promise<number>;
}
