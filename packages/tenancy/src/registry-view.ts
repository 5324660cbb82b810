import type { Device } from './model.js';
import { DEFAULT_TENANT } from '@neurolift/contracts';
import type { RegistrySnapshot, RegistryStore, RegistryView } from './ports.js';

export interface RegistryViewOptions {
  readonly store: Pick<RegistryStore, 'snapshot' | 'version'>;
  /** The default tenant's bucket (INFLUX_BUCKET). */
  readonly defaultBucket: string;
  /** How often the version counter is read, ms (a change is seen within this). */
  readonly pollMs: number;
  readonly onError: (error: unknown) => void;
  /** After each reload, with the version now held (a metric: how current each service's registry is). */
  readonly onLoaded?: (version: number) => void;
}

export interface LiveRegistryView extends RegistryView {
  /** Reads the registry now (also what `start` does first). */
  refresh(): Promise<void>;
  stop(): void;
}

/** A pure view of one snapshot. */
export function viewOf(snapshot: RegistrySnapshot, defaultBucket: string): RegistryView {
  const buckets = new Map(snapshot.tenants.map((tenant) => [tenant.id, tenant.bucket]));
  return {
    tenantOfGym: (gymId) => snapshot.gyms.get(gymId) ?? DEFAULT_TENANT,
    isRegisteredGym: (gymId) => snapshot.gyms.has(gymId),
    device: (deviceId): Device | undefined => snapshot.devices.get(deviceId),
    bucketOf: (tenantId) => (tenantId === DEFAULT_TENANT ? defaultBucket : (buckets.get(tenantId) ?? defaultBucket)),
  };
}

const EMPTY: RegistrySnapshot = { tenants: [], gyms: new Map(), devices: new Map() };

/**
 * The registry held in memory for the hot paths (a lookup per message), re-read whenever its version
 * counter moves. Polling one counter is cheaper and simpler than pub/sub, and survives reconnects.
 */
export async function startRegistryView(options: RegistryViewOptions): Promise<LiveRegistryView> {
  let current = viewOf(EMPTY, options.defaultBucket);
  let version = -1;
  let reading = false;
  async function refresh(): Promise<void> {
    const next = await options.store.version();
    if (next === version) return;
    const snapshot = await options.store.snapshot();
    current = viewOf(snapshot, options.defaultBucket);
    version = next;
    options.onLoaded?.(version);
  }
  await refresh();
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    refresh()
      .catch(options.onError)
      .finally(() => (reading = false));
  }, options.pollMs);
  timer.unref();
  return {
    tenantOfGym: (gymId) => current.tenantOfGym(gymId),
    isRegisteredGym: (gymId) => current.isRegisteredGym(gymId),
    device: (deviceId) => current.device(deviceId),
    bucketOf: (tenantId) => current.bucketOf(tenantId),
    refresh,
    stop: () => clearInterval(timer),
  };
}
