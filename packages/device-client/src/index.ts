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
