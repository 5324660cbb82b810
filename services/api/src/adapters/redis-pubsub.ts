import type { RedisClient } from '@neurolift/storage';
import type { PubSubConnection } from '../ports.js';

/**
 * A PubSubConnection on an ioredis connection in subscriber mode (make it with `redis.duplicate()`:
 * a subscribed connection can run no other command). ioredis restores subscriptions after a reconnect
 * (`autoResubscribe`); every `ready` after the first is reported as a reconnect.
 */
export function createRedisPubSub(subscriber: RedisClient): PubSubConnection {
  return {
    async subscribe(channel) {
      await subscriber.subscribe(channel);
    },
    async unsubscribe(channel) {
      await subscriber.unsubscribe(channel);
    },
    onMessage(handler) {
      subscriber.on('message', handler);
    },
    onReconnect(handler) {
      let connectedBefore = subscriber.status === 'ready';
      subscriber.on('ready', () => {
        if (connectedBefore) handler();
        connectedBefore = true;
      });
    },
  };
}
