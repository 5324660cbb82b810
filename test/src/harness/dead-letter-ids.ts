// Which published messages the dead letters name, for the checker: a device message refused by ingest
// (topic gym/v1/<gym>/<station>/<channel>, the payload as sent) or a job refused by a worker (topic
// queue/<queue>/<job id>, the job data as payload, cut to 4096 characters). Pure.
import { repMessageId, setMessageId } from './checker.js';

export interface DeadLetterItem {
  readonly topic: string;
  readonly reason: string;
  readonly payload: string;
  readonly truncated?: boolean;
}

export interface DeadLetterIds {
  readonly ids: Set<string>;
  /** Letters whose payload was cut: only the complete records in them were read. */
  readonly truncated: number;
  /** Letters of our channels or queues that named nothing readable. */
  readonly unreadable: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Rep records of a rep-batch job (`{ v, reps: [...] }`); from a cut payload, the complete ones only. */
function repsOf(payload: string): Json[] {
  const whole = parse(payload);
  if (isObject(whole) && Array.isArray(whole.reps)) return whole.reps.filter(isObject);
  // Rep records hold no nested objects, so every complete one is a flat {...}.
  return (payload.match(/\{[^{}]*\}/g) ?? []).map(parse).filter(isObject);
}

/** The identity of a rep record (job data) or rep message (device payload, gym and station from the topic). */
export function repIdOf(rep: Json, gym?: string, station?: string): string | undefined {
  const g = typeof rep.gymId === 'string' ? rep.gymId : gym;
  const s = typeof rep.stationId === 'string' ? rep.stationId : station;
  const { setId, repIndex, ts } = rep;
  if (g === undefined || s === undefined || typeof setId !== 'string' || typeof repIndex !== 'number' || typeof ts !== 'number') return undefined;
  return repMessageId(g, s, setId, repIndex, ts);
}

/** Every identity the letters name; rep jobs name each of their reps, set jobs their set. */
export function deadLetteredIds(items: readonly DeadLetterItem[]): DeadLetterIds {
  const ids = new Set<string>();
  let truncated = 0;
  let unreadable = 0;
  for (const item of items) {
    const found: string[] = [];
    const device = /^gym\/v1\/([^/]+)\/([^/]+)\/(rep|set)$/.exec(item.topic);
    const queue = /^queue\/(reps|sets)\//.exec(item.topic);
    if (!device && !queue) continue;
    const data = parse(item.payload);
    if (device) {
      const [, gym = '', station = '', channel] = device;
      if (isObject(data) && channel === 'rep') found.push(...[repIdOf(data, gym, station)].filter((id) => id !== undefined));
      if (isObject(data) && channel === 'set' && data.event === 'end' && typeof data.setId === 'string') found.push(setMessageId(gym, station, data.setId));
    } else if (queue?.[1] === 'reps') {
      found.push(...repsOf(item.payload).map((rep) => repIdOf(rep)).filter((id) => id !== undefined));
    } else if (isObject(data) && typeof data.gymId === 'string' && typeof data.stationId === 'string' && typeof data.setId === 'string') {
      found.push(setMessageId(data.gymId, data.stationId, data.setId));
    }
    if (item.truncated === true || (data === undefined && found.length > 0)) truncated++;
    if (found.length === 0) unreadable++;
    for (const id of found) ids.add(id);
  }
  return { ids, truncated, unreadable };
}
