import { parseArgs } from 'node:util';
import { shardLayout, shardLayoutProblem, type ShardLayout } from '@neurolift/contracts';
import { ConfigError, loadConfig, type Env } from '@neurolift/platform';
import { balanceShards, createRedisConnection, masterConnection, reshard, shardLayoutOf, shardReport, type ClusterAuth, type ShardReport } from '@neurolift/storage';
import { Redis } from 'ioredis';
import { ApiConfigSchema } from '../config.js';

export const SHARDS_USAGE = `Usage: npm run shards -- <command>

Where the deployment's REDIS_SHARDS shards ({nl:0}…) sit on a Redis Cluster, and moving them.

Commands:
  status              each shard's slot, the master serving it and its keys; shards per master
  balance [--dry-run] move whole shards (online) until every master holds ⌊S/M⌋ or ⌈S/M⌉ of them:
                      after adding masters, or to even out where the slot ranges put them
  reshard --to <N> [--dry-run]
                      change REDIS_SHARDS from its current value to N, offline: stop every ingest
                      first (the broker keeps their messages) and let the workers and alerts drain
                      the queues, then stop them too; it refuses, listing what still waits, until
                      then. Afterwards set REDIS_SHARDS=N on every service and start them.

Settings (environment, or <NAME>_FILE): REDIS_URL (required: any node of the cluster), REDIS_PREFIX,
REDIS_SHARDS (as the services have them now), REDIS_CLUSTER (true for status and balance; reshard
works on one Redis too). balance and reshard need a user allowed CLUSTER SETSLOT, MIGRATE, DUMP and
RESTORE (the default user; the services' neurolift user is not).`;

export const ShardsConfigSchema = ApiConfigSchema.pick({ REDIS_URL: true, REDIS_PREFIX: true, REDIS_CLUSTER: true, REDIS_CLUSTER_NODES: true, REDIS_SHARDS: true });

export interface ShardsIo {
  readonly argv: readonly string[];
  readonly env: Env;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** The report as text: one line a shard, then the count a master. */
export function formatReport(report: ShardReport, layout: ShardLayout, keyCounts: ReadonlyMap<number, number>): string {
  const address = new Map(report.masters.map((master) => [master.id, `${master.host}:${master.port}`]));
  const lines = ['shard\tprefix\tslot\tmaster\tkeys'];
  for (const [id, shards] of report.placement) {
    for (const shard of shards) lines.push(`${shard.shard}\t${layout.prefixes[shard.shard] ?? ''}\t${shard.slot}\t${address.get(id) ?? id}\t${keyCounts.get(shard.shard) ?? 0}`);
  }
  lines.push('', 'master\tshards');
  for (const [id, shards] of report.placement) lines.push(`${address.get(id) ?? id}\t${shards.length}`);
  return `${lines.join('\n')}\n`;
}

/** Runs one command line; answers the exit code (0 done, 1 failed, 2 usage). */
export async function runShardsCli(io: ShardsIo): Promise<number> {
  const optionSpec = { 'dry-run': { type: 'boolean' }, help: { type: 'boolean' }, to: { type: 'string' } } as const;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof optionSpec; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...io.argv], options: optionSpec, allowPositionals: true });
  } catch (error) {
    io.stderr.write(`shards: ${error instanceof Error ? error.message : String(error)}\n\n${SHARDS_USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help === true || command === 'help') {
    io.stdout.write(`${SHARDS_USAGE}\n`);
    return 0;
  }
  const problem =
    command === undefined
      ? 'a command is required'
      : !['status', 'balance', 'reshard'].includes(command) || rest.length > 0
        ? `unknown command: ${[command, ...rest].join(' ')}`
        : command === 'status' && parsed.values['dry-run'] === true
          ? 'status takes no --dry-run'
          : (command === 'reshard') !== (parsed.values.to !== undefined)
            ? command === 'reshard'
              ? 'reshard needs --to <N>'
              : '--to is for reshard'
            : undefined;
  if (problem !== undefined) {
    io.stderr.write(`shards: ${problem}\n\n${SHARDS_USAGE}\n`);
    return 2;
  }
  if (command === 'reshard') return runReshard(io, parsed.values.to ?? '', parsed.values['dry-run'] === true);
  let layout: ShardLayout;
  let url: URL;
  try {
    const config = loadConfig('shards', ShardsConfigSchema, io.env);
    if (!config.REDIS_CLUSTER) throw new ConfigError('shards', [{ setting: 'REDIS_CLUSTER', message: 'must be true: shards are placed on the masters of a Redis Cluster (one Redis holds them all)' }]);
    layout = shardLayoutOf('shards', config);
    url = new URL(config.REDIS_URL);
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const auth: ClusterAuth = {
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  };
  const connect = masterConnection(auth);
  const node = connect(url.hostname, Number(url.port || 6379));
  try {
    if (command === 'balance') {
      const moves = await balanceShards(node, layout.prefixes, {
        connect,
        auth,
        dryRun: parsed.values['dry-run'] === true,
        onMove: (move, keys) => io.stdout.write(`moved shard ${move.shard} (slot ${move.slot}, ${keys} keys) from ${move.from} to ${move.to}\n`),
      });
      if (moves.length === 0) io.stdout.write('the shards are even: nothing to move\n');
      else if (parsed.values['dry-run'] === true) for (const move of moves) io.stdout.write(`would move shard ${move.shard} (slot ${move.slot}) from ${move.from} to ${move.to}\n`);
    }
    const report = await shardReport(node, layout.prefixes);
    io.stdout.write(formatReport(report, layout, await keyCounts(report, connect)));
    return 0;
  } catch (error) {
    io.stderr.write(`shards: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    node.disconnect();
  }
}

/** Keys of each shard, counted on the master serving its slot. */
async function keyCounts(report: ShardReport, connect: (host: string, port: number) => Redis): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const master of report.masters) {
    const shards = report.placement.get(master.id) ?? [];
    if (shards.length === 0) continue;
    const node = connect(master.host, master.port);
    try {
      for (const shard of shards) counts.set(shard.shard, Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', shard.slot)));
    } finally {
      node.disconnect();
    }
  }
  return counts;
}

/** `reshard --to N`: the old layout from the settings, the new one with N shards. */
async function runReshard(io: ShardsIo, toText: string, dryRun: boolean): Promise<number> {
  let from: ShardLayout;
  let to: ShardLayout;
  let config: ReturnType<typeof loadConfig<typeof ShardsConfigSchema>>;
  try {
    config = loadConfig('shards', ShardsConfigSchema, io.env);
    from = shardLayoutOf('shards', config);
    const count = /^\d+$/.test(toText) ? Number(toText) : Number.NaN;
    const problem = shardLayoutProblem(config.REDIS_PREFIX, count);
    if (problem !== undefined) throw new Error(`shards: --to ${toText}: ${problem.replace('REDIS_SHARDS', 'the new number of shards')}`);
    to = shardLayout(config.REDIS_PREFIX, count);
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (from.count === to.count) {
    io.stdout.write(`REDIS_SHARDS is already ${to.count}: nothing to do\n`);
    return 0;
  }
  const redis = createRedisConnection({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, clusterNodes: config.REDIS_CLUSTER_NODES, name: 'neurolift-shards-cli' });
  try {
    const report = await reshard({ redis, from, to, dryRun, log: (line) => io.stdout.write(`${line}\n`) });
    if (report.pending.length > 0) {
      io.stderr.write(`shards: jobs still wait or run; stop ingest, let the workers and alerts drain, then run again:\n${report.pending.map((line) => `  ${line}`).join('\n')}\n`);
      return 1;
    }
    for (const key of report.unplaced) io.stdout.write(`left where it is (not the pipeline's, or its owner is gone): ${key}\n`);
    if (!dryRun) io.stdout.write(`done: set REDIS_SHARDS=${to.count} on every service and start them\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`shards: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
