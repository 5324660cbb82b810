/**
 * Device protocol v1 (and v1.1) client for equipment gateways and wearables' gateways: Node.js 20+, and
 * browsers or apps over MQTT over WebSockets (`wss://…`; bundle it, MQTT.js's browser build is picked
 * by the `browser` condition).
 *
 * ```ts
 * const client = createDeviceClient({ url: 'mqtts://broker.example:8883', gymId: 'gym-1', stationId: 'SN-00417', password });
 * await client.connect();
 * await client.publishSet({ event: 'start', ts: Date.now(), setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100 });
 * await client.publishRep({ ts: Date.now(), setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', repIndex: 1, loadKg: 100, meanVelocity: 0.62 });
 * await client.close(); // publishes status online:false, waits (bounded) for acknowledgements
 * ```
 *
 * A wearable's gateway in a browser or an app connects over WebSockets with the wearable's own credentials:
 *
 * ```ts
 * const strap = createDeviceClient({ url: 'wss://broker.example/mqtt', gymId: 'gym-1', stationId: 'HRM-5521', password });
 * await strap.connect();
 * await strap.publishHr({ t0: Date.now() - 5000, athleteId: 'a-7f3c', bpm: [96, 97, 99, 101, 104] });
 * ```
 *
 * Every publishX resolves when the broker acknowledged the message (QoS 1) and rejects with a coded
 * DeviceClientError otherwise; nothing is dropped without the caller hearing about it.
 */
export { createDeviceClient, type CloseOptions, type DeviceClient, type WearablePublisher } from './device-client.js';
export type { DeviceClientEvent, DeviceClientOptions } from './options.js';
export { DEFAULT_MAX_BUFFERED, MAX_BUFFERED_LIMIT, OFFLINE_STATUS_PAYLOAD } from './options.js';
export type { HrInput, ImuInput, RepInput, SamplesInput, SetInput, StatusInput } from './encode-message.js';
export {
  BrokerRefusedError,
  BufferFullError,
  ClientClosedError,
  DeviceClientError,
  InvalidMessageError,
  InvalidOptionsError,
} from './errors.js';
