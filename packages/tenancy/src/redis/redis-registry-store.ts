import { DEFAULT_TENANT, redisKeys, type RedisKeys } from '@neurolift/contracts';
import type { Redis } from 'ioredis';
import { Device, Tenant } from '../model.js';
import type { TenancyKeys } from '../keys.js';
import type { RegistrySnapshot, RegistryStore } from '../ports.js';

type RedisLike = Pick<Redis, 'hget' | 'hgetall' | 'hset' | 'hsetnx' | 'hdel' | 'get' | 'multi' | 'eval'>;

/**
 * The owner at first sight, in one step: the recorded one if any; else the default tenant when the athlete
 * already has a profile or sets (stored before tenancy: its history is the default tenant's); else the
 * claimant. KEYS: owners hash, profile, order; ARGV: athlete, claimant, default tenant.
 */
const OWNER_OF = `
local function ownerOf(athlete, default)
  local owner = redis.call('HGET', KEYS[1], athlete)
  if owner then return owner end
  if redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then return default end
  return false
end
`;
const CLAIM_ATHLETE = `${OWNER_OF}
local owner = ownerOf(ARGV[1], ARGV[3])
if owner then
  if not redis.call('HGET', KEYS[1], ARGV[1]) then redis.call('HSET', KEYS[1], ARGV[1], owner) end
  return owner
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;
/** The same owner, read only (nil: nobody's yet). ARGV: athlete, default tenant. */
const ATHLETE_OWNER = `${OWNER_OF}
return ownerOf(ARGV[1], ARGV[2])
`;

/**
 * A gym's registration checked, and with ARGV[4] = 1 made, in one step: `exists` (the tenant's already),
 * `taken` (another tenant's, or an unregistered gym with history, which is the default tenant's), else
 * `created` (or `free` when only checking). KEYS: gyms hash, gyms with sets, gyms seen, version.
 * ARGV: gym, tenant, default tenant, write.
 */
const REGISTER_GYM = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner then
  if owner == ARGV[2] then return 'exists' end
  return 'taken'
end
if ARGV[2] ~= ARGV[3] and (redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 or redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1) then
  return 'taken'
end
if ARGV[4] ~= '1' then return 'free' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[4])
return 'created'
`;

function parseAll<T>(values: Record<string, string>, parse: (value: unknown) => T | undefined): T[] {
  const out: T[] = [];
  for (const text of Object.values(values)) {
    const value = parse(JSON.parse(text));
    if (value !== undefined) out.push(value);
  }
  return out;
}
const tenantOf = (value: unknown): Tenant | undefined => Tenant.safeParse(value).data;
const deviceOf = (value: unknown): Device | undefined => Device.safeParse(value).data;

/** The registry in Redis: three hashes and a version counter bumped in the same transaction as each change. */
/**
 * `athleteKeys`: where an athlete's keys are (ShardLayout.athleteKeys); its owner is recorded in its own shard,
 * beside the profile and sets the owner scripts read. Default: the one shard of the registry's prefix.
 */
export function createRedisRegistryStore(redis: RedisLike, keys: TenancyKeys, athleteKeys: (athleteId: string) => RedisKeys = () => redisKeys(keys.prefix)): RegistryStore {
  async function bumpAfter(write: (multi: ReturnType<RedisLike['multi']>) => void): Promise<void> {
    const multi = redis.multi();
    write(multi);
    multi.incr(keys.version);
    await multi.exec();
  }
  const registerGym = async (gymId: string, tenantId: string, write: boolean): Promise<string> =>
    String(await redis.eval(REGISTER_GYM, 4, keys.gyms, keys.gymsWithSets, keys.gymsSeen, keys.version, gymId, tenantId, DEFAULT_TENANT, write ? '1' : '0'));
  /** HSETNX and the version bump in one transaction: no view misses a change. */
  /** KEYS of the owner scripts: the owners hash, the athlete's profile and its set order. */
  const ownerKeys = (athleteId: string): [string, string, string] => {
    const athlete = athleteKeys(athleteId);
    return [athlete.athleteTenants, athlete.athleteProfile(athleteId), athlete.athleteOrder(athleteId)];
  };
  async function setIfAbsent(hash: string, field: string, value: string): Promise<boolean> {
    const replies = await redis.multi().hsetnx(hash, field, value).incr(keys.version).exec();
    return replies?.[0]?.[1] === 1;
  }
  return {
    async putTenant(tenant) {
      return (await setIfAbsent(keys.tenants, tenant.id, JSON.stringify(tenant))) ? 'created' : 'exists';
    },
    async getTenant(tenantId) {
      const text = await redis.hget(keys.tenants, tenantId);
      return text === null ? undefined : tenantOf(JSON.parse(text));
    },
    async listTenants() {
      return parseAll(await redis.hgetall(keys.tenants), tenantOf).sort((a, b) => a.id.localeCompare(b.id));
    },
    canRegisterGym: async (gymId, tenantId) => (await registerGym(gymId, tenantId, false)) !== 'taken',
    async addGym(gymId, tenantId) {
      const outcome = await registerGym(gymId, tenantId, true);
      return outcome === 'created' || outcome === 'exists' ? outcome : 'taken';
    },
    async listGyms(tenantId) {
      const all = await redis.hgetall(keys.gyms);
      return Object.entries(all)
        .filter(([, tenant]) => tenant === tenantId)
        .map(([gym]) => gym)
        .sort();
    },
    async createDevice(device) {
      return (await setIfAbsent(keys.devices, device.id, JSON.stringify(device))) ? 'created' : 'exists';
    },
    async putDevice(device) {
      await bumpAfter((multi) => multi.hset(keys.devices, device.id, JSON.stringify(device)));
    },
    async getDevice(deviceId) {
      const text = await redis.hget(keys.devices, deviceId);
      return text === null ? undefined : deviceOf(JSON.parse(text));
    },
    async listDevices(tenantId) {
      return parseAll(await redis.hgetall(keys.devices), deviceOf)
        .filter((device) => device.tenant === tenantId)
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    async deleteDevice(deviceId) {
      await bumpAfter((multi) => multi.hdel(keys.devices, deviceId));
    },
    async snapshot(): Promise<RegistrySnapshot> {
      const [tenants, gyms, devices] = await Promise.all([redis.hgetall(keys.tenants), redis.hgetall(keys.gyms), redis.hgetall(keys.devices)]);
      return {
        tenants: parseAll(tenants, tenantOf),
        gyms: new Map(Object.entries(gyms)),
        devices: new Map(parseAll(devices, deviceOf).map((device) => [device.id, device])),
      };
    },
    async version() {
      return Number((await redis.get(keys.version)) ?? 0);
    },
    async athleteTenant(athleteId) {
      const owner = await redis.eval(ATHLETE_OWNER, 3, ...ownerKeys(athleteId), athleteId, DEFAULT_TENANT);
      return typeof owner === 'string' ? owner : undefined;
    },
    async claimAthlete(athleteId, tenantId) {
      return String(await redis.eval(CLAIM_ATHLETE, 3, ...ownerKeys(athleteId), athleteId, tenantId, DEFAULT_TENANT));
    },
    async releaseAthlete(athleteId) {
      await redis.hdel(athleteKeys(athleteId).athleteTenants, athleteId);
    },
  };
}
