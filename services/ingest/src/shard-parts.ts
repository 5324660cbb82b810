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
