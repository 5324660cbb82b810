import { once } from 'node:events';
import { DEFAULT_TENANT, type ShardLayout } from '@neurolift/contracts';
import { ConfigError, createLogger, loadConfig, type Env } from '@neurolift/platform';
import { createRedisConnection, shardLayoutOf, type RedisClient } from '@neurolift/storage';
import { createRedisAuditLog, createRedisRegistryStore, createRedisTokenStore, createRegistryAdmin, tenancyKeys, type Principal, type RegistryAdmin, type RegistryStore } from '@neurolift/tenancy';
import { connectBroker, type BrokerConnection } from '../broker-connection.js';
import type { Parsed } from './cli-args.js';
import { cliPrincipal, CliConfigSchema, type CliConfig } from './cli-config.js';
import type { CliOutcome } from './cli-output.js';

export interface CliContext {
  readonly admin: RegistryAdmin;
  readonly principal: Principal;
  /** The registry itself, for what spans every tenant (the broker's file). */
  readonly store: RegistryStore;
  readonly config: CliConfig;
}

/** One CLI (devices, tokens): its parser, which commands need what, and how each runs. */
export interface CliProgram<C extends { readonly tenant: string }> {
  readonly name: string;
  readonly usage: string;
  parse(argv: readonly string[], now: number): Parsed<C>;
  /** It changes broker users: connect to the dynamic security plugin. */
  usesBroker(command: C): boolean;
  /** It acts within `--tenant`, which must then exist (all but adding a tenant). */
  withinTenant(command: C): boolean;
  run(command: C, context: CliContext): Promise<CliOutcome>;
}

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Env;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs one command line and answers its exit code: 0 done, 1 refused or failed (a message on stderr),
 * 2 usage error (the problem and the usage on stderr). Secrets go to stdout only, in the answer to the
 * command that made them.
 */
export async function runCli<C extends { readonly tenant: string }>(program: CliProgram<C>, io: CliIo): Promise<number> {
  const parsed = program.parse(io.argv, Date.now());
  switch (parsed.kind) {
    case 'help':
      io.stdout.write(`${program.usage}\n`);
      return 0;
    case 'usage':
      io.stderr.write(`${program.name}: ${parsed.problem}\n\n${program.usage}\n`);
      return 2;
    case 'command':
      break;
  }
  let config: CliConfig;
  let layout: ShardLayout;
  try {
    config = loadConfig(program.name, CliConfigSchema, io.env);
    layout = shardLayoutOf(program.name, config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  const outcome = await runCommand(program, parsed.command, config, layout, io);
  io.stdout.write(outcome.stdout);
  io.stderr.write(outcome.stderr);
  return outcome.code;
}

async function runCommand<C extends { readonly tenant: string }>(program: CliProgram<C>, command: C, config: CliConfig, layout: ShardLayout, io: CliIo): Promise<CliOutcome> {
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: `neurolift-${program.name}-cli` });
  let redisError: Error | undefined;
  redis.on('error', (error: Error) => (redisError = error));
  let broker: BrokerConnection | undefined;
  try {
    await connected(redis);
    // The registry, tokens and audit are under the prefix; an athlete's owner record is in its shard.
    const keys = tenancyKeys(layout.control);
    const store = createRedisRegistryStore(redis, keys, layout.athleteKeys);
    if (program.withinTenant(command) && command.tenant !== DEFAULT_TENANT && (await store.getTenant(command.tenant)) === undefined) {
      return { code: 1, stdout: '', stderr: `no such tenant: ${command.tenant} (add it with: npm run devices -- tenant-add)\n` };
    }
    if (program.usesBroker(command)) {
      if (config.BROKER_ADMIN_PASSWORD === undefined) io.stderr.write('BROKER_ADMIN_PASSWORD is not set: only the registry changes, not the broker’s users\n');
      // Connection trouble after the connect is already in the command's own error.
      broker = await connectBroker(config, createLogger({ name: `${program.name}-cli`, level: 'silent' }));
    }
    const admin = createRegistryAdmin({
      store,
      tokens: createRedisTokenStore(redis, keys),
      audit: createRedisAuditLog(redis, keys, { maxAgeMs: config.AUDIT_RETENTION_DAYS * 86_400_000, maxEntries: config.AUDIT_MAX_ENTRIES }),
      clock: Date.now,
      ...(broker === undefined ? {} : { broker: broker.access }),
    });
    return await program.run(command, { admin, principal: cliPrincipal(command.tenant), store, config });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A command that failed because Redis went away says only "Connection is closed": add why.
    const extra = redisError === undefined || (error instanceof Error && error.cause === redisError) ? '' : ` (redis: ${redisError.message})`;
    return { code: 1, stdout: '', stderr: `${program.name} failed: ${message}${extra}\n` };
  } finally {
    await broker?.close().catch(() => undefined);
    // quit() would wait for a connection that never came.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}

/** How long the CLI waits for Redis; ioredis alone would retry each command for over a minute. */
export const REDIS_CONNECT_TIMEOUT_MS = 10_000;

/** Resolves once Redis is ready; rejects at its first connection error (refused, wrong password) or the timeout. */
async function connected(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  try {
    await once(redis, 'ready', { signal: AbortSignal.timeout(REDIS_CONNECT_TIMEOUT_MS) });
  } catch (error) {
    const why = error instanceof Error && error.name === 'AbortError' ? `no connection within ${REDIS_CONNECT_TIMEOUT_MS} ms` : error instanceof Error ? error.message : String(error);
    throw new Error(`cannot reach Redis (REDIS_URL): ${why}`, { cause: error });
  }
}

/** The entry points' main: runs the command line and exits with its code once everything is closed. */
export function mainOf<C extends { readonly tenant: string }>(program: CliProgram<C>): void {
  runCli(program, { argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${program.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
