/**
 * A micro-batch split by shard, each part in arrival order: one MULTI per shard (a transaction cannot span
 * Redis Cluster slots). Pure.
 */
export function splitByShard<T>(items: readonly T[], shardOf: (item: T) => number): Map<number, T[]> {
  const parts = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(item);
    const part = parts.get(shard);
    if (part === undefined) parts.set(shard, [item]);
    else part.push(item);
  }
  return parts;
}

/**
 * The longest run of items, from `from`, that may be acknowledged: MQTT requires PUBACKs in the order the
 * messages came, so an item whose shard has committed still waits for every item before it. Returns the
 * index of the first item that may not (yet) be acknowledged. Pure.
 */
export function ackableUpTo<T>(items: readonly T[], from: number, done: (item: T) => boolean): number {
  let next = from;
  while (next < items.length && done(items[next] as T)) next++;
  return next;
}
