import { Id } from '@neurolift/contracts';
import { PipelineError, type Logger } from '@neurolift/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AthleteErasure, ErasureResult } from '../athlete-erasure.js';
import type { AuditLog } from '@neurolift/tenancy';
import { principalOf } from '../access/access-hook.js';
import type { AthleteOwners } from '../ports.js';
import type { ErasureMetrics, ErasureOutcome } from '../erasure-metrics.js';

const AthleteParams = z.object({ athleteId: Id });

/** How long a client should wait before retrying an erasure the worker held up, s. */
const BUSY_RETRY_AFTER_S = 10;

export interface ErasureRouteDeps {
  readonly erasure: AthleteErasure;
  readonly owners: AthleteOwners;
  /** The tenant's audit log: who erased which athlete, when. */
  readonly audit: AuditLog;
  readonly clock: () => number;
  /** The TSDB bucket of a tenant's points; undefined for the default tenant's (the eraser's own). */
  readonly bucketOf: (tenantId: string) => string | undefined;
  readonly metrics: ErasureMetrics;
  /** The audit trail: one line per erasure, with the athlete id and no other personal data. */
  readonly logger?: Logger;
}

/**
 * `DELETE /v1/athletes/:athleteId` (bearer token): erases the athlete from Redis and the TSDB. 200 with
 * a summary; 502 when only the TSDB delete failed (Redis is erased; the same request again finishes the
 * job); 503 when the worker kept the athlete locked (nothing erased); 400 for an id that breaks the id rule.
 */
export function registerErasureRoutes(app: FastifyInstance, deps: ErasureRouteDeps): void {
  void app.register(
    async (v1) => {
      v1.delete('/athletes/:athleteId', async (request, reply) => {
        const params = AthleteParams.safeParse(request.params);
        if (!params.success) return reply.code(400).send({ error: 'bad_request', message: 'athleteId breaks the id rule' });
        const { athleteId } = params.data;
        const principal = principalOf(request);
        const audit = (outcome: ErasureOutcome, details: Record<string, unknown> = {}): void => {
          deps.metrics.erasures.inc({ outcome });
          deps.logger?.info({ athleteId, outcome, ...details }, 'athlete erasure');
        };
        const record = (outcome: ErasureOutcome): Promise<void> =>
          deps.audit.append(principal.tenant, { actor: principal.actor, action: 'athlete.erase', target: athleteId, detail: outcome }, deps.clock());

        let result: ErasureResult;
        try {
          result = await deps.erasure.erase(athleteId, deps.bucketOf(principal.tenant));
        } catch (error) {
          if (error instanceof PipelineError && error.code === 'NL_ERR_ATHLETE_BUSY') {
            audit('busy');
            await record('busy');
            return reply
              .code(503)
              .header('retry-after', String(BUSY_RETRY_AFTER_S))
              .send({ error: 'busy', message: 'the worker is updating this athlete; nothing was erased, retry shortly' });
          }
          audit('failed', { err: error });
          await record('failed');
          return reply.code(500).send({ error: 'erasure_failed', message: 'the erasure stopped before it finished; retry this request (it is idempotent)' });
        }

        const { report } = result;
        const counts = { redisKeysDeleted: report.redisKeysDeleted, redisEntriesRemoved: report.redisEntriesRemoved, tsdb: report.tsdb };
        switch (result.outcome) {
          case 'completed':
            audit('completed', counts);
            // Only once nothing is left: a retry after a failed TSDB delete must still find it in scope.
            await deps.owners.release(athleteId);
            await record('completed');
            return report;
          case 'tsdb_failed':
            audit('tsdb_failed', { ...counts, errorCode: result.error.code, error: result.error.message });
            await record('tsdb_failed');
            return reply.code(502).send({
              error: 'tsdb_delete_failed',
              message: `the athlete's Redis data is erased, but the TSDB delete failed (${result.error.code}: ${result.error.message}); retry this request`,
              ...report,
            });
        }
      });
    },
    { prefix: '/v1' },
  );
}
