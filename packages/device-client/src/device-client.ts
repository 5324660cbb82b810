import type { Channel } from '@neurolift/contracts';
// Only the default export and types: in a browser bundle, `mqtt` resolves to MQTT.js's browser build
// (its package.json `browser` condition), whose ES module has nothing but the default export.
import mqtt, { type IConnackPacket } from 'mqtt';
import {
  encodeMessage,
  type EncodedMessage,
  type HrInput,
  type ImuInput,
  type RepInput,
  type SamplesInput,
  type SetInput,
  type StatusInput,
} from './encode-message.js';
import { BrokerRefusedError, BufferFullError, ClientClosedError, DeviceClientError } from './errors.js';
import { resolveOptions, type DeviceClientOptions, type ResolvedOptions } from './options.js';
import { createPendingPublishes } from './pending-publishes.js';

export interface CloseOptions {
  /**
   * Default true: publish `status` `{online:false}` (retained), wait up to `timeoutMs` for every pending
   * acknowledgement, then send DISCONNECT. false: drop the connection at once; the broker then
   * publishes the last will, which says the same thing.
   */
  readonly graceful?: boolean;
  /** Bound on the wait for acknowledgements, ms. Default 5000. */
  readonly timeoutMs?: number;
}

export interface DeviceClient {
  readonly gymId: string;
  readonly stationId: string;
  /**
   * Opens the connection and resolves at the first CONNACK (after MQTT.js has re-sent any publishes
   * buffered before it). While the broker is unreachable the client keeps retrying and the promise
   * stays pending; publishes are buffered meanwhile. Rejects with BrokerRefusedError when the broker
   * refuses the first connection (credentials, ACL, banned id); the client keeps retrying in the
   * background until close(). Calling it again returns the same promise.
   */
  connect(): Promise<void>;
  /**
   * Validate, add `v: 1`, publish at QoS 1 and resolve at the broker's PUBACK. Rejects with
   * InvalidMessageError (nothing sent), BufferFullError (`maxBuffered` publishes already wait for their
   * PUBACK), BrokerRefusedError (e.g. the ACL forbids the topic) or ClientClosedError.
   */
  publishRep(rep: RepInput): Promise<void>;
  publishSamples(block: SamplesInput): Promise<void>;
  publishSet(event: SetInput): Promise<void>;
  /** Like publishRep, but retained, as the protocol asks for `status`. */
  publishStatus(status: StatusInput): Promise<void>;
  /** Publishes accepted but not yet acknowledged by the broker (buffered offline or in flight). */
  pending(): number;
  isConnected(): boolean;
  /** Idempotent. Publishes still unacknowledged at the end reject with ClientClosedError. */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * The device protocol v1.1 channels of wearables (a bar or body sensor, a chest strap or watch, each
 * publishing as its own station, usually through a phone or tablet gateway). Every client made by
 * createDeviceClient has them; they resolve and reject like publishRep. A gateway uploading late may
 * send blocks up to 7 days old, with their original times.
 */
export interface WearablePublisher {
  /** One block of inertial samples of one set (`imu`). */
  publishImu(block: ImuInput): Promise<void>;
  /** One block of heart rate, once a second from `t0` (`hr`). */
  publishHr(block: HrInput): Promise<void>;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

/**
 * A device protocol v1 client for one station: what an equipment maker's Node.js gateway needs to
 * send telemetry. Creating it opens no connection. Publishes made while the broker is unreachable
 * are kept in MQTT.js's outgoing store and re-sent on reconnect (QoS 1, so at least once; the
 * pipeline stores a re-sent rep once); the number of unacknowledged publishes is bounded by
 * `maxBuffered`, past which publishes reject instead of being dropped.
 */
export function createDeviceClient(options: DeviceClientOptions): DeviceClient & WearablePublisher {
  const config = resolveOptions(options);
  const client = mqtt.connect(config.url, { ...config.mqtt });
  const pending = createPendingPublishes();
  const station = { gymId: config.gymId, stationId: config.stationId };

  let started = false;
  let everConnected = false;
  let closing = false;
  let firstConnect: { resolve(): void; reject(error: Error): void } | undefined;
  let connectPromise: Promise<void> | undefined;
  let closePromise: Promise<void> | undefined;

  client.on('connect', (connack: IConnackPacket) => {
    everConnected = true;
    config.onEvent({ type: 'connect', sessionPresent: connack.sessionPresent });
    if (!closing) {
      // Presence after every (re)connect; a failure here shows up as an error event, not a crash.
      send(statusMessage(config, true), true).catch((error: unknown) => {
        if (!closing) config.onEvent({ type: 'error', error: asError(error) });
      });
    }
    firstConnect?.resolve();
    firstConnect = undefined;
  });
  client.on('offline', () => config.onEvent({ type: 'offline' }));
  // Without an 'error' listener an EventEmitter throws; MQTT.js reports refused connections and socket errors here.
  client.on('error', (error) => {
    config.onEvent({ type: 'error', error });
    const reasonCode = reasonCodeOf(error);
    if (firstConnect !== undefined && reasonCode !== undefined && error.message.startsWith('Connection refused')) {
      firstConnect.reject(new BrokerRefusedError(reasonCode, error.message, { cause: error }));
      firstConnect = undefined;
    }
  });

  /** Hands one encoded message to MQTT.js at QoS 1 and tracks it until PUBACK, failure or close. */
  function send(message: EncodedMessage, retain: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = pending.add(resolve, reject);
      const attempt = (): void => {
        client.publish(message.topic, message.payload, { qos: 1, retain }, (error) => {
          // MQTT.js passes null (not undefined, despite its types) on success.
          if (error === undefined || error === null) {
            pending.settle(entry);
          } else if (isConnectionClosed(error) && !closing) {
            // MQTT.js rejects publishes queued behind a reconnect's re-send when the link drops again
            // (they were never written). Re-queue them; setImmediate because MQTT.js is still
            // iterating that queue synchronously. (setTimeout, not setImmediate: browsers have no setImmediate.)
            setTimeout(attempt, 0);
          } else {
            pending.settle(entry, toClientError(error, closing));
          }
        });
      };
      attempt();
    });
  }

  function publish(channel: Channel, input: unknown, retain: boolean): Promise<void> {
    try {
      if (closing) throw new ClientClosedError('publish after close()');
      const message = encodeMessage(channel, input, station, config.clock());
      if (pending.size() >= config.maxBuffered) throw new BufferFullError(config.maxBuffered);
      return send(message, retain);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  async function doClose(closeOptions: CloseOptions): Promise<void> {
    closing = true;
    firstConnect?.reject(new ClientClosedError('closed before the first connection'));
    firstConnect = undefined;
    const graceful = closeOptions.graceful ?? true;
    if (started) {
      if (graceful) {
        // Retract the retained online:true; a station that never got in has no presence to retract.
        // Counted by pending(); rejected below if still unacknowledged.
        if (everConnected) send(statusMessage(config, false), true).catch(() => undefined);
        await pending.drained(closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      }
      const force = !graceful || pending.size() > 0 || !client.connected;
      await client.endAsync(force);
    }
    pending.rejectAll(new ClientClosedError(`closed with ${pending.size()} publishes not acknowledged by the broker`));
  }

  return {
    gymId: config.gymId,
    stationId: config.stationId,
    connect() {
      if (closing) return Promise.reject(new ClientClosedError('connect after close()'));
      connectPromise ??= new Promise<void>((resolve, reject) => {
        firstConnect = { resolve, reject };
        started = true;
        client.connect();
      });
      return connectPromise;
    },
    publishRep: (rep) => publish('rep', rep, false),
    publishSamples: (block) => publish('samples', block, false),
    publishSet: (event) => publish('set', event, false),
    publishStatus: (status) => publish('status', status, true),
    publishImu: (block) => publish('imu', block, false),
    publishHr: (block) => publish('hr', block, false),
    pending: () => pending.size(),
    isConnected: () => client.connected,
    close(closeOptions = {}) {
      closePromise ??= doClose(closeOptions);
      return closePromise;
    },
  };
}

function statusMessage(config: ResolvedOptions, online: boolean): EncodedMessage {
  const now = config.clock();
  const status: StatusInput = { online, ts: now };
  if (config.firmware !== undefined) status.firmware = config.firmware;
  if (config.model !== undefined) status.model = config.model;
  return encodeMessage('status', status, config, now);
}

function isConnectionClosed(error: Error): boolean {
  return error.message === 'Connection closed';
}

/**
 * The MQTT reason code of an MQTT.js ErrorWithReasonCode (a CONNACK or PUBACK refusal), else undefined.
 * Read structurally: the class is not exported by MQTT.js's browser build, and socket errors carry
 * string codes (ECONNREFUSED) instead.
 */
function reasonCodeOf(error: Error): number | undefined {
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function toClientError(error: Error, closing: boolean): Error {
  const reasonCode = reasonCodeOf(error);
  if (reasonCode !== undefined) return new BrokerRefusedError(reasonCode, error.message, { cause: error });
  if (closing) return new ClientClosedError(error.message);
  return new DeviceClientError('NL_ERR_PUBLISH_FAILED', `publish failed: ${error.message}`, true, { cause: error });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
