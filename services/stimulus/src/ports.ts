import type { RepRecord } from '@neurolift/contracts';
import type { InboxBlock, TaggedState } from './inbox-segmenter.js';

export type { PointSink } from '@neurolift/storage';

/** A set as the alert checks name it. */
export interface SetRef {
  readonly gymId: string;
  readonly stationId: string;
  readonly setId: string;
  readonly athleteId: string;
}

/** Tells the alerts service what happened (the alert-checks queue); it evaluates the rules itself. */
export interface AlertChecks {
  /** Reps of these sets were stored: in-set rules. */
  repsStored(sets: readonly SetRef[]): Promise<void>;
  /** The set closed and its athlete's state holds it: post-set rules. */
  setClosed(set: SetRef): Promise<void>;
}

/** Reps stored with their set by ingest. */
export interface SetStore {
  /**
   * All reps of a closed set, and whether they came 1, 2, 3 … each after the one before (ingest's mark):
   * then the rep points written as they came hold their final velocity loss.
   */
  closedSet(stationId: string, setId: string): Promise<{ reps: RepRecord[]; repsInOrder: boolean }>;
  /** Reps 1–3 of each set (what velocity loss is measured against), keyed `station:set`. */
  firstReps(sets: ReadonlyArray<{ stationId: string; setId: string }>): Promise<Map<string, RepRecord[]>>;
}


/** Who a segmented set belongs to (from its sample blocks), so its tail reps can be built at close. */
export interface SegmentOwner {
  readonly gymId: string;
  readonly athleteId: string;
  readonly exercise: string;
}

/** What the set's reps are segmented from; absent in state stored before `imu` existed: samples. */
export type SegmentSource = TaggedState['source'];

export interface SegmenterSnapshot {
  /** null: no block of the set segmented yet. */
  readonly state: TaggedState | null;
  /** Bumped by every commit; a commit expecting another version is refused. */
  readonly version: number;
  readonly owner: SegmentOwner | null;
  /** Blocks received and not yet segmented, in time order (at most the store's batch). */
  readonly inbox: readonly InboxBlock[];
}

export interface SegmentCommit {
  readonly stationId: string;
  readonly setId: string;
  readonly owner: SegmentOwner;
  readonly expectedVersion: number;
  readonly state: TaggedState;
  /** Reps completed by this step: stored with the set and in the outbox (their points are not written yet). */
  readonly reps: readonly RepRecord[];
  /** t0 of the inbox blocks this step segmented. */
  readonly consumed: readonly number[];
}

/** Per-set segmentation state in Redis (any worker may take the next block; a restart loses nothing). */
export interface SegmenterStore {
  load(stationId: string, setId: string): Promise<SegmenterSnapshot>;
  /** Atomically, if the state is still at `expectedVersion`: state, reps, outbox, inbox. false: it moved on. */
  commit(commit: SegmentCommit): Promise<boolean>;
  /** Segmented reps whose rep points are not yet written. */
  unwritten(stationId: string, setId: string): Promise<RepRecord[]>;
  markWritten(stationId: string, setId: string, repIndexes: readonly number[]): Promise<void>;
  /** Blocks of the set received and not yet segmented. */
  inboxSize(stationId: string, setId: string): Promise<number>;
}
