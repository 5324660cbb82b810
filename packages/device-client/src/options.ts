import { deviceTopic, isId } from '@neurolift/contracts';
import type { IClientOptions } from 'mqtt';
import { InvalidOptionsError } from './errors.js';

/** Something that happened to the connection; for logs and metrics, never needed for correctness. */
export type DeviceClientEvent =
  | { readonly type: 'connect'; readonly sessionPresent: boolean }
  | { readonly type: 'offline' }
  | { readonly type: 'error'; readonly error: Error };

export interface DeviceClientOptions {
  /**
   * Broker URL, e.g. `mqtts://broker.example:8883` or `mqtt://127.0.0.1:1883`; from a browser or an app,
   * MQTT over WebSockets: `wss://broker.example/mqtt` (or `ws://127.0.0.1:9001` in development).
   */
  readonly url: string;
  readonly gymId: string;
  /** Unique across all gyms (a serial number works); also the MQTT client id and default username. */
  readonly stationId: string;
  /** Default: the stationId, as the protocol requires. */
  readonly username?: string;
  readonly password?: string;
  /** Sent in the `status` message after every (re)connect. At most 64 characters. */
  readonly model?: string;
  readonly firmware?: string;
  /** Most publishes waiting for a PUBACK before publishX rejects with BufferFullError. Default 10 000, at most 65 535. */
  readonly maxBuffered?: number;
  /** Epoch ms; used for `status.ts` and to check message timestamps against the pipeline's window. Default Date.now. */
  readonly clock?: () => number;
  /** Extra MQTT.js options (TLS `ca`/`cert`/`key`, `keepalive`, `reconnectPeriod`, `properties`…). Protocol-mandated ones win. */
  readonly mqtt?: Partial<IClientOptions>;
  /** Connection events (connect, offline, error) for the gateway's logs. */
  readonly onEvent?: (event: DeviceClientEvent) => void;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly gymId: string;
  readonly stationId: string;
  readonly model: string | undefined;
  readonly firmware: string | undefined;
  readonly maxBuffered: number;
  readonly clock: () => number;
  readonly onEvent: (event: DeviceClientEvent) => void;
  readonly mqtt: Readonly<IClientOptions>;
}

export const DEFAULT_MAX_BUFFERED = 10_000;
/** MQTT packet identifiers are 16-bit: more unacknowledged publishes than this would reuse ids. */
export const MAX_BUFFERED_LIMIT = 65_535;
/**
 * How long the broker keeps the session after a disconnect, s. A day covers a station that reboots or
 * loses its uplink for a while; the publishes themselves survive in the client's outgoing store.
 */
export const DEFAULT_SESSION_EXPIRY_S = 24 * 60 * 60;
/** The last will: the broker publishes it (retained) when the station vanishes without saying goodbye. */
export const OFFLINE_STATUS_PAYLOAD = '{"v":1,"online":false}';

const noop = (): void => undefined;
const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'] as const;

function hasBrokerProtocol(url: string): boolean {
  try {
    return (BROKER_PROTOCOLS as readonly string[]).includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Validates the options (throws InvalidOptionsError, listing every problem) and fixes every default. */
export function resolveOptions(options: DeviceClientOptions): ResolvedOptions {
  const problems: string[] = [];
  if (!hasBrokerProtocol(options.url)) problems.push(`url must start with ${BROKER_PROTOCOLS.map((p) => `${p}//`).join(', ')}`);
  if (!isId(options.gymId)) problems.push('gymId must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  if (!isId(options.stationId)) problems.push('stationId must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  if (options.model !== undefined && options.model.length > 64) problems.push('model must be at most 64 characters');
  if (options.firmware !== undefined && options.firmware.length > 64) problems.push('firmware must be at most 64 characters');
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1 || maxBuffered > MAX_BUFFERED_LIMIT) {
    problems.push(`maxBuffered must be an integer from 1 to ${MAX_BUFFERED_LIMIT}`);
  }
  if (problems.length > 0) throw new InvalidOptionsError(problems.join('; '));

  return Object.freeze({
    url: options.url,
    gymId: options.gymId,
    stationId: options.stationId,
    model: options.model,
    firmware: options.firmware,
    maxBuffered,
    clock: options.clock ?? Date.now,
    onEvent: options.onEvent ?? noop,
    mqtt: Object.freeze(buildMqttOptions(options)),
  });
}

/**
 * MQTT.js options for one station. MQTT 5 with `clean: false` and a session expiry, so the broker keeps
 * the session across reconnects; client id = username = stationId; a retained QoS 1 last will of
 * `{"v":1,"online":false}` on the station's status topic. `manualConnect` is always on: creating the
 * client opens nothing, `connect()` does.
 */
export function buildMqttOptions(options: DeviceClientOptions): IClientOptions {
  const extra = options.mqtt ?? {};
  const mqttOptions: IClientOptions = {
    // A refused CONNACK (credentials rotated, "server busy") is retried like a lost link: a gateway
    // should recover without a restart. connect() still rejects on the first refusal.
    reconnectOnConnackError: true,
    ...extra,
    protocolVersion: 5,
    clientId: options.stationId,
    username: options.username ?? options.stationId,
    clean: false,
    manualConnect: true,
    properties: { sessionExpiryInterval: DEFAULT_SESSION_EXPIRY_S, ...extra.properties },
    will: {
      topic: deviceTopic(options.gymId, options.stationId, 'status'),
      // A string (sent as UTF-8), not a Buffer: browsers have none.
      payload: OFFLINE_STATUS_PAYLOAD,
      qos: 1,
      retain: true,
    },
  };
  if (options.password !== undefined) mqttOptions.password = options.password;
  return mqttOptions;
}
