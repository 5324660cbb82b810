/**
 * A small InfluxDB line-protocol builder. Tag values here are protocol ids (A-Z a-z 0-9 _ -), checked
 * again at this boundary, so nothing can inject a tag, field or line. Tags are sorted by key (the
 * write-path order InfluxDB recommends); timestamps are epoch milliseconds (write precision `ms`).
 */
export type FieldValue = { readonly float: number } | { readonly int: number } | { readonly str: string } | { readonly bool: boolean };

const SAFE_TAG = /^[A-Za-z0-9_-]{1,64}$/;

function fieldText(value: FieldValue): string {
  if ('float' in value) {
    if (!Number.isFinite(value.float)) throw new Error(`non-finite float field ${value.float}`);
    return String(value.float);
  }
  if ('int' in value) {
    if (!Number.isSafeInteger(value.int)) throw new Error(`invalid int field ${value.int}`);
    return `${value.int}i`;
  }
  if ('str' in value) return `"${value.str.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return value.bool ? 'true' : 'false';
}

export function line(
  measurement: string,
  tags: Readonly<Record<string, string>>,
  fields: Readonly<Record<string, FieldValue | undefined>>,
  timestampMs: number,
): string {
  const tagText = Object.keys(tags)
    .sort()
    .map((key) => {
      const value = tags[key] as string;
      if (!SAFE_TAG.test(value)) throw new Error(`tag ${key} has a value outside the id rule`);
      return `,${key}=${value}`;
    })
    .join('');
  const fieldEntries = Object.entries(fields).filter((entry): entry is [string, FieldValue] => entry[1] !== undefined);
  if (fieldEntries.length === 0) throw new Error(`point ${measurement} has no fields`);
  const fieldText_ = fieldEntries.map(([key, value]) => `${key}=${fieldText(value)}`).join(',');
  return `${measurement}${tagText} ${fieldText_} ${Math.trunc(timestampMs)}`;
}

export const float = (value: number): FieldValue => ({ float: value });
export const int = (value: number): FieldValue => ({ int: value });
export const str = (value: string): FieldValue => ({ str: value });
export const bool = (value: boolean): FieldValue => ({ bool: value });
export const optionalFloat = (value: number | undefined): FieldValue | undefined => (value === undefined ? undefined : { float: value });
