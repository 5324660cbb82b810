import { DEFAULT_TENANT, type RedisKeys } from '@neurolift/contracts';
import type { RedisClient } from '../redis-connection.js';

/** A dead letter raised by a queue worker (a job that cannot be stored or delivered). */
export interface WorkerDeadLetter {
  readonly topic: string;
  readonly reason: string;
  readonly detail: string;
  readonly payload: string;
  /** Whose admins may read it (default: the default tenant). */
  readonly tenant?: string;
}

export interface DeadLetterSink {
  add(letter: WorkerDeadLetter): Promise<void>;
}

/** Jobs that cannot be stored go to the same dead-letter list as rejected device messages. */
export function createRedisDeadLetters(redis: RedisClient, keys: RedisKeys, max: number, payloadChars = 4096): DeadLetterSink {
  return {
    async add(letter) {
      const { tenant = DEFAULT_TENANT, ...rest } = letter;
      const payload = letter.payload.slice(0, payloadChars);
      const record = {
        ...rest,
        payload,
        payloadBytes: Buffer.byteLength(letter.payload),
        truncated: payload.length < letter.payload.length,
        receivedAt: new Date().toISOString(),
      };
      await redis
        .multi()
        .lpush(keys.deadLettersOf(tenant), JSON.stringify(record))
        .ltrim(keys.deadLettersOf(tenant), 0, max - 1)
        .hincrby(keys.deadLetterCountsOf(tenant), letter.reason, 1)
        .exec();
    },
  };
}
