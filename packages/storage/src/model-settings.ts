import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@neurolift/platform';
import { DEFAULT_CONSTANTS, MODEL_VERSION, withOverrides, type ModelConstants } from '@neurolift/stimulus';

export interface ModelSettings {
  readonly constants: ModelConstants;
  /** Written as `model` next to every output: `nsi-1`, or `nsi-1+<hash of the overrides>`. */
  readonly modelId: string;
}

export const DEFAULT_MODEL: ModelSettings = { constants: DEFAULT_CONSTANTS, modelId: MODEL_VERSION };

/** JSON with sorted keys, so equal overrides always hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Model constants with a deployment's overrides (parsed JSON of MODEL_CONSTANTS_FILE). Outputs of
 * overridden constants carry their own model id, so dashboards never mix them with the defaults'.
 * Throws (naming the constant) for an unknown key or an invalid value.
 */
export function modelSettings(overrides: unknown): ModelSettings {
  if (overrides === undefined) return DEFAULT_MODEL;
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new RangeError('model constants overrides must be a JSON object');
  }
  const constants = withOverrides(DEFAULT_CONSTANTS, overrides);
  const hash = createHash('sha256').update(canonical(overrides)).digest('hex').slice(0, 8);
  return { constants, modelId: `${MODEL_VERSION}+${hash}` };
}

/** Model settings from MODEL_CONSTANTS_FILE (undefined: defaults); a bad file stops the service naming the setting. */
export function loadModelSettings(file: string | undefined, service: string): ModelSettings {
  try {
    return modelSettings(file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as unknown));
  } catch (error) {
    throw new ConfigError(service, [{ setting: 'MODEL_CONSTANTS_FILE', message: error instanceof Error ? error.message : String(error) }]);
  }
}
