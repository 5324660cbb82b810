import type { Principal } from '@neurolift/tenancy';
import { z } from 'zod';
import { ApiConfigSchema } from '../config.js';

/** The api's Redis, broker-admin and audit settings: the same names, defaults and checks. */
export const CliConfigSchema = ApiConfigSchema.pick({
  REDIS_URL: true,
  REDIS_PREFIX: true,
  REDIS_CLUSTER: true,
  REDIS_CLUSTER_NODES: true,
  REDIS_SHARDS: true,
  BROKER_ADMIN_URL: true,
  BROKER_ADMIN_USERNAME: true,
  BROKER_ADMIN_PASSWORD: true,
  AUDIT_RETENTION_DAYS: true,
  AUDIT_MAX_ENTRIES: true,
})
  .extend({
    /** The pipeline's broker passwords: only `devices broker-file` needs them (the file holds their hashes). */
    INGEST_MQTT_PASSWORD: z.string().min(1).optional(),
    ALERTS_MQTT_PASSWORD: z.string().min(1).optional(),
  })
  .superRefine((config, context) => {
  if (config.BROKER_ADMIN_PASSWORD !== undefined && config.BROKER_ADMIN_URL === undefined) {
    context.addIssue({ code: 'custom', path: ['BROKER_ADMIN_URL'], message: 'is required when BROKER_ADMIN_PASSWORD is set (the broker whose devices the CLI manages)' });
  }
});
export type CliConfig = z.infer<typeof CliConfigSchema>;

/** Whoever runs the CLI has Redis and the broker's admin password: the operator, acting for `tenant`. */
export const cliPrincipal = (tenant: string): Principal => ({ actor: 'cli', tenant, role: 'admin', gyms: 'all', operator: true });
