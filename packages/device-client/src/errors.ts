/**
 * Errors a gateway can tell apart by `code` (stable strings, safe to branch on and to count). Each says
 * whether retrying the same call can help: an invalid message never becomes valid, a full buffer drains.
 */
export class DeviceClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message breaks device protocol v1; it was not sent. A gateway bug: fix the caller, do not retry. */
export class InvalidMessageError extends DeviceClientError {
  constructor(
    readonly channel: string,
    readonly detail: string,
  ) {
    super('NL_ERR_INVALID_MESSAGE', `invalid ${channel} message (device protocol v1): ${detail}`, false);
  }
}

/** The options passed to createDeviceClient are unusable (bad id, bad limit). Thrown synchronously. */
export class InvalidOptionsError extends DeviceClientError {
  constructor(detail: string) {
    super('NL_ERR_INVALID_OPTIONS', `invalid device client options: ${detail}`, false);
  }
}

/**
 * `maxBuffered` publishes are already waiting for the broker's acknowledgement (typically because the
 * broker has been unreachable for a while). The message was not accepted; retry after `pending()` drops.
 */
export class BufferFullError extends DeviceClientError {
  constructor(readonly limit: number) {
    super('NL_ERR_BUFFER_FULL', `${limit} publishes are waiting for the broker's acknowledgement (maxBuffered); message not accepted`, true);
  }
}

/** The client was closed before the message was acknowledged, or a call came after close(). */
export class ClientClosedError extends DeviceClientError {
  constructor(detail: string) {
    super('NL_ERR_CLIENT_CLOSED', `device client closed: ${detail}`, false);
  }
}

/**
 * The broker answered with an error reason code (MQTT 5), e.g. 135 "Not authorized" when the ACL
 * forbids the topic, or refused the connection (bad credentials). Retrying the same call will not help.
 */
export class BrokerRefusedError extends DeviceClientError {
  constructor(
    readonly reasonCode: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super('NL_ERR_BROKER_REFUSED', `broker refused: ${detail}`, false, options);
  }
}
