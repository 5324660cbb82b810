// Fakes and fixtures for the api's unit tests: an in-memory pub/sub, live state, an SSE reader.
import { get, type IncomingMessage } from 'node:http';
import { createRegistry, PipelineError } from '@neurolift/platform';
import { DEFAULT_TENANT, type AlertMessage, type LiveStation } from '@neurolift/contracts';
import { createRegistryAdmin, type AuditEntry, type AuditLog, type RegistryStore, type TokenStore } from '@neurolift/tenancy';
import { buildApi, type ApiDeps } from './app.js';
import { createAthleteErasure } from './athlete-erasure.js';
import { createLiveFanout } from './live-fanout.js';
import type { AthleteRedisEraser, LiveFeed, LiveSnapshot, PubSubConnection } from './ports.js';

export const TOKEN = 'test-token-0123456789';
export const T0 = 1_800_000_000_000;

export function station(overrides: Partial<LiveStation> = {}): LiveStation {
  return {
    gymId: 'g1',
    stationId: 'st1',
    athleteId: 'a1',
    setId: 's1',
    exercise: 'back_squat',
    loadKg: 100,
    reps: [
      { repIndex: 1, meanVelocity: 0.6, ts: T0 },
      { repIndex: 2, meanVelocity: 0.5, velocityLossPct: 16.7, ts: T0 + 3000 },
    ],
    velocityLossPct: 16.7,
    fatigueAmberPct: 30,
    fatigueRedPct: 40,
    open: true,
    updatedAt: T0 + 3000,
    ...overrides,
  };
}

export function alert(overrides: Partial<AlertMessage> = {}): AlertMessage {
  return {
    id: 'a'.repeat(32),
    rule: 'high_fatigue',
    severity: 'amber',
    gymId: 'g1',
    stationId: 'st1',
    athleteId: 'a1',
    setId: 's1',
    exercise: 'back_squat',
    value: 31,
    threshold: 30,
    unit: 'percent',
    message: 'Athlete a1: velocity loss 31 % in set s1 (back_squat) at rep 5, above 30 %',
    model: 'nsi-1',
    ts: T0 + 5000,
    ...overrides,
  };
}

/** A PubSubConnection in memory that records what is subscribed and lets the test publish. */
export function createMemoryPubSub() {
  const channels = new Set<string>();
  const commands: string[] = [];
  let onMessage: (channel: string, text: string) => void = () => undefined;
  let onReconnect: () => void = () => undefined;
  let failNext: Error | undefined;
  const connection: PubSubConnection = {
    async subscribe(channel) {
      commands.push(`subscribe ${channel}`);
      if (failNext !== undefined) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      channels.add(channel);
    },
    async unsubscribe(channel) {
      commands.push(`unsubscribe ${channel}`);
      channels.delete(channel);
    },
    onMessage: (handler) => (onMessage = handler),
    onReconnect: (handler) => (onReconnect = handler),
  };
  return {
    connection,
    channels,
    commands,
    publish: (channel: string, text: string) => channels.has(channel) && (onMessage(channel, text), true),
    reconnect: () => onReconnect(),
    failNextSubscribe: (error: Error) => (failNext = error),
  };
}
export type MemoryPubSub = ReturnType<typeof createMemoryPubSub>;

/**
 * An AthleteRedisEraser over an in-memory key set: `keys` holds key names, some named after athletes
 * (`athlete:<id>:…`); `busy` makes the lock look held by a worker.
 */
export function createMemoryRedisEraser(keys: Iterable<string> = []) {
  const state = { keys: new Set(keys), busy: false, locked: [] as string[] };
  const eraser: AthleteRedisEraser = {
    async withAthleteLock(athleteId, work) {
      if (state.busy) throw new PipelineError('NL_ERR_ATHLETE_BUSY', `athlete ${athleteId} is being updated by another worker`, true);
      state.locked.push(athleteId);
      try {
        return await work();
      } finally {
        state.locked.pop();
      }
    },
    async erase(athleteId) {
      if (!state.locked.includes(athleteId)) throw new Error('erase outside the athlete lock');
      const mine = [...state.keys].filter((key) => key.startsWith(`athlete:${athleteId}:`));
      for (const key of mine) state.keys.delete(key);
      return { keysDeleted: mine.length, entriesRemoved: 0 };
    },
  };
  return { eraser, state };
}

/** The app with in-memory live state and feed; `snapshots` is what the state reader returns per gym. */
export function buildTestApi(overrides: Partial<ApiDeps> = {}) {
  const pubsub = createMemoryPubSub();
  const snapshots = new Map<string, LiveSnapshot>();
  const liveFeed: LiveFeed = createLiveFanout({ pubsub: pubsub.connection, channel: (gymId) => `live:${gymId}` });
  const audit = createMemoryAuditLog();
  const app = buildApi({
    // The bootstrap token only: scoped tokens and the registry are tested against Redis (test/src/access-matrix.test.ts).
    access: { bootstrapToken: TOKEN, tokens: { authenticate: async () => undefined }, view: { tenantOfGym: () => DEFAULT_TENANT }, athletes: { ownerOf: async () => undefined, seenAt: async () => false } },
    admin: createRegistryAdmin({ store: unavailable<RegistryStore>('registry'), tokens: unavailable<TokenStore>('tokens'), audit, clock: () => T0 }),
    registryStore: { listTenants: async () => [] },
    audit,
    owners: { claim: async (_athleteId, tenantId) => tenantId, release: async () => undefined },
    clock: () => T0,
    deadLetters: { list: async () => ({ total: 0, byReason: {}, items: [] }) },
    profiles: { get: async () => undefined, put: async () => undefined },
    erasure: createAthleteErasure({ redis: createMemoryRedisEraser().eraser, tsdb: undefined }),
    liveState: { snapshot: async (gymId) => snapshots.get(gymId) ?? { stations: [], alerts: [] } },
    liveFeed,
    registry: createRegistry({ defaultMetrics: false }),
    checks: { live: () => true, ready: () => true },
    ...overrides,
  });
  return { app, pubsub, snapshots, liveFeed, audit };
}

/** A port these unit tests must not reach: every method rejects, naming it. */
function unavailable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, method) => () => Promise.reject(new Error(`${name}.${String(method)} is not available in unit tests`)),
  });
}

/** The audit log in memory, newest first, as the Redis one reads. */
export function createMemoryAuditLog(): AuditLog & { readonly entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    async append(_tenantId, entry, now) {
      entries.unshift({ id: `${now}-${entries.length}`, at: new Date(now).toISOString(), ...entry });
    },
    async read(_tenantId, limit) {
      return entries.slice(0, limit);
    },
  };
}

/** One block of an event stream: an event, or a comment (heartbeat), or the `retry` field. */
export interface SseBlock {
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

function parseBlock(block: string): SseBlock {
  const parsed: SseBlock = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      parsed.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event' || name === 'data' || name === 'retry') parsed[name] = value;
  }
  return parsed;
}

/**
 * Opens an event stream with node:http on its own connection (fetch keeps extra sockets open, which
 * would hold app.close() until the server's headers timeout) and reads it one block at a time.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { headers, agent: false }, resolve).on('error', reject);
  });
  response.setEncoding('utf8');
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
  let buffer = '';
  return {
    status: response.statusCode,
    headers: response.headers,
    async next(): Promise<SseBlock> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return parseBlock(block);
        }
        const chunk = await chunks.next();
        if (chunk.done === true) throw new Error('event stream ended');
        buffer += chunk.value;
      }
    },
    /** Resolves when the server ends the stream. */
    async ended(): Promise<void> {
      while ((await chunks.next()).done !== true);
    },
    /** The client goes away (closes its connection). */
    close: () => response.destroy(),
  };
}
