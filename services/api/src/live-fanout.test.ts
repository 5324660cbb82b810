import { describe, expect, it } from 'vitest';
import { createLiveFanout, parseLiveMessage, type LiveMessageOutcome } from './live-fanout.js';
import type { LiveFeedMessage } from './ports.js';
import { alert, createMemoryPubSub, station } from './test-fixtures.js';

function setup() {
  const pubsub = createMemoryPubSub();
  const outcomes: LiveMessageOutcome[] = [];
  const feed = createLiveFanout({ pubsub: pubsub.connection, channel: (gymId) => `live:${gymId}`, onMessage: (outcome) => outcomes.push(outcome) });
  const inbox = (): { messages: LiveFeedMessage[]; listener: (message: LiveFeedMessage) => void } => {
    const messages: LiveFeedMessage[] = [];
    return { messages, listener: (message) => messages.push(message) };
  };
  return { pubsub, feed, outcomes, inbox };
}

describe('parseLiveMessage', () => {
  it('accepts station and alert events of the channel gym only', () => {
    expect(parseLiveMessage('g1', JSON.stringify({ type: 'station', station: station() }))).toEqual({ event: { type: 'station', station: station() } });
    expect(parseLiveMessage('g1', JSON.stringify({ type: 'alert', alert: alert() }))).toEqual({ event: { type: 'alert', alert: alert() } });
    expect(parseLiveMessage('g2', JSON.stringify({ type: 'alert', alert: alert() }))).toEqual({ drop: 'wrong_gym' });
  });

  it('drops what is not JSON or breaks the schema', () => {
    expect(parseLiveMessage('g1', '{nope')).toEqual({ drop: 'not_json' });
    expect(parseLiveMessage('g1', JSON.stringify({ type: 'station', station: { ...station(), reps: 'many' } }))).toEqual({ drop: 'invalid' });
    expect(parseLiveMessage('g1', JSON.stringify({ type: 'rep' }))).toEqual({ drop: 'invalid' });
  });
});

describe('live fan-out', () => {
  it('subscribes a gym on its first listener and unsubscribes on its last', async () => {
    const { pubsub, feed, inbox } = setup();
    const [a, b] = [inbox(), inbox()];
    const [leaveA, leaveB] = await Promise.all([feed.subscribe('g1', a.listener), feed.subscribe('g1', b.listener)]);
    expect(pubsub.commands).toEqual(['subscribe live:g1']);
    expect(feed.listenerCount()).toBe(2);

    leaveA();
    leaveA(); // idempotent: must not remove b
    expect(pubsub.commands).toEqual(['subscribe live:g1']);
    leaveB();
    expect(pubsub.commands).toEqual(['subscribe live:g1', 'unsubscribe live:g1']);
    expect(feed.listenerCount()).toBe(0);

    await feed.subscribe('g1', a.listener);
    expect(pubsub.commands.at(-1)).toBe('subscribe live:g1');
  });

  it('parses each message once and delivers it to every listener of that gym only', async () => {
    const { pubsub, feed, outcomes, inbox } = setup();
    const [a, b, other] = [inbox(), inbox(), inbox()];
    await feed.subscribe('g1', a.listener);
    await feed.subscribe('g1', b.listener);
    await feed.subscribe('g2', other.listener);

    pubsub.publish('live:g1', JSON.stringify({ type: 'station', station: station() }));
    pubsub.publish('live:g1', 'garbage');
    pubsub.publish('live:g1', JSON.stringify({ type: 'alert', alert: alert({ gymId: 'g2' }) }));

    const expected = [{ kind: 'event', event: { type: 'station', station: station() } }];
    expect(a.messages).toEqual(expected);
    expect(b.messages).toEqual(expected);
    expect(other.messages).toEqual([]);
    expect(outcomes).toEqual(['forwarded', 'not_json', 'wrong_gym']);
  });

  it('asks every listener to resync after a reconnect', async () => {
    const { pubsub, feed, inbox } = setup();
    const a = inbox();
    await feed.subscribe('g1', a.listener);
    pubsub.reconnect();
    expect(a.messages).toEqual([{ kind: 'resync' }]);
  });

  it('a failed SUBSCRIBE rejects and leaves nothing behind, so the next client tries again', async () => {
    const { pubsub, feed, inbox } = setup();
    pubsub.failNextSubscribe(new Error('connection lost'));
    await expect(feed.subscribe('g1', inbox().listener)).rejects.toThrow('connection lost');
    expect(feed.listenerCount()).toBe(0);
    await feed.subscribe('g1', inbox().listener);
    expect(pubsub.channels.has('live:g1')).toBe(true);
  });
});
