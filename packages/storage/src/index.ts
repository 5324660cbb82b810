/** Ways in and out of Redis and the TSDB that more than one service uses (the worker and the alerts service). */
export * from './tsdb/line-protocol.js';
export * from './tsdb/influx-point-sink.js';
export * from './athlete/athlete-store.js';
export { createRedisAthleteStore, type AthleteKeys } from './athlete/redis-athlete-store.js';
export * from './model-settings.js';
export * from './queue/queue-worker.js';
export * from './queue/redis-dead-letters.js';
export * from './redis-connection.js';
export * from './tsdb/tsdb-eraser.js';
export * from './lua-script.js';
export * from './heart-rate/heart-rate-store.js';
export { createRedisHeartRateStore } from './heart-rate/redis-heart-rate-store.js';
export * from './shard-settings.js';
export * from './cluster/shard-placement.js';
export * from './cluster/cluster-shards.js';
export * from './cluster/reshard.js';
export * from './cluster/key-places.js';
