// The cluster pipeline's device stream spread over many gyms: gyms in every shard, their interleaved stream
// and where each set's NSI point must be.
import { DEFAULT_TENANT, type ShardLayout } from '@neurolift/contracts';
import { LAYOUT } from './cluster-layout.js';
import { buildStream, type StreamMessage, type StreamPlan } from './device-stream.js';

/**
 * `perShard` gyms of the default tenant in every shard (the first names `<stem>-<i>` that land there),
 * so that a stream over them writes to all of them.
 */
export function gymsInEveryShard(stem: string, perShard: number, layout: ShardLayout = LAYOUT): string[] {
  const byShard = Array.from({ length: layout.count }, () => [] as string[]);
  for (let i = 0; byShard.some((gyms) => gyms.length < perShard); i++) {
    const gym = `${stem}-${i}`;
    const list = byShard[layout.gymShard(DEFAULT_TENANT, gym)];
    if (list && list.length < perShard) list.push(gym);
  }
  return byShard.flat();
}

export interface GymsPlan {
  readonly gyms: readonly string[];
  readonly stations: number;
  readonly repsPerSet: number;
  /** Device time of every gym's first message, epoch ms. */
  readonly t0: number;
}

/**
 * Sets `fromSet` … `toSet − 1` of every station of every gym (device-stream's plan per gym, so ids,
 * payloads and expected values are the checker's), the gyms taking turns message by message. A second
 * stream with later sets continues the first one's stations and athletes, with later device times.
 */
export function gymsStream(plan: GymsPlan, fromSet: number, toSet: number): StreamMessage[] {
  const perGym = plan.gyms.map((gym) => {
    const gymPlan: StreamPlan = { gym, stations: plan.stations, sets: toSet, repsPerSet: plan.repsPerSet, grinding: { station: 0, set: toSet - 1 }, t0: plan.t0 };
    return buildStream(gymPlan).filter((m) => {
      const setId = (JSON.parse(m.payload) as { setId: string }).setId;
      return Number(setId.slice('set-'.length)) >= fromSet;
    });
  });
  const out: StreamMessage[] = [];
  for (let turn = 0; perGym.some((messages) => turn < messages.length); turn++) {
    for (const messages of perGym) {
      const message = messages[turn];
      if (message) out.push(message);
    }
  }
  return out;
}

/** The device time of each set's last rep, by athlete: where its session NSI point must be. */
export function expectedNsi(messages: readonly StreamMessage[], repsPerSet: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const message of messages) {
    if (!message.topic.endsWith('/rep')) continue;
    const rep = JSON.parse(message.payload) as { athleteId: string; repIndex: number; ts: number };
    if (rep.repIndex !== repsPerSet) continue;
    out.set(rep.athleteId, [...(out.get(rep.athleteId) ?? []), rep.ts].sort((a, b) => a - b));
  }
  return out;
}
