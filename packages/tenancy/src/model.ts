import { Id } from '@neurolift/contracts';
import { z } from 'zod';

/**
 * Tenancy: a tenant (an organisation) owns gyms; a gym owns its equipment; a wearable may be used at
 * the gyms of its tenant it lists; a coach app reads the alerts of the gyms it lists. Ids share one
 * namespace per deployment (they are topic levels and broker user names).
 */

export { DEFAULT_TENANT } from '@neurolift/contracts';

/** InfluxDB bucket names: printable, no quotes or slashes, as the InfluxDB API accepts them. */
export const BucketName = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1 to 128 characters of A-Z a-z 0-9 _ . -');

export const Tenant = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  /** The TSDB bucket of its points; the default tenant's is INFLUX_BUCKET. */
  bucket: BucketName,
  createdAt: z.iso.datetime(),
});
export type Tenant = z.infer<typeof Tenant>;

export const DeviceKind = z.enum(['equipment', 'wearable', 'coach-app']);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** A broker password as Mosquitto's dynamic security plugin stores it (PBKDF2-HMAC-SHA512, base64). */
export const PasswordHash = z.object({
  salt: z.string().min(1),
  hash: z.string().min(1),
  iterations: z.number().int().positive(),
});
export type PasswordHash = z.infer<typeof PasswordHash>;

export const Device = z.object({
  /** The station id of its topics (equipment, wearable) and its broker user name. */
  id: Id,
  tenant: Id,
  kind: DeviceKind,
  /** equipment: exactly its own gym; wearable: the gyms of its tenant it may use; coach-app: the gyms whose alerts it reads. */
  gyms: z.array(Id).min(1).max(1000),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  /** When its password was last set (creation or rotation). */
  passwordSetAt: z.iso.datetime(),
  /** Only the hash: the password is shown once, to whoever created or rotated it. */
  password: PasswordHash,
});
export type Device = z.infer<typeof Device>;

export const Role = z.enum(['admin', 'coach', 'viewer']);
export type Role = z.infer<typeof Role>;

export const TokenRecord = z.object({
  /** Public id (listing, revoking, the audit log's actor); not the secret. */
  id: z.string().regex(/^tok_[a-f0-9]{16}$/),
  tenant: Id,
  role: Role,
  /** Gyms it may see: `all` (of its tenant) or a list; admins always have `all`. */
  gyms: z.union([z.literal('all'), z.array(Id).min(1).max(1000)]),
  name: z.string().min(1).max(200),
  /** SHA-256 of the secret, hex. */
  hash: z.string().regex(/^[a-f0-9]{64}$/),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** Who is calling: a scoped token, or the bootstrap token (API_TOKEN: the default tenant's admin and the operator). */
export interface Principal {
  /** `bootstrap` or a token id: the audit log's actor. */
  readonly actor: string;
  readonly tenant: string;
  readonly role: Role;
  readonly gyms: 'all' | readonly string[];
  /** May create tenants (the bootstrap token only). */
  readonly operator: boolean;
}

/** An admin action, as the audit log keeps it. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: string;
}

/** Ids a device may not take: `alerts` is the coach alerts topic level (gym/v1/<gymId>/alerts). */
export const RESERVED_DEVICE_IDS: ReadonlySet<string> = new Set(['alerts']);

/**
 * A device's client id is its id, so a device named like a service's client id (`neurolift-ingest-1`)
 * could take over that service's broker session: the pipeline's client ids keep this prefix, devices may not.
 */
export const RESERVED_DEVICE_ID_PREFIX = 'neurolift-';

export function isReservedDeviceId(id: string): boolean {
  return RESERVED_DEVICE_IDS.has(id) || id.startsWith(RESERVED_DEVICE_ID_PREFIX);
}
