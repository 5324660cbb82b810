import { JOB_OPTIONS, QUEUES, QUEUE_EVENTS_MAX_LEN, type AlertCheckJob, type AlertJob, type WebhookJob } from '@neurolift/contracts';
import { Queue } from 'bullmq';
import type { RedisClient } from '@neurolift/storage';
import type { AlertQueues } from '../ports.js';

export interface AlertQueueHandles extends AlertQueues {
  readonly checks: Queue;
  close(): Promise<void>;
}

/** Producers of the alerts service's three queues. */
export function createAlertQueues(connection: RedisClient, prefix: string, webhook: { attempts: number; backoffMs: number }): AlertQueueHandles {
  const options = { connection, prefix, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } };
  const checks = new Queue(QUEUES.alertChecks, options);
  const alerts = new Queue(QUEUES.alerts, options);
  const webhooks = new Queue(QUEUES.webhooks, options);
  return {
    checks,
    async deliver(list) {
      await alerts.addBulk(list.map((alert) => ({ name: alert.rule, data: { v: 1, alert } satisfies AlertJob, opts: { ...JOB_OPTIONS.alerts, jobId: alert.id } })));
    },
    async webhook(alert) {
      await webhooks.add(alert.rule, { v: 1, alert } satisfies WebhookJob, {
        ...JOB_OPTIONS.webhooks,
        jobId: alert.id,
        attempts: webhook.attempts,
        backoff: { type: 'exponential', delay: webhook.backoffMs },
      });
    },
    async later(check: AlertCheckJob, jobId, atMs) {
      await checks.add(check.kind, check, { ...JOB_OPTIONS.alertChecksAfterSet, jobId, delay: Math.max(0, atMs - Date.now()) });
    },
    async close() {
      await Promise.all([checks.close(), alerts.close(), webhooks.close()]);
    },
  };
}

export interface ShardAlertQueues {
  /** The producers of shard n's queues (made at first use): where the jobs for the gyms of shard n go. */
  of(shard: number): AlertQueueHandles;
  close(): Promise<void>;
}

/** The alert queues of every shard (`prefixes[n]`), each made when first used. */
export function createShardAlertQueues(connection: RedisClient, prefixes: readonly string[], webhook: { attempts: number; backoffMs: number }): ShardAlertQueues {
  const made = new Map<number, AlertQueueHandles>();
  return {
    of(shard) {
      const prefix = prefixes[shard];
      if (prefix === undefined) throw new RangeError(`no shard ${shard} of ${prefixes.length}`);
      let queues = made.get(shard);
      if (queues === undefined) {
        queues = createAlertQueues(connection, prefix, webhook);
        made.set(shard, queues);
      }
      return queues;
    },
    async close() {
      await Promise.all([...made.values()].map((queues) => queues.close()));
    },
  };
}
