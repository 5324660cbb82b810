import type { Webhook } from '@neurolift/alerts';
import type { AlertMessage } from '@neurolift/contracts';
import { ALERT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../webhook-signature.js';

/** An endpoint that did not take the alert; BullMQ retries the job with backoff. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    message: string,
    /** false for a 4xx other than 408 and 429: the endpoint refuses this request; retrying cannot help. */
    readonly retryable = true,
  ) {
    super(message);
  }
}

/** POSTs an alert, signed, and resolves only on a 2xx answer. */
export async function sendWebhook(webhook: Webhook, alert: AlertMessage, options: { timeoutMs: number; now: () => number }): Promise<void> {
  const body = JSON.stringify(alert);
  const timestampS = Math.floor(options.now() / 1000);
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'neurolift-alerts',
        [TIMESTAMP_HEADER]: String(timestampS),
        [SIGNATURE_HEADER]: signWebhook(webhook.secret, timestampS, body),
        [ALERT_ID_HEADER]: alert.id,
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(`webhook ${new URL(webhook.url).host} unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Drain the body so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status >= 300) {
    const refused = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new WebhookError(`webhook ${new URL(webhook.url).host} answered ${response.status}`, !refused);
  }
}
