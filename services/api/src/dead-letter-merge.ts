import type { DeadLetterView } from './ports.js';

/** A dead letter's time for ordering; one whose `receivedAt` does not parse counts as the oldest. */
function timeOf(letter: DeadLetterView): number {
  const ms = Date.parse(letter.receivedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/**
 * The newest `limit` dead letters of several shards' lists, each newest first (as LPUSH keeps them):
 * a merge that keeps each list's own order and, at equal times, takes the lower shard's first. One list
 * comes back as it was, cut to `limit`.
 */
export function mergeNewestFirst(lists: ReadonlyArray<readonly DeadLetterView[]>, limit: number): DeadLetterView[] {
  const heads = lists.map(() => 0);
  const merged: DeadLetterView[] = [];
  while (merged.length < limit) {
    let best = -1;
    let bestTime = Number.NEGATIVE_INFINITY;
    lists.forEach((list, i) => {
      const letter = list[heads[i] ?? 0];
      if (letter === undefined) return;
      const time = timeOf(letter);
      if (best === -1 || time > bestTime) {
        best = i;
        bestTime = time;
      }
    });
    if (best === -1) break;
    const list = lists[best] ?? [];
    const head = heads[best] ?? 0;
    const letter = list[head];
    if (letter === undefined) break;
    merged.push(letter);
    heads[best] = head + 1;
  }
  return merged;
}

/** The per-reason counts of several shards (Redis hashes reason → count) summed, with their total. */
export function sumCounts(hashes: ReadonlyArray<Record<string, string>>): { total: number; byReason: Record<string, number> } {
  const sums = new Map<string, number>();
  for (const hash of hashes) {
    for (const [reason, count] of Object.entries(hash)) sums.set(reason, (sums.get(reason) ?? 0) + Number(count));
  }
  const byReason = Object.fromEntries(sums);
  const total = Object.values(byReason).reduce((sum, count) => sum + count, 0);
  return { total, byReason };
}
