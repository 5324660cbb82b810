// What the coach-alert tests hold next to a running pipeline: a device publishing sets, a coach app
// collecting the alerts on MQTT, the alert-check and delivery queues, and Redis (the live console).
import { AlertMessage, LiveStation, QUEUES, redisKeys } from '@neurolift/contracts';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { openClosing } from './closer.js';
import { connectDevice } from './pipeline.js';

const keys = redisKeys('{nl}');

/** A set of back squats at 140 kg: reps 4 s apart from `t0`, then its end. */
export interface AlertSet {
  readonly gym: string;
  readonly station: string;
  readonly athleteId: string;
  readonly setId: string;
  readonly velocities: readonly number[];
  /** Each rep's ROM; 0.55 m where not given. */
  readonly roms?: readonly number[];
  /** The first rep's time; reps 4 s apart. */
  readonly t0: number;
}

export interface AlertClients {
  readonly device: MqttClient;
  readonly coach: MqttClient;
  readonly checksQueue: Queue;
  readonly alertsQueue: Queue;
  readonly checkEvents: QueueEvents;
  readonly redis: Redis;
  /** Every alert the coach received on gym/v1/+/alerts, in order. */
  readonly onMqtt: AlertMessage[];
  /** The alerts of `rule` for `athleteId` received on MQTT. */
  mqttAlerts(rule: string, athleteId: string): AlertMessage[];
  /** Publishes the set's reps and its end as the device (QoS 1). */
  publishSet(set: AlertSet): Promise<void>;
  /**
   * The console's state of a station once the set `setId` has closed there and its set_closed check has run
   * (which adds the session NSI). An in-set check that runs after ingest saw the set's end also shows it
   * closed, before the set job has stored the set, so `open` alone is not enough.
   */
  closedOnConsole(gym: string, station: string, setId: string): Promise<LiveStation | undefined>;
  close(): Promise<void>;
}

/** The job `id` of `queue` once it has finished (completed or failed), else undefined. */
export async function finishedJob(queue: Queue, id: string) {
  const job = await queue.getJob(id);
  return job?.finishedOn ? job : undefined;
}

/**
 * Connects the device, the coach (subscribed to every gym's alerts), the queues and Redis; `close` closes them,
 * last opened first. On a failure, closes what was open and throws.
 */
export async function connectAlertClients(env: { readonly MQTT_URL: string; readonly REDIS_URL: string }): Promise<AlertClients> {
  return openClosing(async (closer) => {
    const onMqtt: AlertMessage[] = [];
    const device = closer.add(await connectDevice(env.MQTT_URL), (client) => client.endAsync());
    const coach = closer.add(await connectDevice(env.MQTT_URL), (client) => client.endAsync());
    coach.on('message', (_topic, payload) => onMqtt.push(AlertMessage.parse(JSON.parse(payload.toString()))));
    await coach.subscribeAsync('gym/v1/+/alerts', { qos: 1 });
    const connection = { url: env.REDIS_URL };
    const checksQueue = closer.add(new Queue(QUEUES.alertChecks, { connection, prefix: '{nl}' }), (queue) => queue.close());
    const alertsQueue = closer.add(new Queue(QUEUES.alerts, { connection, prefix: '{nl}' }), (queue) => queue.close());
    const checkEvents = closer.add(new QueueEvents(QUEUES.alertChecks, { connection, prefix: '{nl}' }), (events) => events.close());
    await checkEvents.waitUntilReady();
    const redis = closer.add(new Redis(env.REDIS_URL), (client) => client.disconnect());
    const clients: Omit<AlertClients, 'close'> = {
      device,
      coach,
      checksQueue,
      alertsQueue,
      checkEvents,
      redis,
      onMqtt,
      mqttAlerts: (rule, athleteId) => onMqtt.filter((alert) => alert.rule === rule && alert.athleteId === athleteId),
      publishSet: async (set) => {
        for (const [i, meanVelocity] of set.velocities.entries()) {
          const rep = { v: 1, ts: set.t0 + i * 4000, athleteId: set.athleteId, setId: set.setId, exercise: 'back_squat', repIndex: i + 1, loadKg: 140, meanVelocity, rom: set.roms?.[i] ?? 0.55 };
          await device.publishAsync(`gym/v1/${set.gym}/${set.station}/rep`, JSON.stringify(rep), { qos: 1 });
        }
        const end = { v: 1, event: 'end', ts: set.t0 + set.velocities.length * 4000, setId: set.setId, athleteId: set.athleteId, exercise: 'back_squat' };
        await device.publishAsync(`gym/v1/${set.gym}/${set.station}/set`, JSON.stringify(end), { qos: 1 });
      },
      closedOnConsole: async (gym, station, setId) => {
        const text = await redis.hget(keys.liveStations(gym), station);
        const live = text === null ? undefined : LiveStation.parse(JSON.parse(text));
        return live?.setId === setId && !live.open && live.sessionNsi !== undefined ? live : undefined;
      },
    };
    return clients;
  });
}
