import type { Redis } from 'ioredis';
import type { TenancyKeys } from '../keys.js';
import type { AuditEntry } from '../model.js';
import type { AuditLog } from '../ports.js';

type RedisLike = Pick<Redis, 'multi' | 'xrevrange'>;

export interface AuditRetention {
  /** Entries older than this are trimmed at the next append, ms. */
  readonly maxAgeMs: number;
  /** And never more than this many per tenant (approximately: Redis trims whole nodes). */
  readonly maxEntries: number;
}

const FIELDS = ['actor', 'action', 'target', 'detail'] as const;

/** A tenant's admin actions in a Redis stream, trimmed by age and by length on every append. */
export function createRedisAuditLog(redis: RedisLike, keys: TenancyKeys, retention: AuditRetention): AuditLog {
  return {
    async append(tenantId, entry, now) {
      const key = keys.audit(tenantId);
      const fields = FIELDS.flatMap((name) => (entry[name] === undefined ? [] : [name, entry[name]]));
      await redis
        .multi()
        .xadd(key, 'MINID', '~', String(Math.max(0, now - retention.maxAgeMs)), '*', ...fields)
        .xtrim(key, 'MAXLEN', '~', retention.maxEntries)
        .exec();
    },
    async read(tenantId, limit) {
      const rows = await redis.xrevrange(keys.audit(tenantId), '+', '-', 'COUNT', limit);
      return rows.map(([id, flat]): AuditEntry => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
        return {
          id,
          at: new Date(Number(id.split('-')[0])).toISOString(),
          actor: fields.actor ?? '?',
          action: fields.action ?? '?',
          target: fields.target ?? '',
          ...(fields.detail === undefined ? {} : { detail: fields.detail }),
        };
      });
    },
  };
}
