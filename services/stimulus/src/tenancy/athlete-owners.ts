/**
 * Which tenant owns each athlete, held in memory so a job pays one map lookup: Redis is asked once per
 * athlete and process (the claim: the owner is recorded at first sight), and again only after OWNER_TTL_MS.
 *
 * Why a lifetime at all: ownership changes only by an erasure (`releaseAthlete`), which this process does not
 * hear of. An owner cached past an erasure would keep admitting the old tenant's data without recording it
 * in Redis, while another process, asking Redis, may give the athlete to a new tenant: the athlete's state
 * would then mix two tenants' sets. Re-claiming after a minute bounds that to an athlete erased and seen at
 * another tenant within a minute; it costs one HSETNX per active athlete and minute, nothing per job.
 */

/** How long a confirmed owner is used without asking Redis again, ms. */
export const OWNER_TTL_MS = 60_000;
/** Athletes cached at most (the oldest claimed goes first): about 100 bytes each. */
export const OWNER_CACHE_MAX = 100_000;

export interface AthleteOwners {
  /**
   * The tenant owning the athlete: the tenant to claim for when it had none (then it is recorded for it). A
   * function is called only when Redis is asked (a cache miss), for a tenant that costs something to work out.
   */
  ownerOf(athleteId: string, claimFor: string | (() => Promise<string>)): Promise<string>;
}

export interface AthleteOwnersOptions {
  /** Records the owner at first sight; returns the owner (RegistryStore.claimAthlete). */
  readonly claim: (athleteId: string, tenantId: string) => Promise<string>;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly owner: Promise<string>;
  readonly at: number;
}

export function createAthleteOwners(options: AthleteOwnersOptions): AthleteOwners {
  const { ttlMs = OWNER_TTL_MS, maxEntries = OWNER_CACHE_MAX, now = Date.now } = options;
  // Insertion order is claim order: the first key is the oldest claim.
  const entries = new Map<string, Entry>();
  return {
    ownerOf(athleteId, claimFor) {
      const cached = entries.get(athleteId);
      const at = now();
      if (cached !== undefined && at - cached.at < ttlMs) return cached.owner;
      // The promise itself is cached: concurrent jobs of one athlete make one claim.
      const owner = typeof claimFor === 'string' ? options.claim(athleteId, claimFor) : claimFor().then((tenantId) => options.claim(athleteId, tenantId));
      const entry = { owner, at };
      entries.delete(athleteId);
      entries.set(athleteId, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      // A failed claim is not remembered: the job fails (and is retried), the next one asks again.
      owner.catch(() => {
        if (entries.get(athleteId) === entry) entries.delete(athleteId);
      });
      return owner;
    },
  };
}
