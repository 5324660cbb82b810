import { DEFAULT_TENANT } from '@neurolift/contracts';
import type { RegistryView } from './ports.js';

/** How ingest treats stations the registry does not know: `open` takes them into the default tenant. */
export type RegistryMode = 'open' | 'enforce';

export type DeviceCheck =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly tenant: string; readonly reason: 'unregistered_station' | 'gym_not_allowed'; readonly detail: string };

/**
 * Ingest's own check of a message's station and gym against the registry (the broker checks first; this
 * is defence in depth against a broker misconfiguration). Pure over the view.
 * - A registered station must be a station (not a coach app), list the gym, and the gym must be its
 *   tenant's (an unregistered gym is the default tenant's).
 * - An unregistered station passes only in `open` mode and only at a default-tenant gym: open mode is
 *   the single-tenant deployment of before, and other tenants' gyms always enforce.
 * - A disabled device is not refused here: the broker refuses it from the moment it is disabled, and
 *   what it published before is legitimate data still in flight.
 * `tenant` is whose admins see a rejection: the device's tenant, or the gym's for an unknown station.
 */
export function checkDevice(view: RegistryView, mode: RegistryMode, gymId: string, stationId: string): DeviceCheck {
  const gymTenant = view.tenantOfGym(gymId);
  const device = view.device(stationId);
  if (device === undefined || device.kind === 'coach-app') {
    if (mode === 'open' && device === undefined && gymTenant === DEFAULT_TENANT) return { ok: true, tenant: gymTenant };
    return { ok: false, tenant: gymTenant, reason: 'unregistered_station', detail: `station ${stationId} is not a registered station` };
  }
  if (!device.gyms.includes(gymId) || gymTenant !== device.tenant) {
    return { ok: false, tenant: device.tenant, reason: 'gym_not_allowed', detail: `station ${stationId} may not publish under gym ${gymId}` };
  }
  return { ok: true, tenant: device.tenant };
}
