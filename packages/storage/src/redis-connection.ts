import { Cluster, Redis } from 'ioredis';

/** A connection to one Redis, or to a Redis Cluster (every key of a deployment shares the `{nl}` slot). */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionSettings {
  /** `redis[s]://[user:password@]host:port`; with `cluster`, any one node of the cluster. */
  readonly url: string;
  readonly cluster: boolean;
  /** With `cluster`, more nodes to start from (`host:port`) besides the URL's: any one of them up suffices. */
  readonly clusterNodes?: readonly string[] | undefined;
  /** CLIENT SETNAME, to tell the services apart in `CLIENT LIST`. */
  readonly name: string;
  /** Workers and producers of BullMQ: commands wait for a reconnect instead of failing after 20 retries. */
  readonly retryForever?: boolean;
}

/**
 * How long a command on a cluster may go unanswered, ms: far above anything the pipeline asks (BullMQ blocks
 * up to 10 s, WAIT up to INGEST_REDIS_WAIT_TIMEOUT_MS), far below "for good".
 */
export const CLUSTER_COMMAND_TIMEOUT_MS = 30_000;

/**
 * One connection, to a single Redis or to a cluster (REDIS_CLUSTER). Cluster mode works because every
 * key and queue of a deployment carries the hash tag of its prefix: a MULTI, a Lua script or a BullMQ
 * job always touches one slot, which lives on one node.
 */
export function createRedisConnection(settings: RedisConnectionSettings): RedisClient {
  const options = { connectionName: settings.name, ...(settings.retryForever ? { maxRetriesPerRequest: null } : {}) };
  if (!settings.cluster) return new Redis(settings.url, options);
  const url = new URL(settings.url);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const more = (settings.clusterNodes ?? []).map((node) => {
    const at = node.lastIndexOf(':');
    return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
  });
  return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }, ...more], {
    redisOptions: {
      ...options,
      // A master lost mid-command can leave a command's promise unsettled (seen after failovers: a BullMQ
      // worker waiting for good on its fetch loop while its queue filled). Every command, blocking ones
      // after their own timeout, now fails after these instead, and BullMQ's loop or ingest's retry goes on.
      commandTimeout: CLUSTER_COMMAND_TIMEOUT_MS,
      blockingTimeout: CLUSTER_COMMAND_TIMEOUT_MS,
      ...(username === '' ? {} : { username }),
      ...(password === '' ? {} : { password }),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
}

/** The values of a pipeline or MULTI reply, throwing its first error (null: the transaction was aborted). */
export function replyValues(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (replies === null) throw new Error('Redis transaction aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
