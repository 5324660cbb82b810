// A real 3-master Redis Cluster for tests: three redis-server processes (cluster mode, AOF) on free
// ports, joined by `redis-cli --cluster create`, ready once every node reports cluster_state:ok.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startServers, waitFor, type LocalServices } from './servers.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** One node's URL: what REDIS_URL names with REDIS_CLUSTER=true. */
  readonly url: string;
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: Array<LocalServices<'redis'>> = [];
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(await startServers({ services: ['redis'], redisExtraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
    }
    const ports = nodes.map((node) => Number(new URL(node.env.REDIS_URL).port));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(
      async () => {
        const states = await Promise.all(
          ports.map(async (port) => {
            const client = new Redis({ port, lazyConnect: true });
            try {
              await client.connect();
              return String(await client.cluster('INFO')).includes('cluster_state:ok');
            } finally {
              client.disconnect();
            }
          }),
        );
        return states.every(Boolean) ? true : undefined;
      },
      { what: 'the cluster to be ok on every node', timeoutMs: 20_000, intervalMs: 100 },
    );
    return { url: `redis://127.0.0.1:${ports[0]}`, ports, stop: () => Promise.all(nodes.map((node) => node.stop())).then(() => undefined) };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}
