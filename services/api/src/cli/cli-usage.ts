/** The part of both usages about the tenant, the settings and the exit codes. */
export const SETTINGS_USAGE = `  --tenant <id>: the tenant to act for (default: default); the CLI acts as the operator,
  recorded as \`cli\` in the tenant's audit log.

Settings (environment, or <NAME>_FILE): REDIS_URL (required), REDIS_PREFIX, REDIS_CLUSTER,
REDIS_SHARDS (the services' value); BROKER_ADMIN_URL, BROKER_ADMIN_USERNAME, BROKER_ADMIN_PASSWORD
(without a password device changes reach only the registry, not the broker).
Exit codes: 0 done; 1 refused or failed (not found, conflict, bad request, a bad setting; message on
stderr); 2 usage error.`;
