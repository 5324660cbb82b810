import type { AuditEntry, Device, Principal, Role, Tenant, TokenRecord } from './model.js';

/**
 * The broker side of the device registry: Mosquitto's dynamic security plugin, driven over
 * `$CONTROL/dynamic-security/v1` (adapter: broker/dynsec-broker-access.ts). Every call is idempotent and
 * takes effect live, without a broker reload.
 */
export interface BrokerAccess {
  /** Creates the device's broker user and its role (the ACL its kind and gyms give), or replaces the role's ACL. */
  upsertDevice(device: Device, password: string): Promise<void>;
  /** Replaces the ACL of an existing device (its gyms changed). */
  updateAcl(device: Device): Promise<void>;
  /**
   * The old password is refused from now on. Mosquitto 2.0 disconnects the user's sessions; a device that
   * reconnects with the new password re-sends its unacknowledged QoS 1 messages: none is lost.
   */
  setPassword(deviceId: string, password: string): Promise<void>;
  /** Refuses the user and disconnects its sessions at once. */
  disable(deviceId: string): Promise<void>;
  enable(deviceId: string): Promise<void>;
  /** Deletes the user and its role (disconnecting it). */
  remove(deviceId: string): Promise<void>;
}

/** What ingest and the worker need of the registry, held in memory and refreshed when it changes. */
export interface RegistryView {
  /** The tenant owning the gym; the default tenant for a gym never registered. */
  tenantOfGym(gymId: string): string;
  /** The gym's registration, if any. */
  isRegisteredGym(gymId: string): boolean;
  device(deviceId: string): Device | undefined;
  /** The TSDB bucket of a tenant's points (the default tenant's is INFLUX_BUCKET). */
  bucketOf(tenantId: string): string;
}

/** The registry's state in Redis (adapter: redis-registry-store.ts). */
export interface RegistryStore {
  putTenant(tenant: Tenant): Promise<'created' | 'exists'>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /** Registers a gym to a tenant: `taken` when another tenant has it. */
  addGym(gymId: string, tenantId: string): Promise<'created' | 'exists' | 'taken'>;
  /** Whether addGym would answer `created` or `exists` (nothing is written). */
  canRegisterGym(gymId: string, tenantId: string): Promise<boolean>;
  listGyms(tenantId: string): Promise<string[]>;
  /** `exists` when the id is taken (by any tenant). */
  createDevice(device: Device): Promise<'created' | 'exists'>;
  putDevice(device: Device): Promise<void>;
  getDevice(deviceId: string): Promise<Device | undefined>;
  listDevices(tenantId: string): Promise<Device[]>;
  deleteDevice(deviceId: string): Promise<void>;
  /** Everything a RegistryView holds, read at once. */
  snapshot(): Promise<RegistrySnapshot>;
  /** Bumped by every change; views poll it. */
  version(): Promise<number>;
  /**
   * The tenant owning an athlete: the recorded one, else the default tenant for an athlete stored before
   * tenancy (a profile or sets, no owner), else undefined (nobody's yet).
   */
  athleteTenant(athleteId: string): Promise<string | undefined>;
  /**
   * Records the owner at first sight and returns the owner: the earlier one, or the default tenant for an
   * athlete stored before tenancy (a profile or sets, no owner), or else the given tenant.
   */
  claimAthlete(athleteId: string, tenantId: string): Promise<string>;
  /** Forgets the athlete's owner (its erasure). */
  releaseAthlete(athleteId: string): Promise<void>;
}

export interface RegistrySnapshot {
  readonly tenants: readonly Tenant[];
  /** gymId → tenantId. */
  readonly gyms: ReadonlyMap<string, string>;
  readonly devices: ReadonlyMap<string, Device>;
}

/** A new token: the secret is returned once and never stored. */
export interface IssuedToken {
  readonly secret: string;
  readonly record: TokenRecord;
}

export interface TokenStore {
  issue(input: { tenant: string; role: Role; gyms: 'all' | readonly string[]; name: string; createdBy: string; expiresAt?: string }): Promise<IssuedToken>;
  /** The token's principal, or undefined (unknown, revoked or expired). Records its last use. */
  authenticate(secret: string, now: number): Promise<Principal | undefined>;
  list(tenantId: string): Promise<Array<TokenRecord & { lastUsedAt?: string }>>;
  /** False when the tenant has no such token. */
  revoke(tenantId: string, tokenId: string): Promise<boolean>;
}

export interface AuditLog {
  append(tenantId: string, entry: Omit<AuditEntry, 'id' | 'at'>, now: number): Promise<void>;
  /** Newest first. */
  read(tenantId: string, limit: number): Promise<AuditEntry[]>;
}
