import type { DeviceClient, DeviceClientOptions } from '@neurolift/device-client';
import { createLogger } from '@neurolift/platform';
import { describe, expect, it } from 'vitest';
import { planGym } from './gym-model.js';
import { startSimulation, type PublishedEvent, type SimulationOptions } from './simulator.js';

const NOW = 1_793_032_889_123;
const logger = createLogger({ name: 'device-sim-test', level: 'silent' });

interface FakeBroker {
  readonly clients: Array<{ options: DeviceClientOptions; closed: boolean }>;
  readonly messages: Array<{ stationId: string; channel: string; ts: unknown }>;
  createClient(options: DeviceClientOptions): DeviceClient;
}

/** Device clients that acknowledge every publish at once: the simulator's logic without a broker. */
function fakeBroker(behaviour: { refuse?: boolean } = {}): FakeBroker {
  const broker: FakeBroker = {
    clients: [],
    messages: [],
    createClient(options) {
      const record = { options, closed: false };
      broker.clients.push(record);
      const publish = (channel: string) => (body: object) => {
        broker.messages.push({ stationId: options.stationId, channel, ts: 'ts' in body ? body.ts : undefined });
        return Promise.resolve();
      };
      return {
        gymId: options.gymId,
        stationId: options.stationId,
        connect: () => (behaviour.refuse ? Promise.reject(new Error('Connection refused: Not authorized')) : Promise.resolve()),
        publishRep: publish('rep'),
        publishSamples: publish('samples'),
        publishSet: publish('set'),
        publishStatus: publish('status'),
        pending: () => 0,
        isConnected: () => !record.closed,
        close: () => {
          record.closed = true;
          return Promise.resolve();
        },
      };
    },
  };
  return broker;
}

const options: SimulationOptions = {
  url: 'mqtt://127.0.0.1:1',
  gymId: 'gym-sim',
  stations: 4,
  setsPerStation: 2,
  speed: 1e6,
  seed: 7,
  runId: 'rtest',
  clock: () => NOW,
  logger,
};

describe('startSimulation', () => {
  it('plays every timeline through one client per station and summarises what was acknowledged', async () => {
    const broker = fakeBroker();
    const seen: PublishedEvent[] = [];
    const simulation = startSimulation({ ...options, onEvent: (event) => seen.push(event) }, { createClient: (o) => broker.createClient(o) });
    const summary = await simulation.done;

    const plan = planGym({ gymId: 'gym-sim', stations: 4, setsPerStation: 2, seed: 7, runId: 'rtest' });
    const count = (kind: string) => plan.flatMap((timeline) => timeline.events).filter((event) => event.kind === kind).length;
    expect(summary).toMatchObject({
      runId: 'rtest',
      stations: 4,
      published: { rep: count('rep'), set: count('set'), status: count('status'), samples: 0 },
      failed: 0,
      setsPlanned: 8,
      setsCompleted: 8,
      stopped: false,
    });
    expect(broker.clients.map((client) => client.options.stationId)).toEqual(plan.map((timeline) => timeline.station.id));
    expect(broker.clients.every((client) => client.closed)).toBe(true);
    expect(broker.clients[0]?.options).toMatchObject({ gymId: 'gym-sim', model: 'rack-pro', firmware: '2.4.1' });
    expect(broker.messages.every((message) => message.ts === NOW)).toBe(true);
    expect(seen).toHaveLength(broker.messages.length);
  });

  it('sends no set events at all with omitSetEvents', async () => {
    const broker = fakeBroker();
    const summary = await startSimulation({ ...options, omitSetEvents: true }, { createClient: (o) => broker.createClient(o) }).done;
    expect(summary.published.set).toBe(0);
    expect(summary.setsCompleted).toBe(8);
  });

  it('stops early on close(), closing every client', async () => {
    const broker = fakeBroker();
    const simulation = startSimulation({ ...options, speed: 1 }, { createClient: (o) => broker.createClient(o) });
    await simulation.close();
    const summary = await simulation.done;
    expect(summary.stopped).toBe(true);
    expect(summary.setsCompleted).toBe(0);
    expect(broker.clients.every((client) => client.closed)).toBe(true);
    await simulation.close(); // idempotent
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => startSimulation({ ...options, speed: 0 })).toThrow(/speed/);
  });

  it('counts the messages of a station the broker refuses as failed', async () => {
    const broker = fakeBroker({ refuse: true });
    const summary = await startSimulation({ ...options, stations: 1 }, { createClient: (o) => broker.createClient(o) }).done;
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.published.rep).toBe(0);
    expect(broker.messages).toEqual([]);
  });
});
