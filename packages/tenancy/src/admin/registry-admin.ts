import { randomBytes } from 'node:crypto';
import { hashPassword } from '../broker/password-hash.js';
import { DEFAULT_TENANT } from '@neurolift/contracts';
import { isReservedDeviceId, RESERVED_DEVICE_ID_PREFIX, type Device, type DeviceKind, type Principal, type Role, type Tenant, type TokenRecord } from '../model.js';
import type { AuditLog, BrokerAccess, IssuedToken, RegistryStore, TokenStore } from '../ports.js';
import { fail, ok, type AdminResult } from './admin-result.js';

export interface RegistryAdminDeps {
  readonly store: RegistryStore;
  /** Absent when the broker is not driven (open deployments without the dynamic security plugin). */
  readonly broker?: BrokerAccess;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly clock: () => number;
  /** INFLUX_BUCKET, the default tenant's bucket: no other tenant may write there. */
  readonly defaultBucket?: string;
}

/** A device's view without its password hash. */
export type DeviceView = Omit<Device, 'password'>;
const viewOf = ({ password: _password, ...device }: Device): DeviceView => device;

/** A broker password: 24 random bytes, base64url (192 bits). */
export const newDevicePassword = (): string => randomBytes(24).toString('base64url');

export interface NewDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly gyms: readonly string[];
  /** Default: a random one, returned once. */
  readonly password?: string;
}

/**
 * The registry's admin operations, shared by the API and the CLI: each checks the caller's tenant,
 * keeps the registry (Redis) and the broker in step, and writes the audit log. Scope violations answer
 * `not_found`, never revealing that another tenant's resource exists.
 */
export function createRegistryAdmin(deps: RegistryAdminDeps) {
  const { store, audit, clock } = deps;
  const now = (): string => new Date(clock()).toISOString();
  const record = (principal: Principal, action: string, target: string, detail?: string): Promise<void> =>
    audit.append(principal.tenant, { actor: principal.actor, action, target, ...(detail === undefined ? {} : { detail }) }, clock());

  async function ownDevice(principal: Principal, deviceId: string): Promise<Device | undefined> {
    const device = await store.getDevice(deviceId);
    return device?.tenant === principal.tenant ? device : undefined;
  }

  /** Registers the gyms to the caller's tenant where free; `taken` lists those another tenant has. */
  async function claimGyms(principal: Principal, gyms: readonly string[]): Promise<string[]> {
    const taken: string[] = [];
    for (const gym of gyms) if ((await store.addGym(gym, principal.tenant)) === 'taken') taken.push(gym);
    return taken;
  }

  return {
    /** A new tenant comes with its first admin token (the secret shown once): from then on it runs itself. */
    async addTenant(principal: Principal, input: { id: string; name: string; bucket: string }): Promise<AdminResult<{ tenant: Tenant; adminToken: IssuedToken }>> {
      if (!principal.operator) return fail('forbidden', 'only the operator (bootstrap) token may add tenants');
      if (input.id === DEFAULT_TENANT) return fail('bad_request', `"${DEFAULT_TENANT}" is the tenant of everything not registered; it exists already`);
      // One bucket per tenant: a shared one would show each tenant's points in the other's Grafana.
      const buckets = new Set([...(await store.listTenants()).map((tenant) => tenant.bucket), ...(deps.defaultBucket === undefined ? [] : [deps.defaultBucket])]);
      if (buckets.has(input.bucket)) return fail('conflict', `bucket ${input.bucket} is another tenant's`);
      const tenant: Tenant = { ...input, createdAt: now() };
      if ((await store.putTenant(tenant)) === 'exists') return fail('conflict', `tenant ${input.id} exists`);
      await audit.append(input.id, { actor: principal.actor, action: 'tenant.create', target: input.id, detail: `bucket ${input.bucket}` }, clock());
      const adminToken = await deps.tokens.issue({ tenant: input.id, role: 'admin', gyms: 'all', name: `${input.id} admin`, createdBy: principal.actor });
      await audit.append(input.id, { actor: principal.actor, action: 'token.create', target: adminToken.record.id, detail: 'admin all gyms' }, clock());
      return ok({ tenant, adminToken });
    },

    async listGyms(principal: Principal): Promise<string[]> {
      const gyms = await store.listGyms(principal.tenant);
      return principal.gyms === 'all' ? gyms : gyms.filter((gym) => principal.gyms.includes(gym));
    },

    async addGym(principal: Principal, gymId: string): Promise<AdminResult<{ gymId: string; tenant: string }>> {
      // `taken` answers like `exists` would for a stranger: a conflict without naming the owner.
      if ((await store.addGym(gymId, principal.tenant)) === 'taken') return fail('conflict', `gym id ${gymId} is not available`);
      await record(principal, 'gym.add', gymId);
      return ok({ gymId, tenant: principal.tenant });
    },

    async addDevice(principal: Principal, input: NewDevice): Promise<AdminResult<{ device: DeviceView; password: string }>> {
      if (isReservedDeviceId(input.id)) return fail('bad_request', `"${input.id}" is reserved (alerts, and ids starting ${RESERVED_DEVICE_ID_PREFIX}, the pipeline's own client ids)`);
      if (input.kind === 'equipment' && input.gyms.length !== 1) return fail('bad_request', 'equipment belongs to exactly one gym');
      const gyms = [...new Set(input.gyms)];
      // Everything checked before anything is written: a refused device registers no gym.
      if ((await store.getDevice(input.id)) !== undefined) return fail('conflict', `device id ${input.id} is not available`);
      const strangers: string[] = [];
      for (const gym of gyms) if (!(await store.canRegisterGym(gym, principal.tenant))) strangers.push(gym);
      if (strangers.length > 0) return fail('conflict', `gym id ${strangers.join(', ')} is not available`);
      const taken = await claimGyms(principal, gyms);
      if (taken.length > 0) return fail('conflict', `gym id ${taken.join(', ')} is not available`);
      const password = input.password ?? newDevicePassword();
      const at = now();
      const device: Device = { id: input.id, tenant: principal.tenant, kind: input.kind, gyms, enabled: true, createdAt: at, passwordSetAt: at, password: hashPassword(password) };
      if ((await store.createDevice(device)) === 'exists') return fail('conflict', `device id ${input.id} is not available`);
      try {
        await deps.broker?.upsertDevice(device, password);
      } catch (error) {
        // The id is free again and the same request can be retried. The broker may have applied the change
        // before failing to answer (a timeout): take it back too, as far as it can be.
        await deps.broker?.remove(device.id).catch(() => undefined);
        await store.deleteDevice(device.id);
        throw error;
      }
      await record(principal, 'device.add', device.id, `${device.kind} at ${gyms.join(',')}`);
      return ok({ device: viewOf(device), password });
    },

    async listDevices(principal: Principal): Promise<DeviceView[]> {
      return (await store.listDevices(principal.tenant)).map(viewOf);
    },

    async getDevice(principal: Principal, deviceId: string): Promise<AdminResult<DeviceView>> {
      const device = await ownDevice(principal, deviceId);
      return device === undefined ? fail('not_found', 'no such device') : ok(viewOf(device));
    },

    async setEnabled(principal: Principal, deviceId: string, enabled: boolean): Promise<AdminResult<DeviceView>> {
      const device = await ownDevice(principal, deviceId);
      if (device === undefined) return fail('not_found', 'no such device');
      const next = { ...device, enabled };
      // Registry first when disabling (ingest's view follows), broker first when enabling (no window
      // where the registry says enabled and the broker refuses is worse than the reverse).
      if (enabled) {
        await deps.broker?.enable(deviceId);
        await store.putDevice(next);
      } else {
        await store.putDevice(next);
        await deps.broker?.disable(deviceId);
      }
      await record(principal, enabled ? 'device.enable' : 'device.disable', deviceId);
      return ok(viewOf(next));
    },

    async rotatePassword(principal: Principal, deviceId: string, given?: string): Promise<AdminResult<{ device: DeviceView; password: string }>> {
      const device = await ownDevice(principal, deviceId);
      if (device === undefined) return fail('not_found', 'no such device');
      const password = given ?? newDevicePassword();
      await deps.broker?.setPassword(deviceId, password);
      const next: Device = { ...device, password: hashPassword(password), passwordSetAt: now() };
      await store.putDevice(next);
      await record(principal, 'device.rotate', deviceId);
      return ok({ device: viewOf(next), password });
    },

    async removeDevice(principal: Principal, deviceId: string): Promise<AdminResult<{ deviceId: string }>> {
      const device = await ownDevice(principal, deviceId);
      if (device === undefined) return fail('not_found', 'no such device');
      await deps.broker?.remove(deviceId);
      await store.deleteDevice(deviceId);
      await record(principal, 'device.remove', deviceId);
      return ok({ deviceId });
    },

    async issueToken(
      principal: Principal,
      input: { role: Role; gyms: 'all' | readonly string[]; name: string; expiresAt?: string },
    ): Promise<AdminResult<IssuedToken>> {
      if (input.gyms !== 'all') {
        const own = new Set(await store.listGyms(principal.tenant));
        const strangers: string[] = [];
        for (const gym of input.gyms) {
          // The default tenant's gyms need no registration (a single-tenant deployment registers none).
          const ours = own.has(gym) || (principal.tenant === DEFAULT_TENANT && (await store.canRegisterGym(gym, DEFAULT_TENANT)));
          if (!ours) strangers.push(gym);
        }
        if (strangers.length > 0) return fail('bad_request', `not gyms of this tenant: ${strangers.join(', ')}`);
      }
      if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= clock()) return fail('bad_request', 'expiresAt is in the past');
      const issued = await deps.tokens.issue({ tenant: principal.tenant, role: input.role, gyms: input.gyms, name: input.name, createdBy: principal.actor, ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }) });
      await record(principal, 'token.create', issued.record.id, `${input.role} ${input.gyms === 'all' ? 'all gyms' : input.gyms.join(',')}`);
      return ok(issued);
    },

    async listTokens(principal: Principal): Promise<Array<Omit<TokenRecord, 'hash'> & { lastUsedAt?: string }>> {
      return (await deps.tokens.list(principal.tenant)).map(({ hash: _hash, ...token }) => token);
    },

    async revokeToken(principal: Principal, tokenId: string): Promise<AdminResult<{ tokenId: string }>> {
      if (!(await deps.tokens.revoke(principal.tenant, tokenId))) return fail('not_found', 'no such token');
      await record(principal, 'token.revoke', tokenId);
      return ok({ tokenId });
    },
  };
}
export type RegistryAdmin = ReturnType<typeof createRegistryAdmin>;

/** The bootstrap token's principal: the default tenant's admin and the operator. */
export const BOOTSTRAP_PRINCIPAL: Principal = { actor: 'bootstrap', tenant: DEFAULT_TENANT, role: 'admin', gyms: 'all', operator: true };
