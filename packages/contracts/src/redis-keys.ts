/**
 * Redis key layout of one shard, shared by ingest (writes), the worker (reads) and the api. Every key starts
 * with the shard's prefix, a hash tag (`{nl}`, or `{nl:n}` with REDIS_SHARDS > 1, see shards.ts), so a
 * shard's keys and its BullMQ queues (which use the same prefix) live in one Redis Cluster slot and a batch
 * can commit in one MULTI. Key parts are protocol ids, which cannot contain `:`.
 */
export const DEFAULT_REDIS_PREFIX = '{nl}';

/** The tenant everything belongs to when nothing is configured (the demo, the tests, one gym chain). */
export const DEFAULT_TENANT = 'default';

export function redisKeys(prefix: string) {
  return {
    prefix,
    /** List of dead letters, newest first, trimmed to a bound. */
    deadLetters: `${prefix}:dead-letters`,
    /** Hash reason → count of dead letters ever stored (not trimmed). */
    deadLetterCounts: `${prefix}:dead-letters:counts`,
    /** A tenant's dead letters (the default tenant's are `deadLetters`): what its admins may read. */
    deadLettersOf: (tenantId: string) => (tenantId === DEFAULT_TENANT ? `${prefix}:dead-letters` : `${prefix}:tenant:${tenantId}:dead-letters`),
    deadLetterCountsOf: (tenantId: string) =>
      tenantId === DEFAULT_TENANT ? `${prefix}:dead-letters:counts` : `${prefix}:tenant:${tenantId}:dead-letters:counts`,
    /** Hash with a station's presence and its open set. */
    station: (stationId: string) => `${prefix}:station:${stationId}`,
    /** Hash with a set's metadata and state (open/closed, revisions). */
    set: (stationId: string, setId: string) => `${prefix}:set:${stationId}:${setId}`,
    /** Hash repIndex → RepRecord JSON of a set. */
    setReps: (stationId: string, setId: string) => `${prefix}:set:${stationId}:${setId}:reps`,
    /** Hash of a set's rep segmentation from samples: `state` (segmenter JSON), `version`, `owner` (ids). */
    segmenter: (stationId: string, setId: string) => `${prefix}:set:${stationId}:${setId}:segmenter`,
    /** Hash t0 → `samples` block JSON: a set's blocks received and not yet segmented (the set job waits for them). */
    samplesInbox: (stationId: string, setId: string) => `${prefix}:set:${stationId}:${setId}:samples-inbox`,
    /** Hash repIndex → RepRecord JSON: segmented reps whose rep points are not yet written. */
    segmentedOutbox: (stationId: string, setId: string) => `${prefix}:set:${stationId}:${setId}:segmented-outbox`,
    /** Sorted set of open sets (`station:set`) scored by their idle deadline, epoch ms. */
    idleSets: `${prefix}:sets:idle`,
    /** List of closed sets waiting for their set job to be enqueued (JSON SetJob without `v`). */
    closingSets: `${prefix}:sets:closing`,
    /** Lock held by the one set closer that drains `closingSets` at a time. */
    closerLock: `${prefix}:sets:closer-lock`,
    /** Hash of an alert's delivery: `claimedAt`, then one field per channel delivered (mqtt, tsdb, webhook, live). */
    alert: (alertId: string) => `${prefix}:alert:${alertId}`,
    /** The id of the last alert of (athlete, `rule.severity`) while its cooldown runs (PX); an escalation has its own. */
    alertCooldown: (athleteId: string, ruleSeverity: string) => `${prefix}:alert-cooldown:${athleteId}:${ruleSeverity}`,
    /** Set of gyms that have had a set (the daily rules of gyms the alerts config does not list). */
    gyms: `${prefix}:gyms`,
    /** Sorted set of a gym's athletes scored by their last set's time (who the daily rules look at). */
    gymAthletes: (gymId: string) => `${prefix}:gym:${gymId}:athletes`,
    /** Pub/sub channel of a gym's live console events (LiveEvent JSON). */
    liveChannel: (gymId: string) => `${prefix}:live:${gymId}`,
    /** Hash stationId → LiveStation JSON: the console's state on load. */
    liveStations: (gymId: string) => `${prefix}:live:${gymId}:stations`,
    /** List of a gym's latest alerts (AlertMessage JSON), newest first, trimmed. */
    liveAlerts: (gymId: string) => `${prefix}:live:${gymId}:alerts`,
    /**
     * Hash of a gym's sets with reps not yet judged by the in-set rules: field = SetRef JSON, value = a
     * counter bumped by every rep batch, so a pass removes only what has not changed since it read it.
     */
    inSetPending: (gymId: string) => `${prefix}:gym:${gymId}:in-set-pending`,
    /** Hash exercise → what the in-set alert rules need of the athlete (median ROM, e1RM, best e1RM). */
    alertBasis: (athleteId: string) => `${prefix}:athlete:${athleteId}:alert-basis`,
    /** Athlete profile JSON. */
    athleteProfile: (athleteId: string) => `${prefix}:athlete:${athleteId}:profile`,
    /** Hash `<station>.<set>` → the athlete's set (reps) as the model needs it; recent weeks only. */
    athleteSets: (athleteId: string) => `${prefix}:athlete:${athleteId}:sets`,
    /** Sorted set of the athlete's stored sets (`<station>.<set>`) scored by their last rep: the model's time order. */
    athleteOrder: (athleteId: string) => `${prefix}:athlete:${athleteId}:order`,
    /**
     * Hash `<station>.<set>` → the set's compact entry (JSON array: exercise, times, load, velocities and the
     * model terms the alert rules compare across sets); read by time window without the sets' reps.
     */
    athleteEntries: (athleteId: string) => `${prefix}:athlete:${athleteId}:entries`,
    /** Sorted set of `<exercise>|<last rep, 15 digits>|<station>.<set>` at score 0: each exercise's sets in time order. */
    athleteExerciseIndex: (athleteId: string) => `${prefix}:athlete:${athleteId}:by-exercise`,
    /**
     * Hash exercise → the load–velocity entries of the athlete's stored sets of it, packed in time order
     * (`<last rep>,<load>,<best velocity>,<station>.<set>` joined by `;`): what a set's e1RM reads in one value.
     */
    athleteLvp: (athleteId: string) => `${prefix}:athlete:${athleteId}:lvp`,
    /** Hash exercise → the ROMs of the athlete's latest sets of it (the in-set rules' median ROM). */
    alertRoms: (athleteId: string) => `${prefix}:athlete:${athleteId}:alert-roms`,
    /** Hash UTC day number → daily load (Σ session NSI), kept for the exposure EWMAs. */
    athleteDaily: (athleteId: string) => `${prefix}:athlete:${athleteId}:daily`,
    /**
     * Hash minute (epoch ms ÷ 60 000) → the athlete's heart rate in that minute, one slot a second (`bpm`
     * values joined by `,`, empty where none came), from any of the athlete's `hr` stations (v1.1).
     */
    athleteHeartRate: (athleteId: string) => `${prefix}:athlete:${athleteId}:hr`,
    /** The athlete's latest heart rate for the live console (LiveHeartRate JSON, with a TTL). */
    athleteLiveHeartRate: (athleteId: string) => `${prefix}:athlete:${athleteId}:live-hr`,
    /** Sorted set of the minutes in athleteHeartRate, scored by minute: what pruning reads. */
    athleteHeartRateMinutes: (athleteId: string) => `${prefix}:athlete:${athleteId}:hr-minutes`,
    /** Sorted set of the athlete's sets waiting for its lock, by last rep: the earliest takes it first. */
    athleteLockQueue: (athleteId: string) => `${prefix}:athlete:${athleteId}:lock-queue`,
    /** Hash athleteId → tenantId: who the shard's athletes belong to, from their first set or profile. */
    athleteTenants: `${prefix}:registry:athlete-tenants`,
    /** Lock held by the one worker updating the athlete's state and outputs at a time. */
    athleteLock: (athleteId: string) => `${prefix}:athlete:${athleteId}:lock`,
    /** Counter bumped whenever the athlete's sets change; detects a concurrent update. */
    athleteVersion: (athleteId: string) => `${prefix}:athlete:${athleteId}:version`,
    /**
     * Key of the earliest activity whose checkpoint an update stored and no saved fold has covered yet (a job
     * whose TSDB write failed, retried or not): the next fold starts there at the latest (decision 0014).
     */
    athleteFoldFrom: (athleteId: string) => `${prefix}:athlete:${athleteId}:fold-from`,
  } as const;
}
export type RedisKeys = ReturnType<typeof redisKeys>;
