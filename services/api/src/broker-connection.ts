import type { Logger } from '@neurolift/platform';
import { PipelineError } from '@neurolift/platform';
import { connectDynsecClient, createDynsecBrokerAccess, type BrokerAccess } from '@neurolift/tenancy';
import type { ApiConfig } from './config.js';

export interface BrokerConnection {
  readonly access: BrokerAccess;
  close(): Promise<void>;
}

/**
 * The broker's dynamic security plugin, when BROKER_ADMIN_PASSWORD is set: device changes through the
 * API then reach the broker live. Without it the registry alone changes (a broker with static users).
 */
export async function connectBroker(
  config: Pick<ApiConfig, 'BROKER_ADMIN_URL' | 'BROKER_ADMIN_USERNAME' | 'BROKER_ADMIN_PASSWORD'>,
  logger: Logger,
): Promise<BrokerConnection | undefined> {
  if (config.BROKER_ADMIN_PASSWORD === undefined) return undefined;
  if (config.BROKER_ADMIN_URL === undefined) {
    throw new PipelineError('NL_ERR_CONFIG', 'BROKER_ADMIN_URL is required when BROKER_ADMIN_PASSWORD is set (the broker whose devices the API manages)', false);
  }
  const client = await connectDynsecClient({
    url: config.BROKER_ADMIN_URL,
    username: config.BROKER_ADMIN_USERNAME,
    password: config.BROKER_ADMIN_PASSWORD,
    onError: (error) => logger.warn({ err: error }, 'broker admin connection error'),
  });
  return { access: createDynsecBrokerAccess(client), close: () => client.close() };
}
