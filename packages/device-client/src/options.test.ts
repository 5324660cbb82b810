import { describe, expect, it } from 'vitest';
import { buildMqttOptions, DEFAULT_MAX_BUFFERED, DEFAULT_SESSION_EXPIRY_S, resolveOptions } from './options.js';

const base = { url: 'mqtt://127.0.0.1:1883', gymId: 'gym-1', stationId: 'rack-07' };

describe('buildMqttOptions', () => {
  it('speaks MQTT 5 as the station, keeps the session and sets the retained offline will', () => {
    const mqtt = buildMqttOptions({ ...base, password: 'pw' });
    expect(mqtt).toMatchObject({
      protocolVersion: 5,
      clientId: 'rack-07',
      username: 'rack-07',
      password: 'pw',
      clean: false,
      manualConnect: true,
      properties: { sessionExpiryInterval: DEFAULT_SESSION_EXPIRY_S },
      will: { topic: 'gym/v1/gym-1/rack-07/status', qos: 1, retain: true },
    });
    expect(mqtt.will?.payload.toString()).toBe('{"v":1,"online":false}');
  });

  it('passes extra MQTT.js options through, but the protocol-mandated ones win', () => {
    const mqtt = buildMqttOptions({
      ...base,
      username: 'serial-123',
      mqtt: { keepalive: 15, clientId: 'other', clean: true, protocolVersion: 4, properties: { sessionExpiryInterval: 60 } },
    });
    expect(mqtt).toMatchObject({ keepalive: 15, clientId: 'rack-07', username: 'serial-123', clean: false, protocolVersion: 5 });
    expect(mqtt.properties?.sessionExpiryInterval).toBe(60);
    expect(mqtt).not.toHaveProperty('password');
  });
});

describe('resolveOptions', () => {
  it('fills defaults and freezes the result', () => {
    const resolved = resolveOptions(base);
    expect(resolved.maxBuffered).toBe(DEFAULT_MAX_BUFFERED);
    expect(resolved.clock).toBe(Date.now);
    expect(Object.isFrozen(resolved)).toBe(true);
  });
});
