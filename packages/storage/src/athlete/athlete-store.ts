import type { AthleteProfile } from '@neurolift/contracts';
import type { AthleteSet } from '@neurolift/stimulus';

/** What the worker reads of an athlete before recomputing its outputs. */
export interface AthleteSnapshot {
  /** Bumped by every stored set; unchanged at the end of an update means nobody raced it. */
  readonly version: number;
  readonly profile: AthleteProfile;
  readonly sets: readonly AthleteSet[];
  readonly dailyLoads: ReadonlyMap<number, number>;
}

/** The athlete state the model needs, kept in Redis so any worker can update it. */
export interface AthleteStore {
  /** Stores (or replaces, same key) one set; storing the same set again changes nothing else. */
  putSet(athleteId: string, set: AthleteSet): Promise<void>;
  /** One stored set, or undefined. */
  storedSet(athleteId: string, key: string): Promise<AthleteSet | undefined>;
  load(athleteId: string): Promise<AthleteSnapshot>;
  /** Persists recomputed daily loads and drops sets no longer needed. */
  save(athleteId: string, dailyLoads: ReadonlyMap<number, number>, staleSetKeys: readonly string[]): Promise<void>;
  version(athleteId: string): Promise<number>;
  /**
   * Runs `update` while holding the athlete's lock (waiting for it up to `waitMs`), so that one
   * worker at a time writes an athlete's outputs and no stale value is written over a fresh one.
   * Throws a retryable error when the lock stays taken.
   */
  withLock<T>(athleteId: string, waitMs: number, update: () => Promise<T>): Promise<T>;
}
