import { DEFAULT_TENANT, isId } from '@neurolift/contracts';
import type { Principal, RegistryView } from '@neurolift/tenancy';

/** What the scope checks read of the athletes. */
export interface AthleteDirectory {
  /** The tenant that owns the athlete, if one does (athletes of before tenancy have none: the default tenant's). */
  ownerOf(athleteId: string): Promise<string | undefined>;
  /** Whether the athlete has had a set at one of these gyms (the gym's athlete index). */
  seenAt(athleteId: string, gymIds: readonly string[]): Promise<boolean>;
}

export interface ScopeDeps {
  readonly view: Pick<RegistryView, 'tenantOfGym'>;
  readonly athletes: AthleteDirectory;
}

/** A gym is in scope when it is the caller's tenant's and among the caller's gyms. */
export function gymInScope(view: ScopeDeps['view'], principal: Principal, gymId: string): boolean {
  if (view.tenantOfGym(gymId) !== principal.tenant) return false;
  return principal.gyms === 'all' || principal.gyms.includes(gymId);
}

/**
 * An athlete is in scope when the caller's tenant owns it and, for a caller limited to some gyms, the
 * athlete has been seen at one of them. `claim`: an admin may also take an athlete nobody owns yet.
 */
export async function athleteInScope(deps: ScopeDeps, principal: Principal, athleteId: string, claim: boolean): Promise<boolean> {
  if (!isId(athleteId)) return true; // the handler answers 400; nothing to leak
  const stored = await deps.athletes.ownerOf(athleteId);
  const owner = stored ?? DEFAULT_TENANT;
  if (owner !== principal.tenant) return claim && stored === undefined && principal.role === 'admin';
  if (principal.gyms === 'all') return true;
  return deps.athletes.seenAt(athleteId, principal.gyms);
}
