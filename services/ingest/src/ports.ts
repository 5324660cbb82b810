import type { HrMessage, ImuMessage, RepRecord, SamplesMessage, SetJob } from '@neurolift/contracts';

/** A state change of a station's set bookkeeping, applied in arrival order. */
export type SetOp =
  | { readonly kind: 'rep'; readonly rep: RepRecord }
  | {
      readonly kind: 'start' | 'end';
      readonly gymId: string;
      readonly stationId: string;
      readonly setId: string;
      readonly athleteId: string;
      readonly exercise: string;
      readonly loadKg?: number;
      readonly ts: number;
    }
  | {
      readonly kind: 'status';
      readonly gymId: string;
      readonly stationId: string;
      readonly online: boolean;
      readonly ts: number;
      readonly firmware?: string;
      readonly model?: string;
    };

/** A validated `samples` or `imu` block: goes to its set's inbox, with a job that triggers segmentation. */
export interface SampleBlock {
  readonly gymId: string;
  readonly stationId: string;
  readonly block: SamplesMessage | ImuMessage;
  /** The payload as the device sent it (validated as `block`): stored as it is, not serialised again. */
  readonly text: string;
}

/** A validated `hr` block: a job of its own (its identity as the job id). */
export interface HeartRateBlock {
  readonly gymId: string;
  readonly stationId: string;
  readonly block: HrMessage;
}

export interface DeadLetter {
  readonly topic: string;
  readonly reason: string;
  readonly detail: string;
  /** The payload as text, cut to the configured size. */
  readonly payload: string;
  readonly payloadBytes: number;
  readonly truncated: boolean;
  /** ISO 8601 time the message reached ingest. */
  readonly receivedAt: string;
  /** Whose admins may read it: the station's tenant, or its gym's (the default tenant when unknown). */
  readonly tenant: string;
}

/** Everything one micro-batch writes to Redis, in one round trip. */
export interface IntakeCommit {
  readonly now: number;
  readonly ops: readonly SetOp[];
  readonly reps: readonly RepRecord[];
  readonly samples: readonly SampleBlock[];
  readonly heartRate: readonly HeartRateBlock[];
  /** Stations that reported `online: false`: the alerts service checks for an open set. */
  readonly offline: ReadonlyArray<{ readonly gymId: string; readonly stationId: string; readonly ts: number }>;
  readonly deadLetters: readonly DeadLetter[];
}

/** One shard's side of ingest. */
export interface IntakeStore {
  /**
   * Durably hands the shard's part of a batch to Redis (one MULTI); resolves only when Redis has applied it
   * (and, with INGEST_REDIS_WAIT_REPLICAS, when that many replicas hold it). Safe to repeat after a failure.
   */
  commit(batch: IntakeCommit): Promise<{ readonly setsClosed: number }>;
}

/** The registry's record of unregistered gyms that have had data (the control plane, not a shard). */
export interface SeenGyms {
  /**
   * Marks unregistered gyms seen: the default tenant's from now on, no other tenant may register them. Returns
   * those of them that are registered after all (the caller's view of the registry was behind).
   */
  markSeen(gymIds: readonly string[]): Promise<string[]>;
}

/** Redis side of the set closer: idle sets and the list of closed sets awaiting a job. */
export interface ClosingStore {
  /** Closes open sets whose idle deadline is at or before `now`; returns how many. */
  closeIdleSets(now: number, limit: number): Promise<number>;
  /** Takes or renews the closer lock for `owner`; false when another instance holds it. */
  holdLock(owner: string, ttlMs: number): Promise<boolean>;
  /** The oldest closed sets awaiting a job (not removed). */
  peekClosing(limit: number): Promise<SetJob[]>;
  /** Removes the first `count` entries, only while `owner` still holds the lock. */
  removeClosing(owner: string, count: number): Promise<boolean>;
}

export interface SetJobQueue {
  /** Enqueues set jobs with deterministic ids (a repeated add is a no-op). */
  addSetJobs(jobs: readonly SetJob[]): Promise<void>;
}

export type Clock = () => number;
