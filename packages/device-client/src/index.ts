/**
 * Device protocol v1 client for equipment gateways (Node.js 20+).
 *
 * ```ts
 * const client = createDeviceClient({ url: 'mqtts://broker.example:8883', gymId: 'gym-1', stationId: 'SN-00417', password });
 * await client.connect();
 * await client.publishSet({ event: 'start', ts: Date.now(), setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100 });
 * await client.publishRep({ ts: Date.now(), setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', repIndex: 1, loadKg: 100, meanVelocity: 0.62 });
 * await client.close(); // publishes status online:false, waits (bounded) for acknowledgements
 * ```
 *
 * Every publishX resolves when the broker acknowledged the message (QoS 1) and rejects with a coded
 * DeviceClientError otherwise; nothing is dropped without the caller hearing about it.
 */
export { createDeviceClient, type CloseOptions, type DeviceClient } from './device-client.js';
export type { DeviceClientEvent, DeviceClientOptions } from './options.js';
export { DEFAULT_MAX_BUFFERED, MAX_BUFFERED_LIMIT, OFFLINE_STATUS_PAYLOAD } from './options.js';
export type { RepInput, SamplesInput, SetInput, StatusInput } from './encode-message.js';
export {
  BrokerRefusedError,
  BufferFullError,
  ClientClosedError,
  DeviceClientError,
  InvalidMessageError,
  InvalidOptionsError,
} from './errors.js';
