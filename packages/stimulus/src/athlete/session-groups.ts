/* How the planner orders an athlete's sets and splits them into sessions: by times only, no model. */
import { setSpan, type AthleteSet } from './athlete-set.js';

/** A stored set with reps and its first and last rep times. */
export interface OrderedSet {
  readonly set: AthleteSet;
  readonly firstTs: number;
  readonly lastTs: number;
}

/**
 * The sets with reps in the model's time order (last rep, then key); a key given twice counts once, the later
 * entry wins.
 */
export function orderSets(sets: readonly AthleteSet[]): OrderedSet[] {
  const unique = new Map<string, AthleteSet>();
  for (const set of sets) {
    unique.delete(set.key);
    unique.set(set.key, set);
  }
  return [...unique.values()]
    .filter((set) => set.reps.length > 0)
    .map((set) => ({ set, ...setSpan(set) }))
    .sort((a, b) => a.lastTs - b.lastTs || (a.set.key < b.set.key ? -1 : a.set.key > b.set.key ? 1 : 0));
}

/** Sets in time order split where the next set starts more than the session gap after one ends. */
export function sessionGroups(ordered: readonly OrderedSet[], gapMs: number): OrderedSet[][] {
  const groups: OrderedSet[][] = [];
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const entry of ordered) {
    const current = groups[groups.length - 1];
    if (current === undefined || entry.firstTs - previousEnd > gapMs) groups.push([entry]);
    else current.push(entry);
    previousEnd = entry.lastTs;
  }
  return groups;
}

/**
 * True when the set `key` is in a session with a later set (not its session's last set), false when it is the
 * last or is not a stored set with reps. The session-end check of such a set has nothing to judge: the later
 * set's own check judges the session once it can no longer grow.
 */
export function laterSetInSession(sets: readonly AthleteSet[], key: string, sessionGapMs: number): boolean {
  const group = sessionGroups(orderSets(sets), sessionGapMs).find((entries) => entries.some(({ set }) => set.key === key));
  return group !== undefined && group[group.length - 1]?.set.key !== key;
}
