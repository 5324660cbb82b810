// The device registry's broker side on a real Mosquitto 2.0 with the dynamic security plugin: devices
// are added, narrowed, disabled, rotated and removed through BrokerAccess while the broker runs (no
// reload), and the broker enforces each change at once. A subscriber as the ingest user (gym/v1/#)
// shows what reaches the pipeline.
import { performance } from 'node:perf_hooks';
import type { BrokerAccess } from '@neurolift/tenancy';
import mqtt, { type IClientOptions, type IDisconnectPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closer } from './harness/closer.js';
import { DYNSEC_PASSWORDS, startDynsecServers, subackCode, testDevice, type DynsecServers } from './harness/dynsec-broker.js';
import { REASON, ackingPublisher, connackCode } from './harness/mqtt-reason-codes.js';
import { waitFor } from './harness/servers.js';

/** MQTT 5 DISCONNECT reason the plugin's kick sends (mosquitto_kick_client_by_username). */
const ADMINISTRATIVE_ACTION = 0x98;

let rig: DynsecServers<'mosquitto'>;
let access: BrokerAccess;
let url: string;
const closer = new Closer();
/** Everything the ingest user receives on gym/v1/#. */
const atIngest: Array<{ topic: string; payload: string }> = [];

/**
 * Connects once (no reconnect unless told); ended in afterAll. The client id is the username: the only
 * one the broker accepts from a device, so a device has one connection at a time (a second one with its
 * id takes the first one's place). The pipeline's users pass their own.
 */
async function connectAs(username: string, password: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: username,
    username,
    password,
    reconnectPeriod: 0,
    ...options,
  });
  return closer.add(client, (c) => c.endAsync(true));
}

/** Publishes a marker on a device's own topic and waits for it at the ingest user: whatever was sent before it has arrived. */
async function flushThrough(device: MqttClient, gym: string, id: string): Promise<void> {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  await device.publishAsync(`gym/v1/${gym}/${id}/status`, marker, { qos: 1 });
  await waitFor(async () => (atIngest.some((m) => m.payload === marker) ? true : undefined), { what: `marker of ${id} at the ingest user` });
}

/** Resolves when the client's connection closes, with the DISCONNECT the broker sent first (if any). */
function nextClose(client: MqttClient): Promise<{ at: number; disconnect?: IDisconnectPacket }> {
  let disconnect: IDisconnectPacket | undefined;
  const onDisconnect = (packet: IDisconnectPacket): void => {
    disconnect = packet;
  };
  client.on('disconnect', onDisconnect);
  return new Promise((resolve) =>
    client.once('close', () => {
      client.off('disconnect', onDisconnect);
      resolve({ at: performance.now(), ...(disconnect && { disconnect }) });
    }),
  );
}

beforeAll(async () => {
  rig = await startDynsecServers({ services: ['mosquitto'] });
  access = rig.access;
  url = rig.servers.env.MQTT_URL;
  const ingest = await connectAs('neurolift.ingest', DYNSEC_PASSWORDS.ingest, { clientId: 'ingest-observer' });
  ingest.on('message', (topic, payload) => atIngest.push({ topic, payload: payload.toString() }));
  await ingest.subscribeAsync('gym/v1/#', { qos: 1 });
});

afterAll(async () => {
  await closer.close();
  await rig?.stop();
});

describe('registration', () => {
  it('a device added while the broker runs works at once, with no reload', async () => {
    const pid = rig.servers.mosquitto.pid;
    await access.upsertDevice(testDevice('rack-a1', 'equipment', ['gym-a'], 'rack-a1-pw-1'), 'rack-a1-pw-1');
    const rack = ackingPublisher(await connectAs('rack-a1', 'rack-a1-pw-1'));
    expect(await rack.publish('gym/v1/gym-a/rack-a1/rep', 'first')).toBe(REASON.success);
    await waitFor(async () => (atIngest.some((m) => m.topic === 'gym/v1/gym-a/rack-a1/rep' && m.payload === 'first') ? true : undefined), { what: 'the new device’s message' });
    expect(rig.servers.mosquitto.pid).toBe(pid);
  });

  it('an unregistered client, a wrong password and no credentials are refused at CONNECT', async () => {
    expect(await connackCode(url, { clientId: 'ghost-01', username: 'ghost-01', password: 'anything' })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { clientId: 'rack-a1', username: 'rack-a1', password: 'wrong' })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, {})).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { protocolVersion: 4 })).toBe(REASON.v311NotAuthorized);
  });

  it('upserting again replaces the password and keeps the device working', async () => {
    const device = testDevice('rack-a2', 'equipment', ['gym-a'], 'rack-a2-pw-1');
    await access.upsertDevice(device, 'rack-a2-pw-1');
    await access.upsertDevice(device, 'rack-a2-pw-2');
    expect(await connackCode(url, { clientId: 'rack-a2', username: 'rack-a2', password: 'rack-a2-pw-1' })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { clientId: 'rack-a2', username: 'rack-a2', password: 'rack-a2-pw-2' })).toBe(REASON.success);
  });

  it('a device upserted disabled cannot connect', async () => {
    await access.upsertDevice(testDevice('rack-a3', 'equipment', ['gym-a'], 'rack-a3-pw', { enabled: false }), 'rack-a3-pw');
    expect(await connackCode(url, { clientId: 'rack-a3', username: 'rack-a3', password: 'rack-a3-pw' })).toBe(REASON.notAuthorized);
  });
});

describe('client ids', () => {
  it('a device is refused at CONNECT under any client id but its own, and the session holding that id stays', async () => {
    // Ingest as in production: a persistent session under its fixed client id (MQTT_CLIENT_ID's default).
    const ingest = await connectAs('neurolift.ingest', DYNSEC_PASSWORDS.ingest, { clientId: 'neurolift-ingest', clean: false, properties: { sessionExpiryInterval: 300 } });
    const received: string[] = [];
    ingest.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    await ingest.subscribeAsync('gym/v1/gym-a/+/rep', { qos: 1 });
    // rack-c1 is created bound (createClient); rack-c2 exists unbound, as a device registered before devices were bound, and the upsert binds it (modifyClient).
    await access.upsertDevice(testDevice('rack-c1', 'equipment', ['gym-a'], 'rack-c1-pw'), 'rack-c1-pw');
    await rig.dynsec.send([{ command: 'createClient', username: 'rack-c2', password: 'rack-c2-pw' }]);
    await access.upsertDevice(testDevice('rack-c2', 'equipment', ['gym-a'], 'rack-c2-pw'), 'rack-c2-pw');
    const other = await connectAs('rack-c2', 'rack-c2-pw');
    const kicked: string[] = [];
    for (const [name, client] of [['ingest', ingest], ['rack-c2', other]] as const) {
      client.on('disconnect', (packet) => kicked.push(`${name} DISCONNECT ${packet.reasonCode}`));
      client.on('close', () => kicked.push(`${name} closed`));
    }

    // Clean start: had the broker let them in, it would have kicked the holder and discarded its session.
    const attempt = (username: string, clientId: string): Promise<number> => connackCode(url, { clientId, username, password: `${username}-pw`, clean: true });
    for (const clientId of ['neurolift-ingest', 'rack-c2', 'rack-c1-b']) expect(await attempt('rack-c1', clientId), `rack-c1 as ${clientId}`).toBe(REASON.notAuthorized);
    for (const clientId of ['neurolift-ingest', 'rack-c1']) expect(await attempt('rack-c2', clientId), `rack-c2 as ${clientId}`).toBe(REASON.notAuthorized);

    // Under its own id the device connects, and both connections that were there still deliver.
    expect(await ackingPublisher(await connectAs('rack-c1', 'rack-c1-pw')).publish('gym/v1/gym-a/rack-c1/rep', 'own-id')).toBe(REASON.success);
    expect(await ackingPublisher(other).publish('gym/v1/gym-a/rack-c2/rep', 'still-connected')).toBe(REASON.success);
    const expected = ['gym/v1/gym-a/rack-c1/rep own-id', 'gym/v1/gym-a/rack-c2/rep still-connected'];
    await waitFor(async () => (expected.every((m) => received.includes(m)) ? true : undefined), { what: 'both racks’ reps at the ingest session' });
    expect(kicked).toEqual([]);
  });
});

describe('topics', () => {
  it('equipment of gym A cannot publish under gym B or as another station, and ingest receives none of it', async () => {
    await access.upsertDevice(testDevice('rack-a4', 'equipment', ['gym-a'], 'rack-a4-pw'), 'rack-a4-pw');
    const client = await connectAs('rack-a4', 'rack-a4-pw');
    const rack = ackingPublisher(client);
    expect(await rack.publish('gym/v1/gym-b/rack-a4/rep', 'spoof-gym')).toBe(REASON.notAuthorized);
    expect(await rack.publish('gym/v1/gym-a/rack-a1/rep', 'spoof-station')).toBe(REASON.notAuthorized);
    expect(await rack.publish('gym/v1/gym-a/rack-a4/rep/extra', 'spoof-level')).toBe(REASON.notAuthorized);
    expect(await rack.publish('gym/v1/gym-a/alerts', 'spoof-alert')).toBe(REASON.notAuthorized);
    await flushThrough(client, 'gym-a', 'rack-a4');
    expect(atIngest.filter((m) => m.payload.startsWith('spoof-'))).toEqual([]);
    await client.endAsync();
  });

  it('a device reads its own retained status back, and subscribing to anything else is refused', async () => {
    const client = await connectAs('rack-a4', 'rack-a4-pw');
    await client.publishAsync('gym/v1/gym-a/rack-a4/status', 'online', { qos: 1, retain: true });
    const own = new Promise<string>((resolve) => client.once('message', (_topic, payload) => resolve(payload.toString())));
    await client.subscribeAsync('gym/v1/gym-a/rack-a4/#', { qos: 1 });
    expect(await own).toBe('online');
    for (const filter of ['gym/v1/gym-a/rack-a1/#', 'gym/v1/gym-a/+/status', 'gym/v1/#', '#', '$share/g/gym/v1/#']) {
      expect(await subackCode(client, filter), filter).toBe(REASON.notAuthorized);
    }
  });

  it('a wearable publishes under each of its gyms and no other', async () => {
    await access.upsertDevice(testDevice('bar-w1', 'wearable', ['gym-a', 'gym-b'], 'bar-w1-pw'), 'bar-w1-pw');
    const client = await connectAs('bar-w1', 'bar-w1-pw');
    const bar = ackingPublisher(client);
    expect(await bar.publish('gym/v1/gym-a/bar-w1/hr', 'hr-a')).toBe(REASON.success);
    expect(await bar.publish('gym/v1/gym-b/bar-w1/hr', 'hr-b')).toBe(REASON.success);
    expect(await bar.publish('gym/v1/gym-c/bar-w1/hr', 'spoof-hr-c')).toBe(REASON.notAuthorized);
    await flushThrough(client, 'gym-b', 'bar-w1');
    expect(atIngest.filter((m) => m.topic.startsWith('gym/v1/gym-') && m.topic.endsWith('/bar-w1/hr')).map((m) => m.payload)).toEqual(['hr-a', 'hr-b']);
    await client.endAsync();
  });

  it('over MQTT over WebSockets (a phone or a browser gateway) the same user has the same rights', async () => {
    await access.upsertDevice(testDevice('band-ws1', 'wearable', ['gym-a'], 'band-ws1-pw'), 'band-ws1-pw');
    const wsUrl = rig.servers.env.MQTT_WS_URL;
    if (wsUrl === undefined) throw new Error('the harness broker has no WebSockets listener');
    expect(await connackCode(wsUrl, { clientId: 'band-ws1', username: 'band-ws1', password: 'wrong-password-0123' })).toBe(REASON.notAuthorized);
    const overWs = closer.add(
      await mqtt.connectAsync(wsUrl, { protocolVersion: 5, clientId: 'band-ws1', username: 'band-ws1', password: 'band-ws1-pw', reconnectPeriod: 0 }),
      (c) => c.endAsync(true),
    );
    const band = ackingPublisher(overWs);
    expect(await band.publish('gym/v1/gym-a/band-ws1/hr', 'hr-ws-a')).toBe(REASON.success);
    expect(await band.publish('gym/v1/gym-b/band-ws1/hr', 'spoof-hr-ws-b')).toBe(REASON.notAuthorized);
    await flushThrough(overWs, 'gym-a', 'band-ws1');
    expect(atIngest.filter((m) => m.topic.endsWith('/band-ws1/hr')).map((m) => m.payload)).toEqual(['hr-ws-a']);
  });

  it('a wearable moved to other gyms: the change applies at once, without a disconnection', async () => {
    const client = await connectAs('bar-w1', 'bar-w1-pw');
    let closed = false;
    client.on('close', () => (closed = true));
    await access.updateAcl(testDevice('bar-w1', 'wearable', ['gym-c'], 'bar-w1-pw'));
    const bar = ackingPublisher(client);
    expect(await bar.publish('gym/v1/gym-a/bar-w1/hr', 'spoof-after-move')).toBe(REASON.notAuthorized);
    expect(await bar.publish('gym/v1/gym-c/bar-w1/hr', 'hr-c')).toBe(REASON.success);
    expect(closed).toBe(false);
  });

  it('the ingest user may subscribe plainly or as a shared subscription; the alerts user may not read', async () => {
    const ingest = await connectAs('neurolift.ingest', DYNSEC_PASSWORDS.ingest, { clientId: 'ingest-probe' });
    expect(await subackCode(ingest, '$share/ingest/gym/v1/#')).toBe(1);
    expect(await subackCode(ingest, 'gym/v1/gym-a/+/rep')).toBe(1);
    expect(await subackCode(ingest, '$SYS/#')).toBe(REASON.notAuthorized);
    expect(await ackingPublisher(ingest).publish('gym/v1/gym-a/rack-a1/rep', 'spoof-ingest')).toBe(REASON.notAuthorized);
    const alerts = await connectAs('neurolift.alerts', DYNSEC_PASSWORDS.alerts, { clientId: 'alerts-probe' });
    expect(await subackCode(alerts, 'gym/v1/#')).toBe(REASON.notAuthorized);
  });
});

describe('coach apps', () => {
  it('read their gyms’ alerts only, publish nothing, and lose a gym at once when it is taken away', async () => {
    await access.upsertDevice(testDevice('coach-1', 'coach-app', ['gym-a', 'gym-b'], 'coach-1-pw'), 'coach-1-pw');
    const coach = await connectAs('coach-1', 'coach-1-pw');
    const received: string[] = [];
    coach.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    await coach.subscribeAsync(['gym/v1/gym-a/alerts', 'gym/v1/gym-b/alerts'], { qos: 1 });
    for (const filter of ['gym/v1/gym-c/alerts', 'gym/v1/+/alerts', 'gym/v1/gym-a/#']) expect(await subackCode(coach, filter), filter).toBe(REASON.notAuthorized);
    expect(await ackingPublisher(coach).publish('gym/v1/gym-a/alerts', 'spoof')).toBe(REASON.notAuthorized);

    const alerts = ackingPublisher(await connectAs('neurolift.alerts', DYNSEC_PASSWORDS.alerts, { clientId: 'alerts-publisher' }));
    for (const gym of ['gym-c', 'gym-b', 'gym-a']) expect(await alerts.publish(`gym/v1/${gym}/alerts`, `alert-${gym}`)).toBe(REASON.success);
    await waitFor(async () => (received.length === 2 ? true : undefined), { what: 'the coach’s two alerts' });

    // gym-b taken away while its subscription stands: Mosquitto checks filters only at SUBSCRIBE, the role's catch-all deny at delivery.
    await access.updateAcl(testDevice('coach-1', 'coach-app', ['gym-a'], 'coach-1-pw'));
    for (const gym of ['gym-b', 'gym-a']) expect(await alerts.publish(`gym/v1/${gym}/alerts`, `later-${gym}`)).toBe(REASON.success);
    await waitFor(async () => (received.length >= 3 ? true : undefined), { what: 'the coach’s later gym-a alert' });
    expect(received).toEqual(['gym/v1/gym-b/alerts alert-gym-b', 'gym/v1/gym-a/alerts alert-gym-a', 'gym/v1/gym-a/alerts later-gym-a']);
  });
});

describe('disable, enable, rotate, remove', () => {
  it('a disabled device is disconnected within 1 s of the call and refused on reconnect; enabled, it works again', async () => {
    await access.upsertDevice(testDevice('rack-d1', 'equipment', ['gym-a'], 'rack-d1-pw'), 'rack-d1-pw');
    const client = await connectAs('rack-d1', 'rack-d1-pw');
    const closed = nextClose(client);
    const start = performance.now();
    await access.disable('rack-d1');
    const { at, disconnect } = await closed;
    const latencyMs = at - start;
    expect(latencyMs).toBeLessThan(1000);
    expect(disconnect?.reasonCode).toBe(ADMINISTRATIVE_ACTION);
    expect(await connackCode(url, { clientId: 'rack-d1', username: 'rack-d1', password: 'rack-d1-pw' })).toBe(REASON.notAuthorized);

    await access.enable('rack-d1');
    const again = ackingPublisher(await connectAs('rack-d1', 'rack-d1-pw'));
    expect(await again.publish('gym/v1/gym-a/rack-d1/rep', 'after-enable')).toBe(REASON.success);
  });

  it('a rotated password: the old one is refused, the new one works, and a QoS 1 stream across the rotation loses nothing', async () => {
    await access.upsertDevice(testDevice('rack-r1', 'equipment', ['gym-a'], 'old-pw-r1'), 'old-pw-r1');
    // What firmware does: a persistent session, reconnecting on its own with what it was last given.
    const device = await connectAs('rack-r1', 'old-pw-r1', { clean: false, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 50 });
    // The DISCONNECT may not be read (the socket closes while the device writes): count the connections.
    const connections: string[] = [];
    device.on('close', () => connections.push('close'));
    device.on('connect', () => connections.push('connect'));
    device.on('error', () => undefined);
    const topic = 'gym/v1/gym-a/rack-r1/rep';
    const acks: Array<Promise<unknown>> = [];
    const publish = (from: number, count: number): void => {
      for (let n = from; n < from + count; n++) acks.push(device.publishAsync(topic, `n-${n}`, { qos: 1 }));
    };

    publish(0, 300);
    device.options.password = 'new-pw-r1';
    const rotated = access.setPassword('rack-r1', 'new-pw-r1');
    publish(300, 300);
    await rotated;
    publish(600, 300);
    await Promise.all(acks);

    const numbers = await waitFor(
      async () => {
        const seen = new Set(atIngest.filter((m) => m.topic === topic).map((m) => m.payload));
        return seen.size === 900 ? seen : undefined;
      },
      { what: 'all 900 numbers at the ingest user', timeoutMs: 20_000 },
    );
    expect([...numbers].sort()).toEqual(Array.from({ length: 900 }, (_, n) => `n-${n}`).sort());
    // The plugin disconnects the user on setClientPassword: the stream survived one reconnection.
    expect(connections).toEqual(['close', 'connect']);
    // The probes below use its client id: the device steps aside first, or they would take turns kicking each other.
    await device.endAsync();
    expect(await connackCode(url, { clientId: 'rack-r1', username: 'rack-r1', password: 'old-pw-r1' })).toBe(REASON.notAuthorized);
    expect(await connackCode(url, { clientId: 'rack-r1', username: 'rack-r1', password: 'new-pw-r1' })).toBe(REASON.success);
  });

  it('a removed device is disconnected and refused; removing it again is fine', async () => {
    await access.upsertDevice(testDevice('rack-x1', 'equipment', ['gym-a'], 'rack-x1-pw'), 'rack-x1-pw');
    const client = await connectAs('rack-x1', 'rack-x1-pw');
    const closed = nextClose(client);
    await access.remove('rack-x1');
    expect((await closed).disconnect?.reasonCode).toBe(ADMINISTRATIVE_ACTION);
    expect(await connackCode(url, { clientId: 'rack-x1', username: 'rack-x1', password: 'rack-x1-pw' })).toBe(REASON.notAuthorized);
    await access.remove('rack-x1');
  });

  it('calls on an unknown device fail with the plugin’s error, naming the command', async () => {
    await expect(access.disable('nobody-1')).rejects.toThrow('dynamic security: disableClient nobody-1 failed: Client not found');
    await expect(access.setPassword('nobody-1', 'pw')).rejects.toMatchObject({ name: 'PipelineError', code: 'dynsec_command_failed' });
  });
});
