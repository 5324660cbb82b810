// The api alone, in-process, on a real Redis with tenants created as an operator creates them (POST
// /v1/tenants with the bootstrap token, which answers each tenant's first admin token), and plain HTTP
// requests to it on their own connections.
import { request, type IncomingHttpHeaders } from 'node:http';
import { ApiServiceConfigSchema, startApi, type ApiService } from '@neurolift/api';
import { createLogger, createRegistry, loadConfig, type Logger } from '@neurolift/platform';
import { Redis } from 'ioredis';
import { startServers, type LocalServices } from './servers.js';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request on its own connection (fetch would keep sockets that hold app.close()). An event stream is
 * closed once its first event (not the `retry` block) has arrived: its status and that event are the answer.
 */
export function apiRequest(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
  };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, agent: false }, (res) => {
      const stream = res.headers['content-type']?.startsWith('text/event-stream') === true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (stream && /(^|\n)event: .*\n(.+\n)*\n/.test(body)) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The answer, or an error naming the request when its status is not `status`. */
export async function expectStatus(answer: Promise<ApiAnswer>, status: number, what: string): Promise<ApiAnswer> {
  const got = await answer;
  if (got.status !== status) throw new Error(`${what}: HTTP ${got.status} ${got.body}`);
  return got;
}

export interface TenancyApi<T extends string> {
  readonly servers: LocalServices<'redis'>;
  readonly redis: Redis;
  readonly api: ApiService;
  /** Each tenant's first admin token, as POST /v1/tenants answered it. */
  readonly adminOf: Readonly<Record<T, { readonly token: string; readonly id: string }>>;
  stop(): Promise<void>;
}

/** Redis, the api under `prefix` with `bootstrapToken`, and the tenants (bucket = id), each with its first admin token. */
export async function startTenancyApi<T extends string>(options: {
  readonly prefix: string;
  readonly bootstrapToken: string;
  readonly tenants: readonly T[];
  readonly logger?: Logger;
  /** How often open event streams re-check access, ms. */
  readonly accessRecheckMs?: number;
}): Promise<TenancyApi<T>> {
  const servers = await startServers({ services: ['redis'] });
  const redis = new Redis(servers.env.REDIS_URL);
  const env = {
    REDIS_URL: servers.env.REDIS_URL,
    REDIS_PREFIX: options.prefix,
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    API_TOKEN: options.bootstrapToken,
    TSDB_DELETE_API: 'none',
    REGISTRY_POLL_MS: '50',
  };
  const logger = options.logger ?? createLogger({ name: 'api', level: 'error' });
  const api = await startApi(loadConfig('api', ApiServiceConfigSchema, env), logger, {
    registry: createRegistry({ defaultMetrics: false }),
    ...(options.accessRecheckMs === undefined ? {} : { accessRecheckMs: options.accessRecheckMs }),
  });
  const adminOf = {} as Record<T, { token: string; id: string }>;
  for (const tenant of options.tenants) {
    const answer = await expectStatus(
      apiRequest(api.url, 'POST', '/v1/tenants', { token: options.bootstrapToken, body: { id: tenant, name: `Tenant ${tenant}`, bucket: tenant } }),
      201,
      `tenant ${tenant}`,
    );
    adminOf[tenant] = (JSON.parse(answer.body) as { adminToken: { token: string; id: string } }).adminToken;
  }
  return {
    servers,
    redis,
    api,
    adminOf,
    async stop() {
      await api.close();
      await redis.quit();
      await servers.stop();
    },
  };
}
