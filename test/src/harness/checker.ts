// A queue checker in the spirit of Jepsen's total-queue checker (rabbitmq/jepsen): given what the test's
// devices published (and which of those the broker acknowledged) and what ended up in the TSDB and in the
// dead letters, classify every message. Pure: the fault tests gather the inputs, this only judges them.
//
//   stored-once      exactly one point (one TSDB identity) carries the message, every write of it agrees,
//                    and it holds the published values
//   dead-lettered    no point, but a dead letter names the message (kept, with a reason: not lost)
//   lost             acknowledged (PUBACK), yet neither stored nor dead-lettered
//   duplicated       more than one distinct point for one message, or one point whose writes disagree
//   altered          stored once, but with values other than those published
//   unacknowledged   never acknowledged and found nowhere (indeterminate, as in Jepsen: not lost)
//   unexpected       (per point) a point nobody published
import type { RecordedPoint } from './recording-proxy.js';

/** One message as the test's device log has it. */
export interface PublishedMessage {
  /** The message's identity, from {@link repMessageId} or {@link setMessageId}. */
  readonly id: string;
  /** The broker acknowledged it (PUBACK). */
  readonly acked: boolean;
  /** Field values the stored point must carry (line-protocol field name → value as published). */
  readonly expected?: Readonly<Record<string, string | number | boolean>>;
}

/** One point in one accepted TSDB write, reduced to what the checker needs. */
export interface StoredPoint {
  /** The message it stands for (derived from its tags and fields), or undefined when none can be derived. */
  readonly messageId: string | undefined;
  /** The TSDB's identity of the point: measurement, tags and time. Two writes with one key are one point. */
  readonly key: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface CheckInput {
  readonly published: readonly PublishedMessage[];
  /** Every point of every accepted write, in write order (a point written twice appears twice). */
  readonly points: readonly StoredPoint[];
  /** Identities named by dead letters. */
  readonly deadLettered: Iterable<string>;
  /** Fields a rewrite may change (outputs recomputed on purpose, e.g. a set's model terms); default none. */
  readonly mutableFields?: readonly string[];
  /** Examples kept per class; default 5. */
  readonly maxExamples?: number;
}

export const OUTCOMES = ['stored-once', 'dead-lettered', 'lost', 'duplicated', 'altered', 'unacknowledged'] as const;
export type Outcome = (typeof OUTCOMES)[number];
type Tally = Outcome | 'unexpected';

export interface CheckResult {
  readonly counts: Readonly<Record<Tally, number>> & { readonly published: number; readonly acked: number; readonly points: number };
  /** Up to maxExamples per class: the message id, with the reason for duplicated and altered. */
  readonly examples: Readonly<Record<Tally, readonly string[]>>;
  /** Stored messages that a dead letter names too (e.g. a refused batch whose points a later job wrote). */
  readonly storedAndDeadLettered: number;
  readonly outcomeOf: ReadonlyMap<string, Outcome>;
}

/** Identity of a rep message: the tuple that makes it unique in the protocol. */
export function repMessageId(gym: string, station: string, setId: string, repIndex: number, ts: number): string {
  return `rep/${gym}/${station}/${setId}/${repIndex}/${ts}`;
}

/** Identity of a set's `end` message: its set point is the evidence that the set was computed. */
export function setMessageId(gym: string, station: string, setId: string): string {
  return `set/${gym}/${station}/${setId}`;
}

/** A line-protocol field value as plain text: strings unquoted, the `i` of integers dropped. */
export function fieldValue(raw: string): string {
  if (raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (/^-?\d+i$/.test(raw)) return raw.slice(0, -1);
  return raw;
}

function sameValue(stored: string | undefined, expected: string | number | boolean): boolean {
  if (stored === undefined) return false;
  const text = fieldValue(stored);
  if (typeof expected === 'number') return Number(text) === expected;
  return text === String(expected);
}

function pointKey(point: RecordedPoint): string {
  const tags = Object.entries(point.tags).sort(([a], [b]) => a.localeCompare(b));
  return `${point.measurement},${tags.map(([k, v]) => `${k}=${v}`).join(',')} ${point.ts}`;
}

/** A recorded `rep` point as the checker sees it (identity from its tags, set_id, rep_index and time). */
export function repPoint(point: RecordedPoint): StoredPoint {
  const { gym, station } = point.tags;
  const setId = point.fields.set_id;
  const repIndex = point.fields.rep_index;
  const ok = gym !== undefined && station !== undefined && setId !== undefined && repIndex !== undefined;
  return {
    messageId: ok ? repMessageId(gym, station, fieldValue(setId), Number(fieldValue(repIndex)), point.ts) : undefined,
    key: pointKey(point),
    fields: point.fields,
  };
}

/** A recorded `set` point: it stands for the set's `end` message. */
export function setPoint(point: RecordedPoint): StoredPoint {
  const { gym, station } = point.tags;
  const setId = point.fields.set_id;
  const ok = gym !== undefined && station !== undefined && setId !== undefined;
  return { messageId: ok ? setMessageId(gym, station, fieldValue(setId)) : undefined, key: pointKey(point), fields: point.fields };
}

/** Why the writes of one point disagree (a field that changed), or undefined when they agree. */
function conflict(writes: readonly StoredPoint[], mutable: ReadonlySet<string>): string | undefined {
  const [first, ...rest] = writes;
  if (!first) return undefined;
  for (const later of rest) {
    const names = new Set([...Object.keys(first.fields), ...Object.keys(later.fields)]);
    for (const name of names) {
      if (mutable.has(name)) continue;
      if (first.fields[name] !== later.fields[name]) return `${name} written as ${first.fields[name] ?? '(absent)'} then ${later.fields[name] ?? '(absent)'}`;
    }
  }
  return undefined;
}

function mismatch(point: StoredPoint, expected: PublishedMessage['expected']): string | undefined {
  for (const [name, value] of Object.entries(expected ?? {})) {
    if (!sameValue(point.fields[name], value)) return `${name} stored as ${point.fields[name] ?? '(absent)'}, published ${String(value)}`;
  }
  return undefined;
}

/** Classifies every published message; see the header for the classes. */
export function checkQueue(input: CheckInput): CheckResult {
  const mutable = new Set(input.mutableFields ?? []);
  const maxExamples = input.maxExamples ?? 5;
  const deadLettered = new Set(input.deadLettered);
  const published = new Map(input.published.map((message) => [message.id, message]));

  // message id → point key → its writes, in write order
  const writes = new Map<string, Map<string, StoredPoint[]>>();
  const counts: Record<Tally, number> = { 'stored-once': 0, 'dead-lettered': 0, lost: 0, duplicated: 0, altered: 0, unacknowledged: 0, unexpected: 0 };
  const examples: Record<Tally, string[]> = { 'stored-once': [], 'dead-lettered': [], lost: [], duplicated: [], altered: [], unacknowledged: [], unexpected: [] };
  const note = (tally: Tally, example: string) => {
    counts[tally]++;
    if (examples[tally].length < maxExamples) examples[tally].push(example);
  };

  for (const point of input.points) {
    if (point.messageId === undefined || !published.has(point.messageId)) {
      note('unexpected', `${point.key} (as ${point.messageId ?? 'no message'})`);
      continue;
    }
    const byKey = writes.get(point.messageId) ?? new Map<string, StoredPoint[]>();
    writes.set(point.messageId, byKey);
    byKey.set(point.key, [...(byKey.get(point.key) ?? []), point]);
  }

  const outcomeOf = new Map<string, Outcome>();
  let storedAndDeadLettered = 0;
  for (const message of published.values()) {
    const byKey = writes.get(message.id);
    let outcome: Outcome;
    let why = '';
    if (byKey && byKey.size > 1) {
      outcome = 'duplicated';
      why = `${byKey.size} distinct points: ${[...byKey.keys()].join(' | ')}`;
    } else if (byKey) {
      const pointWrites = [...byKey.values()][0] as StoredPoint[];
      const disagreement = conflict(pointWrites, mutable);
      const altered = mismatch(pointWrites[pointWrites.length - 1] as StoredPoint, message.expected);
      if (disagreement !== undefined) [outcome, why] = ['duplicated', disagreement];
      else if (altered !== undefined) [outcome, why] = ['altered', altered];
      else outcome = 'stored-once';
    } else if (deadLettered.has(message.id)) outcome = 'dead-lettered';
    else outcome = message.acked ? 'lost' : 'unacknowledged';
    if (byKey && deadLettered.has(message.id)) storedAndDeadLettered++;
    outcomeOf.set(message.id, outcome);
    note(outcome, why === '' ? message.id : `${message.id}: ${why}`);
  }

  return {
    counts: { ...counts, published: published.size, acked: input.published.filter((m) => m.acked).length, points: input.points.length },
    examples,
    storedAndDeadLettered,
    outcomeOf,
  };
}
