import { parseAlertConfig } from '@neurolift/alerts';
import type { AlertMessage } from '@neurolift/contracts';
import { describe, expect, it } from 'vitest';
import { deliverAlert, type DeliveryDeps } from './deliver-alert.js';
import type { ClaimOutcome, DeliveryChannel } from './ports.js';

const NOW = 1_795_000_000_000;
const ALERT: AlertMessage = {
  id: '0123456789abcdef0123456789abcdef',
  rule: 'high_fatigue',
  severity: 'red',
  gymId: 'gym-1',
  stationId: 'st-1',
  athleteId: 'ath-1',
  setId: 's-1',
  value: 45,
  threshold: 40,
  unit: 'percent',
  message: 'Athlete ath-1: velocity loss 45 % in set s-1 (back_squat), above 40 %',
  model: 'nsi-1',
  ts: NOW - 1000,
};

/** In-memory channels and ledger: what was delivered where, and which channel fails next. */
function harness(options: { claim?: ClaimOutcome; failing?: Set<DeliveryChannel> } = {}) {
  const delivered: DeliveryChannel[] = [];
  const buckets: Array<string | undefined> = [];
  const ledger = new Set<DeliveryChannel>();
  const failing = options.failing ?? new Set<DeliveryChannel>();
  const attempt = async (channel: DeliveryChannel) => {
    if (failing.has(channel)) throw new Error(`${channel} down`);
    delivered.push(channel);
  };
  const deps: DeliveryDeps = {
    ledger: {
      claim: async () => options.claim ?? 'new',
      delivered: async () => new Set(ledger),
      mark: async (_id, channel) => void ledger.add(channel),
    },
    publisher: { publish: () => attempt('mqtt') },
    live: { station: async () => undefined, putStations: async () => undefined, pushAlert: () => attempt('live') },
    sink: {
      write: async (_lines, bucket) => {
        await attempt('tsdb');
        buckets.push(bucket);
      },
    },
    bucketOfGym: (gymId) => `bucket-of-${gymId}`,
    queues: { webhook: () => attempt('webhook') },
    config: parseAlertConfig(JSON.stringify({ gyms: { 'gym-1': { webhook: { url: 'https://coach.example/hook', secret: 'secret-0123456789' } } } }), 'test'),
    clock: () => NOW,
    pushMaxAgeMs: 15 * 60_000,
  };
  return { deps, delivered, buckets, ledger, failing };
}

describe('deliverAlert', () => {
  it('pushes first (MQTT, webhook), then records (console, TSDB), each once', async () => {
    const h = harness();
    expect(await deliverAlert(ALERT, h.deps)).toBe('delivered');
    expect(h.delivered).toEqual(['mqtt', 'webhook', 'live', 'tsdb']);
    expect(await deliverAlert(ALERT, h.deps)).toBe('delivered');
    expect(h.delivered).toHaveLength(4);
  });

  it("writes the alert's point into the bucket of its gym's tenant", async () => {
    const h = harness();
    await deliverAlert(ALERT, h.deps);
    expect(h.buckets).toEqual(['bucket-of-gym-1']);
  });

  it('a channel that fails does not hold back the others; the retry delivers only what is missing', async () => {
    const h = harness({ failing: new Set(['mqtt']) });
    await expect(deliverAlert(ALERT, h.deps)).rejects.toThrow('mqtt down');
    expect(h.delivered).toEqual(['webhook', 'live', 'tsdb']);
    h.failing.clear();
    expect(await deliverAlert(ALERT, h.deps)).toBe('delivered');
    expect(h.delivered).toEqual(['webhook', 'live', 'tsdb', 'mqtt']);
  });

  it('an alert about the moment that is too old is recorded, not pushed; a daily one is pushed whatever its age', async () => {
    const old = { ...ALERT, ts: NOW - 16 * 60_000 };
    const h = harness();
    expect(await deliverAlert(old, h.deps)).toBe('recorded_stale');
    expect(h.delivered).toEqual(['live', 'tsdb']);
    const daily = harness();
    expect(await deliverAlert({ ...old, rule: 'low_exposure', severity: 'info', unit: 'sessions' }, daily.deps)).toBe('delivered');
    expect(daily.delivered).toContain('mqtt');
  });

  it('within the cooldown nothing is delivered', async () => {
    const h = harness({ claim: 'cooldown' });
    expect(await deliverAlert(ALERT, h.deps)).toBe('cooldown');
    expect(h.delivered).toEqual([]);
  });

  it('no webhook configured for the gym: none is enqueued', async () => {
    const h = harness();
    expect(await deliverAlert({ ...ALERT, gymId: 'gym-2' }, h.deps)).toBe('delivered');
    expect(h.delivered).toEqual(['mqtt', 'live', 'tsdb']);
  });
});
