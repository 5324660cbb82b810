import { DEFAULT_TENANT, isPipelineOutputTopic, parseDeviceMessage, parseTopic, type ParseOutcome, type TimeWindow } from '@neurolift/contracts';
import type { DeviceCheck } from '@neurolift/tenancy';
import type { Logger } from '@neurolift/platform';
import { createBatcher } from './batcher.js';
import { buildCommit, type Received } from './commit-builder.js';
import type { IngestMetrics } from './ingest-metrics.js';
import type { Clock, IntakeStore } from './ports.js';
import type { RateLimiter } from './rate-limit.js';

export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Sends the PUBACK; called once the message (or its dead letter) is durably in Redis. */
  ack(): void;
}

export interface IntakeOptions {
  readonly store: IntakeStore;
  readonly clock: Clock;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly window: TimeWindow;
  readonly batchMaxItems: number;
  readonly batchMaxWaitMs: number;
  readonly deadLetterPayloadBytes: number;
  /** Called after a commit that closed sets, so their jobs are enqueued without waiting. */
  readonly onSetsClosed: (count: number) => void;
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
}

/** The channel of a rejected message's topic, for counting; `unknown` when the topic is not valid. */
function channelOf(topicName: string): string {
  const topic = parseTopic(topicName);
  return topic.ok ? topic.topic.channel : 'unknown';
}

type Pending = Received & {
  readonly channel: string;
  /** The pipeline's own output (an alert): acknowledged in its turn, never stored or counted. */
  readonly skip?: boolean;
  ack(): void;
};

/**
 * Validates each message, groups messages into micro-batches, commits each batch to Redis in one
 * round trip and only then acknowledges its messages, in arrival order. Invalid messages are
 * dead-lettered in the same round trip, so they too are acknowledged only once kept.
 */
export function createIntake(options: IntakeOptions) {
  const { metrics, logger } = options;

  // Unregistered gyms this process has marked seen: each is written once, not with every message.
  const markedGyms = new Set<string>();
  const batcher = createBatcher<Pending>({
    maxItems: options.batchMaxItems,
    maxWaitMs: options.batchMaxWaitMs,
    async flush(items) {
      const input = items.filter((item) => !item.skip);
      let setsClosed = 0;
      if (input.length > 0) {
        const stopTimer = metrics.commitSeconds.startTimer();
        const commit = buildCommit(input, options.clock(), options.deadLetterPayloadBytes);
        ({ setsClosed } = await options.store.commit(commit));
        stopTimer();
        for (const gym of commit.seenGyms ?? []) markedGyms.add(gym);
        metrics.batchSize.observe(input.length);
      }
      // PUBACKs go out in the order the messages came (MQTT requires it for QoS 1), skipped ones included.
      for (const item of items) {
        if (item.skip) item.ack();
        else {
          if (item.outcome.ok) metrics.stored.inc({ channel: item.channel });
          else metrics.deadLettered.inc({ reason: item.outcome.reason, channel: item.channel });
          item.ack();
          metrics.inFlight.dec({ channel: item.channel });
        }
      }
      if (setsClosed > 0) {
        metrics.setsClosed.inc(setsClosed);
        options.onSetsClosed(setsClosed);
      }
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
        batcher.add({ topic: message.topic, payload: message.payload, receivedAt, outcome: skipped, channel: 'output', skip: true, ack: () => message.ack() });
        return;
      }
      let outcome = parseDeviceMessage(message.topic, message.payload, { now: receivedAt, window: options.window });
      const channel = outcome.ok ? outcome.message.channel : channelOf(message.topic);
      let tenant = DEFAULT_TENANT;
      let seenGym: string | undefined;
      if (outcome.ok) {
        const { gymId, stationId } = outcome.message;
        // The registry before the rate limit: a stranger's messages must not spend a station's budget.
        const check = options.devices?.check(gymId, stationId);
        if (check !== undefined) {
          tenant = check.tenant;
          if (!check.ok) outcome = { ok: false, reason: check.reason, detail: check.detail };
        }
        if (outcome.ok && options.rateLimiter && !options.rateLimiter.take(`${gymId}/${stationId}`)) {
          outcome = { ok: false, reason: 'rate_limited', detail: `station ${stationId} of gym ${gymId} sent more than its budget of messages a second; the excess is kept here` };
        }
        // An unregistered gym with data is the default tenant's: record it, so no other tenant registers it.
        if (outcome.ok && options.devices !== undefined && !markedGyms.has(gymId) && !options.devices.isRegisteredGym(gymId)) seenGym = gymId;
      } else if (options.devices !== undefined) {
        const topic = parseTopic(message.topic);
        if (topic.ok) tenant = options.devices.tenantOfGym(topic.topic.gymId);
      }
      metrics.received.inc({ channel });
      metrics.inFlight.inc({ channel });
      batcher.add({ topic: message.topic, payload: message.payload, receivedAt, outcome, channel, tenant, ...(seenGym === undefined ? {} : { seenGym }), ack: () => message.ack() });
    },
    pending: () => batcher.pending(),
    close: (timeoutMs?: number) => batcher.close(timeoutMs),
  };
}
export type Intake = ReturnType<typeof createIntake>;
