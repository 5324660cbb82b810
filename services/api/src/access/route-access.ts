import type { Role } from '@neurolift/tenancy';

/** Who may call a route, and which resource of its path the caller's scope must cover. */
export type RouteAccess =
  | { readonly public: true }
  | {
      readonly public?: false;
      readonly roles: readonly Role[];
      /** Only the operator (the bootstrap token) may call it. */
      readonly operator?: boolean;
      /** The path's resource checked against the caller's tenant and gyms; out of scope answers 404. */
      readonly scope?: 'gym' | 'athlete';
      /** An admin may take an athlete no tenant owns yet (a profile written before the first set). */
      readonly claimsAthlete?: boolean;
      /** The token may come as `?token=` (EventSource cannot set headers). */
      readonly queryToken?: boolean;
    };

const ALL: readonly Role[] = ['admin', 'coach', 'viewer'];
const ADMIN: readonly Role[] = ['admin'];

/**
 * Every route of the API and who may call it: the one table the access hook reads and the route matrix
 * test walks. A route missing here answers 500 (fail closed) and fails that test.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /healthz': { public: true },
  'GET /readyz': { public: true },
  'GET /metrics': { public: true },
  // The console page and its assets are the same bytes for everyone; its data comes from the live routes.
  'GET /console': { public: true },
  'GET /console/console.js': { public: true },
  'GET /console/console.css': { public: true },

  'GET /v1/gyms/:gymId/live/snapshot': { roles: ALL, scope: 'gym' },
  'GET /v1/gyms/:gymId/live': { roles: ALL, scope: 'gym', queryToken: true },
  'GET /v1/gyms': { roles: ALL },
  'POST /v1/gyms': { roles: ADMIN },

  'GET /v1/athletes/:athleteId/profile': { roles: ['admin', 'coach'], scope: 'athlete' },
  'PUT /v1/athletes/:athleteId/profile': { roles: ['admin', 'coach'], scope: 'athlete', claimsAthlete: true },
  'DELETE /v1/athletes/:athleteId': { roles: ADMIN, scope: 'athlete' },

  'GET /v1/dead-letters': { roles: ADMIN },
  'GET /v1/audit': { roles: ADMIN },

  'GET /v1/devices': { roles: ADMIN },
  'POST /v1/devices': { roles: ADMIN },
  'GET /v1/devices/:deviceId': { roles: ADMIN },
  'DELETE /v1/devices/:deviceId': { roles: ADMIN },
  'POST /v1/devices/:deviceId/disable': { roles: ADMIN },
  'POST /v1/devices/:deviceId/enable': { roles: ADMIN },
  'POST /v1/devices/:deviceId/rotate': { roles: ADMIN },

  'GET /v1/tokens': { roles: ADMIN },
  'POST /v1/tokens': { roles: ADMIN },
  'DELETE /v1/tokens/:tokenId': { roles: ADMIN },

  'GET /v1/tenants': { roles: ADMIN, operator: true },
  'POST /v1/tenants': { roles: ADMIN, operator: true },
};
