import type { RedisKeys } from '@neurolift/contracts';
import type { Redis } from 'ioredis';
import type { DeadLetterSink } from '../ports.js';

/** Jobs that cannot be stored go to the same dead-letter list as rejected device messages. */
export function createRedisDeadLetters(redis: Redis, keys: RedisKeys, max: number, payloadChars = 4096): DeadLetterSink {
  return {
    async add(letter) {
      const payload = letter.payload.slice(0, payloadChars);
      const record = {
        ...letter,
        payload,
        payloadBytes: Buffer.byteLength(letter.payload),
        truncated: payload.length < letter.payload.length,
        receivedAt: new Date().toISOString(),
      };
      await redis
        .multi()
        .lpush(keys.deadLetters, JSON.stringify(record))
        .ltrim(keys.deadLetters, 0, max - 1)
        .hincrby(keys.deadLetterCounts, letter.reason, 1)
        .exec();
    },
  };
}
