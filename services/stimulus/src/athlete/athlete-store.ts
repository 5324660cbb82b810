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
  load(athleteId: string): Promise<AthleteSnapshot>;
  /** Persists recomputed daily loads and drops sets no longer needed. */
  save(athleteId: string, dailyLoads: ReadonlyMap<number, number>, staleSetKeys: readonly string[]): Promise<void>;
  version(athleteId: string): Promise<number>;
}
