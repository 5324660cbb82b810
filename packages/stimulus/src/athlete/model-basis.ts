/*
 * The fingerprint a checkpoint keeps of what the model terms depend on besides the activities (profile and
 * constants): a fold compares it to tell when a session must be re-modelled (decision 0014).
 */
import { DEFAULT_CONSTANTS, type ModelConstants } from '../model/constants.js';
import type { AthleteProfileInput } from './plan-athlete-update.js';

/** A short, stable fingerprint of what the model terms depend on besides the sets: profile and constants. */
export function modelBasis(profile: AthleteProfileInput, constants: ModelConstants = DEFAULT_CONSTANTS): string {
  let constantsJson = CONSTANTS_JSON.get(constants);
  if (constantsJson === undefined) {
    constantsJson = canonicalJson(constants);
    CONSTANTS_JSON.set(constants, constantsJson);
  }
  return hash53(`[${canonicalJson(profile)},${constantsJson}]`);
}

/** The constants are frozen objects, one per deployment: their canonical form is computed once. */
const CONSTANTS_JSON = new WeakMap<ModelConstants, string>();

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** cyrb53: a fast 53-bit string hash (not cryptographic; a fingerprint, nothing secret). */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
