import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Liveness: the process runs its loops. */
  live(): boolean;
  /** Readiness: connected to what it needs (broker, Redis, TSDB). */
  ready(): Promise<boolean> | boolean;
}

/** Adds GET /healthz, /readyz and /metrics to a Fastify app (used by every service). */
export function registerHealthRoutes(app: FastifyInstance, checks: HealthChecks, registry: Registry): void {
  app.get('/healthz', async (_request, reply) => reply.code(checks.live() ? 200 : 503).send({ live: checks.live() }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await checks.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}

/** A tiny HTTP server with only the health routes, for services that run alone (ingest, worker). */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  checks: HealthChecks;
  registry: Registry;
}): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  registerHealthRoutes(app, options.checks, options.registry);
  const url = await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  return { url, close: () => app.close() };
}
