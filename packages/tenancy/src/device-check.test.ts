import { describe, expect, it } from 'vitest';
import { checkDevice } from './device-check.js';
import type { Device, Tenant } from './model.js';
import { viewOf } from './registry-view.js';

const AT = '2026-12-01T00:00:00.000Z';
const device = (id: string, tenant: string, kind: Device['kind'], gyms: string[], enabled = true): Device => ({
  id, tenant, kind, gyms, enabled, createdAt: AT, passwordSetAt: AT, password: { salt: 's', hash: 'h', iterations: 101 },
});
const tenant = (id: string): Tenant => ({ id, name: id, bucket: `b-${id}`, createdAt: AT });

const view = viewOf(
  {
    tenants: [tenant('acme'), tenant('brawn')],
    gyms: new Map([['acme-1', 'acme'], ['acme-2', 'acme'], ['brawn-1', 'brawn'], ['home-1', 'default']]),
    devices: new Map(
      [
        device('rack-a', 'acme', 'equipment', ['acme-1']),
        device('band-a', 'acme', 'wearable', ['acme-1', 'acme-2']),
        device('coach-a', 'acme', 'coach-app', ['acme-1']),
        device('rack-off', 'acme', 'equipment', ['acme-1'], false),
        device('rack-d', 'default', 'equipment', ['home-1']),
        device('band-x', 'acme', 'wearable', ['brawn-1']), // a registry edited by hand: lists another tenant's gym
      ].map((d) => [d.id, d]),
    ),
  },
  'telemetry',
);

describe('checkDevice', () => {
  it.each([
    // mode, gym, station → outcome, tenant whose admins see it
    ['enforce', 'acme-1', 'rack-a', 'ok', 'acme'],
    ['enforce', 'acme-2', 'rack-a', 'gym_not_allowed', 'acme'],
    ['enforce', 'brawn-1', 'rack-a', 'gym_not_allowed', 'acme'],
    ['enforce', 'acme-2', 'band-a', 'ok', 'acme'],
    ['enforce', 'brawn-1', 'band-x', 'gym_not_allowed', 'acme'],
    ['enforce', 'acme-1', 'coach-a', 'unregistered_station', 'acme'],
    ['enforce', 'acme-1', 'rack-off', 'ok', 'acme'],
    ['enforce', 'acme-1', 'stranger', 'unregistered_station', 'acme'],
    ['enforce', 'home-1', 'stranger', 'unregistered_station', 'default'],
    ['enforce', 'unknown-gym', 'stranger', 'unregistered_station', 'default'],
    ['open', 'unknown-gym', 'stranger', 'ok', 'default'],
    ['open', 'home-1', 'stranger', 'ok', 'default'],
    ['open', 'acme-1', 'stranger', 'unregistered_station', 'acme'],
    ['open', 'home-1', 'rack-d', 'ok', 'default'],
    ['open', 'unknown-gym', 'rack-a', 'gym_not_allowed', 'acme'],
    ['open', 'brawn-1', 'rack-d', 'gym_not_allowed', 'default'],
  ] as const)('%s: %s/%s → %s (%s)', (mode, gym, station, outcome, owner) => {
    const check = checkDevice(view, mode, gym, station);
    expect(check.ok ? 'ok' : check.reason).toBe(outcome);
    expect(check.tenant).toBe(owner);
  });

  it('names the station and the gym in a refusal', () => {
    const check = checkDevice(view, 'enforce', 'brawn-1', 'rack-a');
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.detail).toBe('station rack-a may not publish under gym brawn-1');
  });
});

describe('viewOf', () => {
  it('puts unregistered gyms and the default tenant in INFLUX_BUCKET, others in their own', () => {
    expect(view.tenantOfGym('nowhere')).toBe('default');
    expect(view.bucketOf('default')).toBe('telemetry');
    expect(view.bucketOf('acme')).toBe('b-acme');
    expect(view.bucketOf(view.tenantOfGym('brawn-1'))).toBe('b-brawn');
  });
});
