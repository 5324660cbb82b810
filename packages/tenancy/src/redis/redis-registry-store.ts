import { DEFAULT_TENANT, redisKeys } from '@neurolift/contracts';
import type { Redis } from 'ioredis';
import { Device, Tenant } from '../model.js';
import type { TenancyKeys } from '../keys.js';
import type { RegistrySnapshot, RegistryStore } from '../ports.js';

type RedisLike = Pick<Redis, 'hget' | 'hgetall' | 'hset' | 'hsetnx' | 'hdel' | 'get' | 'multi' | 'sismember' | 'eval'>;

/**
 * The owner at first sight, in one step: the recorded one if any; else the default tenant when the athlete
 * already has a profile or sets (stored before tenancy: its history is the default tenant's); else the
 * claimant. KEYS: owners hash, profile, order; ARGV: athlete, claimant, default tenant.
 */
const CLAIM_ATHLETE = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner then return owner end
local tenant = ARGV[2]
if redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then tenant = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], tenant)
return tenant
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
export function createRedisRegistryStore(redis: RedisLike, keys: TenancyKeys): RegistryStore {
  async function bumpAfter(write: (multi: ReturnType<RedisLike['multi']>) => void): Promise<void> {
    const multi = redis.multi();
    write(multi);
    multi.incr(keys.version);
    await multi.exec();
  }
  async function canRegisterGym(gymId: string, tenantId: string): Promise<boolean> {
    const owner = await redis.hget(keys.gyms, gymId);
    if (owner !== null) return owner === tenantId;
    // A gym with history but no registration is the default tenant's (open mode): nobody else takes it.
    return tenantId === DEFAULT_TENANT || (await redis.sismember(keys.gymsSeen, gymId)) === 0;
  }
  return {
    async putTenant(tenant) {
      const created = await redis.hsetnx(keys.tenants, tenant.id, JSON.stringify(tenant));
      if (created === 1) await redis.multi().incr(keys.version).exec();
      return created === 1 ? 'created' : 'exists';
    },
    async getTenant(tenantId) {
      const text = await redis.hget(keys.tenants, tenantId);
      return text === null ? undefined : tenantOf(JSON.parse(text));
    },
    async listTenants() {
      return parseAll(await redis.hgetall(keys.tenants), tenantOf).sort((a, b) => a.id.localeCompare(b.id));
    },
    canRegisterGym,
    async addGym(gymId, tenantId) {
      if (!(await canRegisterGym(gymId, tenantId))) return 'taken';
      const created = await redis.hsetnx(keys.gyms, gymId, tenantId);
      if (created === 1) {
        await redis.multi().incr(keys.version).exec();
        return 'created';
      }
      return (await redis.hget(keys.gyms, gymId)) === tenantId ? 'exists' : 'taken';
    },
    async gymTenant(gymId) {
      return (await redis.hget(keys.gyms, gymId)) ?? undefined;
    },
    async listGyms(tenantId) {
      const all = await redis.hgetall(keys.gyms);
      return Object.entries(all)
        .filter(([, tenant]) => tenant === tenantId)
        .map(([gym]) => gym)
        .sort();
    },
    async createDevice(device) {
      const created = await redis.hsetnx(keys.devices, device.id, JSON.stringify(device));
      if (created === 1) await redis.multi().incr(keys.version).exec();
      return created === 1 ? 'created' : 'exists';
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
      return (await redis.hget(keys.athleteTenants, athleteId)) ?? undefined;
    },
    async claimAthlete(athleteId, tenantId) {
      const athlete = redisKeys(keys.prefix);
      const owner = await redis.eval(CLAIM_ATHLETE, 3, keys.athleteTenants, athlete.athleteProfile(athleteId), athlete.athleteOrder(athleteId), athleteId, tenantId, DEFAULT_TENANT);
      return String(owner);
    },
    async releaseAthlete(athleteId) {
      await redis.hdel(keys.athleteTenants, athleteId);
    },
  };
}
