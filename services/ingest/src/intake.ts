import { DEFAULT_TENANT, groupByShard, isPipelineOutputTopic, parseDeviceMessage, parseTopic, type ParseOutcome, type TimeWindow } from '@neurolift/contracts';
import type { DeviceCheck } from '@neurolift/tenancy';
import type { Logger } from '@neurolift/platform';
import { createBatcher } from './batcher.js';
import { buildCommit, type Received } from './commit-builder.js';
import type { IngestMetrics } from './ingest-metrics.js';
import type { Clock, IntakeStore, SeenGyms } from './ports.js';
import { ackableUpTo } from './shard-parts.js';
import type { RateLimiter } from './rate-limit.js';

export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Sends the PUBACK; called once the message (or its dead letter) is durably in Redis. */
  ack(): void;
}

export interface IntakeOptions {
  /** Each shard's store, by shard number (one, shard 0, with REDIS_SHARDS = 1). */
  readonly stores: readonly IntakeStore[];
  /** The shard of a gym's data (ShardLayout.gymShard; default: shard 0). */
  readonly shardOf?: (tenantId: string, gymId: string) => number;
  /** Where unregistered gyms with data are recorded (needed with `devices`). */
  readonly seenGyms?: SeenGyms;
  readonly clock: Clock;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly window: TimeWindow;
  readonly batchMaxItems: number;
  readonly batchMaxWaitMs: number;
  readonly deadLetterPayloadBytes: number;
  /** Called after a commit that closed sets in a shard, so their jobs are enqueued without waiting. */
  readonly onSetsClosed: (count: number, shard: number) => void;
  /** Per-station budget; a message over it is dead-lettered `rate_limited` (kept, acknowledged). */
  readonly rateLimiter?: RateLimiter;
  /**
   * The registry's check of a message's station and gym (default: every station, the default tenant). A
   * refusal is dead-lettered with its reason (`unregistered_station`, `gym_not_allowed`).
   */
  readonly devices?: DeviceGate;
}

/** What intake asks the device registry. */
export interface DeviceGate {
  check(gymId: string, stationId: string): DeviceCheck;
  /** The tenant of a gym, for a message rejected before its station was known. */
  tenantOfGym(gymId: string): string;
  isRegisteredGym(gymId: string): boolean;
  /** Reads the registry again now (when a gym turned out registered since the view was read). */
  refresh(): Promise<void>;
}

interface Pending {
  /** The message as validated; replaced when a stale registry view is corrected before the commit. */
  received: Received;
  readonly channel: string;
  /** The gym of the message's topic, when the topic names one: where its data and dead letter go. */
  readonly gymId?: string;
  /** An unregistered gym this message makes the default tenant's (marked before the commit). */
  readonly seenGym?: string;
  /** The pipeline's own output (an alert): acknowledged in its turn, never stored or counted. */
  readonly skip?: boolean;
  ack(): void;
}

/**
 * Validates each message, groups messages into micro-batches, commits each batch to Redis (one MULTI per
 * shard, the shards at once) and acknowledges each message only after its shard's commit, in arrival order.
 * Invalid messages are dead-lettered in their shard's commit, so they too are acknowledged only once kept.
 * A failed shard's commit is retried alone: parts already committed are not written again.
 */
export function createIntake(options: IntakeOptions) {
  const { metrics, logger } = options;
  const shardOf = options.shardOf ?? (() => 0);
  const storeOf = (shard: number): IntakeStore => {
    const store = options.stores[shard];
    if (store === undefined) throw new RangeError(`no intake store for shard ${shard}`);
    return store;
  };

  // Unregistered gyms this process has marked seen: each is written once, not with every message.
  const markedGyms = new Set<string>();
  // What a flush (or its retry, with the same items) has done: items committed, items acknowledged.
  const committed = new WeakSet<Pending>();
  const acked = new WeakSet<Pending>();

  function acknowledge(item: Pending): void {
    acked.add(item);
    if (item.skip) return item.ack();
    const { outcome } = item.received;
    if (outcome.ok) metrics.stored.inc({ channel: item.channel });
    else metrics.deadLettered.inc({ reason: outcome.reason, channel: item.channel });
    item.ack();
    metrics.inFlight.dec({ channel: item.channel });
  }

  /** Records gyms first seen here; a gym registered meanwhile gets its messages checked again with the registry re-read. */
  async function markSeenGyms(items: readonly Pending[]): Promise<void> {
    const gyms = [...new Set(items.flatMap((item) => (item.seenGym === undefined || markedGyms.has(item.seenGym) ? [] : [item.seenGym])))];
    if (gyms.length === 0 || options.seenGyms === undefined || options.devices === undefined) return;
    const registered = new Set(await options.seenGyms.markSeen(gyms));
    for (const gym of gyms) if (!registered.has(gym)) markedGyms.add(gym);
    if (registered.size === 0) return;
    await options.devices.refresh();
    for (const item of items) {
      const { outcome } = item.received;
      if (!outcome.ok || !registered.has(outcome.message.gymId)) continue;
      item.received = { ...item.received, ...checked(outcome.message.gymId, outcome.message.stationId, outcome) };
    }
  }

  /** The registry's verdict on a valid message: its tenant, and its outcome (a refusal when the check fails). */
  function checked(gymId: string, stationId: string, outcome: ParseOutcome): { tenant: string; outcome: ParseOutcome } {
    const check = options.devices?.check(gymId, stationId);
    if (check === undefined) return { tenant: DEFAULT_TENANT, outcome };
    return { tenant: check.tenant, outcome: check.ok ? outcome : { ok: false, reason: check.reason, detail: check.detail } };
  }

  const shardOfItem = (item: Pending): number => (item.gymId === undefined ? 0 : shardOf(item.received.tenant ?? DEFAULT_TENANT, item.gymId));

  async function commitShard(shard: number, part: readonly Pending[]): Promise<void> {
    const stopTimer = metrics.commitSeconds.startTimer();
    const commit = buildCommit(
      part.map((item) => item.received),
      options.clock(),
      options.deadLetterPayloadBytes,
    );
    const { setsClosed } = await storeOf(shard).commit(commit);
    stopTimer();
    metrics.batchSize.observe(part.length);
    for (const item of part) committed.add(item);
    if (setsClosed > 0) {
      metrics.setsClosed.inc(setsClosed);
      options.onSetsClosed(setsClosed, shard);
    }
  }

  const batcher = createBatcher<Pending>({
    maxItems: options.batchMaxItems,
    maxWaitMs: options.batchMaxWaitMs,
    async flush(items) {
      const input = items.filter((item) => !item.skip && !committed.has(item));
      let next = ackableUpTo(items, 0, (item) => acked.has(item));
      // PUBACKs go out in the order the messages came (MQTT requires it for QoS 1), skipped ones included:
      // after each shard's commit, every item up to the first one not yet committed.
      const ackReady = () => {
        const upTo = ackableUpTo(items, next, (item) => item.skip === true || committed.has(item));
        for (; next < upTo; next++) if (!acked.has(items[next] as Pending)) acknowledge(items[next] as Pending);
      };
      if (input.length > 0) {
        await markSeenGyms(input);
        // One MULTI per shard: a transaction cannot span Redis Cluster slots.
        const parts = groupByShard(input, shardOfItem);
        const outcomes = await Promise.allSettled(
          [...parts].map(async ([shard, part]) => {
            await commitShard(shard, part);
            ackReady();
          }),
        );
        const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        // The batcher retries the flush; what committed is not written again, nor acknowledged twice.
        if (failed !== undefined) throw failed.reason;
      }
      ackReady();
    },
    onFlushError(error, attempt) {
      metrics.commitFailures.inc();
      logger.warn({ err: error, attempt }, 'batch commit to Redis failed; retrying (messages stay unacknowledged)');
    },
  });

  return {
    accept(message: IncomingMessage): void {
      const receivedAt = options.clock();
      if (isPipelineOutputTopic(message.topic)) {
        const skipped: ParseOutcome = { ok: false, reason: 'bad_topic', detail: 'pipeline output' };
        batcher.add({ received: { topic: message.topic, payload: message.payload, receivedAt, outcome: skipped }, channel: 'output', skip: true, ack: () => message.ack() });
        return;
      }
      let outcome = parseDeviceMessage(message.topic, message.payload, { now: receivedAt, window: options.window });
      // A rejected message's topic, read once: its channel for counting, its gym for its shard and tenant.
      const topic = outcome.ok ? undefined : parseTopic(message.topic);
      const channel = outcome.ok ? outcome.message.channel : topic?.ok ? topic.topic.channel : 'unknown';
      let tenant = DEFAULT_TENANT;
      let gymId: string | undefined;
      let seenGym: string | undefined;
      if (outcome.ok) {
        const { stationId } = outcome.message;
        gymId = outcome.message.gymId;
        // The registry before the rate limit: a stranger's messages must not spend a station's budget.
        ({ tenant, outcome } = checked(gymId, stationId, outcome));
        if (outcome.ok && options.rateLimiter && !options.rateLimiter.take(`${gymId}/${stationId}`)) {
          outcome = { ok: false, reason: 'rate_limited', detail: `station ${stationId} of gym ${gymId} sent more than its budget of messages a second; the excess is kept here` };
        }
        // An unregistered gym with data is the default tenant's: record it, so no other tenant registers it.
        if (outcome.ok && options.devices !== undefined && !markedGyms.has(gymId) && !options.devices.isRegisteredGym(gymId)) seenGym = gymId;
      } else if (topic?.ok) {
        gymId = topic.topic.gymId;
        if (options.devices !== undefined) tenant = options.devices.tenantOfGym(gymId);
      }
      metrics.received.inc({ channel });
      metrics.inFlight.inc({ channel });
      batcher.add({
        received: { topic: message.topic, payload: message.payload, receivedAt, outcome, tenant },
        channel,
        ...(gymId === undefined ? {} : { gymId }),
        ...(seenGym === undefined ? {} : { seenGym }),
        ack: () => message.ack(),
      });
    },
    pending: () => batcher.pending(),
    close: (timeoutMs?: number) => batcher.close(timeoutMs),
  };
}
export type Intake = ReturnType<typeof createIntake>;
