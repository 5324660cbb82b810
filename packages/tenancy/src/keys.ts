/**
 * The registry's Redis keys, under the deployment's prefix (the `{nl}` hash tag: one slot with the rest).
 * Key parts are protocol ids or token ids, which cannot contain `:`.
 */
export function tenancyKeys(prefix: string) {
  return {
    prefix,
    /** Hash tenantId → Tenant JSON. */
    tenants: `${prefix}:registry:tenants`,
    /** Hash gymId → tenantId. */
    gyms: `${prefix}:registry:gyms`,
    /** Hash deviceId → Device JSON. */
    devices: `${prefix}:registry:devices`,
    /** Set of gyms that have had a set (written by the alerts checks; `redisKeys(prefix).gyms`). */
    gymsWithSets: `${prefix}:gyms`,
    /**
     * Set of unregistered gyms ingest accepted a message at. Such a gym, like one in `gymsWithSets`, is the
     * default tenant's, with its history: no other tenant may register it.
     */
    gymsSeen: `${prefix}:registry:gyms-seen`,
    /** Counter bumped by every registry change; the in-memory views poll it. */
    version: `${prefix}:registry:version`,
    /**
     * Hash athleteId → tenantId of a one-shard deployment: who an athlete belongs to, from its first set or
     * profile. With REDIS_SHARDS > 1 each athlete's owner is in its shard (`redisKeys(shard).athleteTenants`).
     */
    athleteTenants: `${prefix}:registry:athlete-tenants`,
    /** Hash tokenId → TokenRecord JSON. */
    tokens: `${prefix}:tokens`,
    /** Hash SHA-256 of a secret (hex) → tokenId. */
    tokenHashes: `${prefix}:tokens:by-hash`,
    /** Hash tokenId → last use, epoch ms (written at most once a minute per token). */
    tokenLastUsed: `${prefix}:tokens:last-used`,
    /** Stream of a tenant's admin actions, trimmed by age and length. */
    audit: (tenantId: string) => `${prefix}:audit:${tenantId}`,
  } as const;
}
export type TenancyKeys = ReturnType<typeof tenancyKeys>;
