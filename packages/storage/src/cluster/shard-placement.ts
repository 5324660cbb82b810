/**
 * Where a deployment's shards sit on a Redis Cluster, and the fewest moves that spread them evenly. A shard
 * is one hash tag, so one slot: its keys always move together, and Redis moves them online (MIGRATE per key,
 * clients follow ASK/MOVED). Growing from M to M + k masters, or evening out the placement the slot ranges
 * happened to give, is moving whole shards; S itself does not change (decision 0022). Pure.
 */

/** A master and the slot ranges it serves (inclusive). */
export interface SlotOwner {
  readonly id: string;
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

export interface ShardSlot {
  readonly shard: number;
  readonly slot: number;
}

export interface ShardMove extends ShardSlot {
  readonly from: string;
  readonly to: string;
}

/** The master serving a slot, or undefined when none does (a cluster that is not ok). */
export function ownerOfSlot(masters: readonly SlotOwner[], slot: number): string | undefined {
  return masters.find((master) => master.slots.some(([from, to]) => slot >= from && slot <= to))?.id;
}

/** Each master's shards (every master listed, with none if it holds none). */
export function placement(masters: readonly SlotOwner[], shards: readonly ShardSlot[]): Map<string, ShardSlot[]> {
  const out = new Map<string, ShardSlot[]>(masters.map((master) => [master.id, []]));
  for (const shard of shards) {
    const owner = ownerOfSlot(masters, shard.slot);
    if (owner === undefined) throw new Error(`no master serves slot ${shard.slot} (shard ${shard.shard}): the cluster is not ok`);
    out.get(owner)?.push(shard);
  }
  return out;
}

/**
 * The moves that leave every master with ⌊S/M⌋ or ⌈S/M⌉ shards, moving as few as possible: masters over
 * their share give their highest-numbered shards to the masters furthest under theirs. Two shards on one
 * slot (not with the `{nl:n}` tags, but possible with another prefix) move together.
 */
export function balanceMoves(masters: readonly SlotOwner[], shards: readonly ShardSlot[]): ShardMove[] {
  if (masters.length === 0) return [];
  const held = placement(masters, shards);
  // Shards sharing a slot are one unit.
  const units = (list: readonly ShardSlot[]) => [...new Set(list.map((s) => s.slot))].map((slot) => list.filter((s) => s.slot === slot));
  const slotsTotal = new Set(shards.map((s) => s.slot)).size;
  const base = Math.floor(slotsTotal / masters.length);
  let extra = slotsTotal % masters.length;
  // The masters already holding the most keep the ⌈S/M⌉ shares: fewer moves.
  const order = [...held].sort((a, b) => units(b[1]).length - units(a[1]).length || a[0].localeCompare(b[0]));
  const target = new Map<string, number>();
  for (const [id] of order) {
    target.set(id, base + (extra > 0 ? 1 : 0));
    if (extra > 0) extra--;
  }
  const surplus: Array<{ from: string; unit: ShardSlot[] }> = [];
  for (const [id, list] of order) {
    const mine = units(list).sort((a, b) => (b[0]?.shard ?? 0) - (a[0]?.shard ?? 0));
    const over = mine.length - (target.get(id) ?? 0);
    for (const unit of mine.slice(0, Math.max(0, over))) surplus.push({ from: id, unit });
  }
  const moves: ShardMove[] = [];
  const count = new Map(order.map(([id, list]) => [id, units(list).length]));
  for (const { from, unit } of surplus) {
    const to = [...count].filter(([id, n]) => n < (target.get(id) ?? 0)).sort((a, b) => a[1] - (target.get(a[0]) ?? 0) - (b[1] - (target.get(b[0]) ?? 0)) || a[0].localeCompare(b[0]))[0]?.[0];
    if (to === undefined) break;
    for (const shard of unit) moves.push({ ...shard, from, to });
    count.set(to, (count.get(to) ?? 0) + 1);
    count.set(from, (count.get(from) ?? 0) - 1);
  }
  return moves;
}
