import { LiveEvent } from '@neurolift/contracts';
import type { LiveFeed, LiveListener, PubSubConnection } from './ports.js';

/** What became of one message received on a gym's channel. */
export type LiveMessageOutcome = 'forwarded' | 'not_json' | 'invalid' | 'wrong_gym';

/** Parses one channel message; an event must belong to the gym whose channel carried it. */
export function parseLiveMessage(gymId: string, text: string): { event: LiveEvent } | { drop: Exclude<LiveMessageOutcome, 'forwarded'> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { drop: 'not_json' };
  }
  const parsed = LiveEvent.safeParse(json);
  if (!parsed.success) return { drop: 'invalid' };
  const event = parsed.data;
  const eventGym = event.type === 'station' ? event.station.gymId : event.alert.gymId;
  return eventGym === gymId ? { event } : { drop: 'wrong_gym' };
}

export interface LiveFanoutOptions {
  readonly pubsub: PubSubConnection;
  /** The channel of a gym (its shard's `liveChannel`). */
  readonly channel: (gymId: string) => string;
  readonly onMessage?: (outcome: LiveMessageOutcome, gymId: string) => void;
  /** An UNSUBSCRIBE failed (the connection is down; it resubscribes only what is still subscribed). */
  readonly onError?: (error: unknown, gymId: string) => void;
}

interface GymSubscription {
  readonly gymId: string;
  readonly listeners: Set<LiveListener>;
  readonly subscribed: Promise<void>;
}

/**
 * One pub/sub connection for every client of every gym: a gym's channel is subscribed when its first
 * listener arrives and unsubscribed when its last one leaves; each message is parsed once, then fanned out.
 */
export function createLiveFanout(options: LiveFanoutOptions): LiveFeed {
  const { pubsub } = options;
  const byChannel = new Map<string, GymSubscription>();

  pubsub.onMessage((channel, text) => {
    const gym = byChannel.get(channel);
    if (gym === undefined) return; // in flight while the last listener left
    const parsed = parseLiveMessage(gym.gymId, text);
    options.onMessage?.('event' in parsed ? 'forwarded' : parsed.drop, gym.gymId);
    if (!('event' in parsed)) return;
    for (const listener of [...gym.listeners]) listener({ kind: 'event', event: parsed.event });
  });

  pubsub.onReconnect(() => {
    for (const gym of byChannel.values()) for (const listener of [...gym.listeners]) listener({ kind: 'resync' });
  });

  function leave(channel: string, gym: GymSubscription, listener: LiveListener): void {
    gym.listeners.delete(listener);
    if (gym.listeners.size > 0 || byChannel.get(channel) !== gym) return;
    byChannel.delete(channel);
    // Commands on one connection run in order, so a SUBSCRIBE issued after this one wins.
    pubsub.unsubscribe(channel).catch((error: unknown) => options.onError?.(error, gym.gymId));
  }

  return {
    async subscribe(gymId, listener) {
      const channel = options.channel(gymId);
      let gym = byChannel.get(channel);
      if (gym === undefined) {
        gym = { gymId, listeners: new Set(), subscribed: pubsub.subscribe(channel) };
        byChannel.set(channel, gym);
      }
      const joined = gym;
      joined.listeners.add(listener);
      try {
        await joined.subscribed;
      } catch (error) {
        leave(channel, joined, listener);
        throw error;
      }
      let left = false;
      return () => {
        if (left) return;
        left = true;
        leave(channel, joined, listener);
      };
    },
    listenerCount() {
      let count = 0;
      for (const gym of byChannel.values()) count += gym.listeners.size;
      return count;
    },
  };
}
