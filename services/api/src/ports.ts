import type { AlertMessage, AthleteProfile, LiveEvent, LiveHeartRate, LiveStation } from '@neurolift/contracts';

export interface DeadLetterView {
  readonly topic: string;
  readonly reason: string;
  readonly detail?: string;
  readonly payload: string;
  readonly receivedAt: string;
}

export interface DeadLetterReader {
  /** The tenant's dead letters, newest first, with its counts by reason. */
  list(tenantId: string, limit: number): Promise<{ total: number; byReason: Record<string, number>; items: DeadLetterView[] }>;
}

export interface ProfileStore {
  get(athleteId: string): Promise<AthleteProfile | undefined>;
  put(athleteId: string, profile: AthleteProfile): Promise<void>;
}

/** What the live console shows on load: a gym's stations (by station id) and its latest alerts, newest first. */
export interface LiveSnapshot {
  readonly stations: LiveStation[];
  readonly alerts: AlertMessage[];
}

export interface LiveStateReader {
  /**
   * Entries that fail their schema are left out (the writer deploys separately). Stations carry their
   * athlete's heart rate while it is fresh.
   */
  snapshot(gymId: string): Promise<LiveSnapshot>;
  /**
   * The fresh heart rate (v1.1 `hr`) of the athletes at the gym's stations, by athlete id; athletes with
   * none, or none recent, are absent. Optional: without it the console shows no heart rate.
   */
  heartRates?(gymId: string): Promise<Record<string, LiveHeartRate>>;
}

/** A validated event of a gym, or `resync`: the feed may have missed events (reconnect), reload the snapshot. */
export type LiveFeedMessage = { readonly kind: 'event'; readonly event: LiveEvent } | { readonly kind: 'resync' };
export type LiveListener = (message: LiveFeedMessage) => void;

/** Live events of every gym, fanned out to the listeners of each gym. */
export interface LiveFeed {
  /**
   * Resolves once events published from now on reach `listener` (so a snapshot read afterwards misses
   * nothing), with the function that removes it.
   */
  subscribe(gymId: string, listener: LiveListener): Promise<() => void>;
  /** Listeners currently subscribed, over all gyms. */
  listenerCount(): number;
}

/** The subscriber side of a pub/sub connection (one per process, shared by every gym). */
export interface PubSubConnection {
  /** Resolves once the server confirmed the subscription. */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  onMessage(handler: (channel: string, text: string) => void): void;
  /** After the connection came back (subscriptions restored): messages may have been lost meanwhile. */
  onReconnect(handler: () => void): void;
}

/** What an erasure removed from Redis. */
export interface RedisErasure {
  /** Whole keys deleted (profile, athlete state, alert basis and cooldowns, the state of its sets). */
  readonly keysDeleted: number;
  /** Entries removed from shared keys (gym athlete indexes, the live console's stations and alerts). */
  readonly entriesRemoved: number;
}

/** The Redis side of an athlete's erasure. */
export interface AthleteRedisEraser {
  /**
   * Runs `work` holding the athlete's lock, the one the worker holds while it stores a set and writes
   * the athlete's points, so an erasure never interleaves with such an update. Throws a PipelineError
   * `NL_ERR_ATHLETE_BUSY` when the lock stays taken.
   */
  withAthleteLock<T>(athleteId: string, work: () => Promise<T>): Promise<T>;
  /** Deletes what Redis holds of the athlete and can find without a scan; idempotent. */
  erase(athleteId: string): Promise<RedisErasure>;
}

/** Who owns an athlete (the registry's athlete index). */
export interface AthleteOwners {
  /** Records the tenant as the owner unless one is; returns the owner. The default tenant owns athletes of before tenancy. */
  claim(athleteId: string, tenantId: string): Promise<string>;
  /** Forgets the owner (the athlete's erasure). */
  release(athleteId: string): Promise<void>;
}
