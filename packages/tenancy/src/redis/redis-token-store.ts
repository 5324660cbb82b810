import type { Redis } from 'ioredis';
import { timingSafeEqual } from 'node:crypto';
import { TokenRecord, type Principal } from '../model.js';
import type { TenancyKeys } from '../keys.js';
import type { TokenStore } from '../ports.js';
import { hashSecret, newTokenId, newTokenSecret } from '../token-secret.js';

type RedisLike = Pick<Redis, 'hget' | 'hgetall' | 'hmget' | 'hset' | 'hdel' | 'multi'>;

/** Last use is written at most this often per token and process (a busy console would write on every request). */
export const LAST_USED_RESOLUTION_MS = 60_000;

const recordOf = (text: string | null): TokenRecord | undefined => (text === null ? undefined : TokenRecord.safeParse(JSON.parse(text)).data);

/**
 * Scoped API tokens in Redis: the record by id, the id by the secret's SHA-256. A secret is found by its
 * hash (a preimage would be needed to forge one) and the stored hash is compared in constant time.
 */
export function createRedisTokenStore(redis: RedisLike, keys: TenancyKeys): TokenStore {
  const lastWritten = new Map<string, number>();
  return {
    async issue(input) {
      const secret = newTokenSecret();
      const record: TokenRecord = {
        id: newTokenId(),
        tenant: input.tenant,
        role: input.role,
        gyms: input.role === 'admin' || input.gyms === 'all' ? 'all' : [...input.gyms],
        name: input.name,
        hash: hashSecret(secret),
        createdAt: new Date().toISOString(),
        createdBy: input.createdBy,
        ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      };
      await redis.multi().hset(keys.tokens, record.id, JSON.stringify(record)).hset(keys.tokenHashes, record.hash, record.id).exec();
      return { secret, record };
    },
    async authenticate(secret, now) {
      if (!secret.startsWith('nlt_')) return undefined;
      const hash = hashSecret(secret);
      const id = await redis.hget(keys.tokenHashes, hash);
      if (id === null) return undefined;
      const record = recordOf(await redis.hget(keys.tokens, id));
      if (record === undefined || !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
      if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now) return undefined;
      if (now - (lastWritten.get(id) ?? 0) >= LAST_USED_RESOLUTION_MS) {
        lastWritten.set(id, now);
        await redis.hset(keys.tokenLastUsed, id, String(now));
      }
      const principal: Principal = { actor: record.id, tenant: record.tenant, role: record.role, gyms: record.gyms, operator: false };
      return principal;
    },
    async list(tenantId) {
      const [all, lastUsed] = await Promise.all([redis.hgetall(keys.tokens), redis.hgetall(keys.tokenLastUsed)]);
      return Object.values(all)
        .map((text) => recordOf(text))
        .filter((record): record is TokenRecord => record?.tenant === tenantId)
        .map((record) => {
          const used = lastUsed[record.id];
          return used === undefined ? record : { ...record, lastUsedAt: new Date(Number(used)).toISOString() };
        })
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async revoke(tenantId, tokenId) {
      const record = recordOf(await redis.hget(keys.tokens, tokenId));
      if (record?.tenant !== tenantId) return false;
      await redis.multi().hdel(keys.tokens, tokenId).hdel(keys.tokenHashes, record.hash).hdel(keys.tokenLastUsed, tokenId).exec();
      lastWritten.delete(tokenId);
      return true;
    },
  };
}
