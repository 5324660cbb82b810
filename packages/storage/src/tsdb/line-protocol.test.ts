import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { float, int, line, optionalFloat, str, type FieldValue } from './line-protocol.js';

/*
 * InfluxDB line protocol: `measurement,tag=v,… field=v,… timestamp`. Tags sorted by key; integer
 * fields carry an `i`; string fields are double-quoted with `"` and `\` escaped; timestamps are ms.
 * Tag values must follow the protocol id rule: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
 */

interface ParsedLine {
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly fields: Record<string, FieldValue>;
  readonly timestamp: number;
}

/** A tiny line-protocol parser, enough for what `line` may produce. */
function parseLine(text: string): ParsedLine {
  const headEnd = text.indexOf(' ');
  if (headEnd <= 0) throw new Error('no space after the measurement and tags');
  const [measurement = '', ...tagParts] = text.slice(0, headEnd).split(',');
  const tags: Record<string, string> = {};
  for (const part of tagParts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`bad tag ${part}`);
    tags[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const fields: Record<string, FieldValue> = {};
  let i = headEnd + 1;
  for (;;) {
    const eq = text.indexOf('=', i);
    if (eq <= i) throw new Error(`bad field at ${i}`);
    const key = text.slice(i, eq);
    i = eq + 1;
    if (text[i] === '"') {
      let value = '';
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unterminated string');
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      fields[key] = { str: value };
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== ' ') end++;
      const raw = text.slice(i, end);
      i = end;
      if (raw === 'true' || raw === 'false') fields[key] = { bool: raw === 'true' };
      else if (/^-?\d+i$/.test(raw)) fields[key] = { int: Number(raw.slice(0, -1)) };
      else if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) fields[key] = { float: Number(raw) };
      else throw new Error(`bad field value ${raw}`);
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ' ') {
      i++;
      break;
    }
    throw new Error(`expected , or space at ${i}`);
  }
  const rest = text.slice(i);
  if (!/^-?\d+$/.test(rest)) throw new Error(`bad timestamp ${rest}`);
  return { measurement, tags, fields, timestamp: Number(rest) };
}

const TS = 1_793_032_889_123;

describe('line', () => {
  it('writes measurement, tags sorted by key, fields and the ms timestamp', () => {
    const text = line('rep', { station: 'station_7', gym: 'gym-01', exercise: 'back_squat', athlete: 'a-7f3c' }, { mean_velocity: float(0.62) }, TS);
    expect(text).toBe('rep,athlete=a-7f3c,exercise=back_squat,gym=gym-01,station=station_7 mean_velocity=0.62 1793032889123');
  });

  it('marks ints with i and leaves floats bare (a whole float stays a float)', () => {
    expect(line('m', {}, { rep_index: int(3) }, 1)).toBe('m rep_index=3i 1');
    expect(line('m', {}, { n: int(-42) }, 1)).toBe('m n=-42i 1');
    expect(line('m', {}, { load_kg: float(100) }, 1)).toBe('m load_kg=100 1');
    expect(line('m', {}, { x: float(-0.5) }, 1)).toBe('m x=-0.5 1');
  });

  it('quotes strings, escaping " and \\', () => {
    expect(line('m', {}, { s: str('plain') }, 1)).toBe('m s="plain" 1');
    expect(line('m', {}, { s: str('say "hi"') }, 1)).toBe('m s="say \\"hi\\"" 1');
    expect(line('m', {}, { s: str('a\\b') }, 1)).toBe('m s="a\\\\b" 1');
    expect(line('m', {}, { s: str('a, b=c d') }, 1)).toBe('m s="a, b=c d" 1');
    expect(line('m', {}, { s: str('') }, 1)).toBe('m s="" 1');
  });

  it('writes booleans', () => {
    expect(line('m', {}, { a: { bool: true }, b: { bool: false } }, 1)).toBe('m a=true,b=false 1');
  });

  it('joins several fields with commas and skips undefined ones', () => {
    expect(line('m', { t: 'x' }, { a: float(1.5), b: undefined, c: int(2), d: optionalFloat(undefined), e: optionalFloat(0.25) }, 7)).toBe(
      'm,t=x a=1.5,c=2i,e=0.25 7',
    );
  });

  it('writes the timestamp as whole epoch milliseconds', () => {
    const text = line('m', {}, { a: int(1) }, TS + 0.7);
    const timestamp = text.split(' ').at(-1) ?? '';
    expect(timestamp).toMatch(/^\d+$/);
    expect(Math.abs(Number(timestamp) - TS)).toBeLessThan(1);
  });

  it.each([
    ['a comma', 'st,1'],
    ['a space', 'st 1'],
    ['an equals sign', 'st=1'],
    ['a backslash', 'st\\1'],
    ['a newline', 'st\n1'],
    ['a carriage return', 'st\r1'],
    ['a quote', 'st"1'],
    ['a dot', 'st.1'],
    ['a non-ASCII letter', 'stä'],
    ['nothing (empty)', ''],
    ['65 characters', 'x'.repeat(65)],
  ])('refuses a tag value with %s', (_what, value) => {
    expect(() => line('m', { station: value }, { a: int(1) }, 1)).toThrow();
  });

  it('accepts a tag value of 64 id characters', () => {
    const value = `A-z_09${'x'.repeat(58)}`;
    expect(line('m', { station: value }, { a: int(1) }, 1)).toBe(`m,station=${value} a=1i 1`);
  });

  it.each([NaN, Infinity, -Infinity])('refuses the float %s', (value) => {
    expect(() => line('m', {}, { a: float(value) }, 1)).toThrow();
    expect(() => line('m', {}, { a: optionalFloat(value) }, 1)).toThrow();
  });

  it.each([1.5, NaN, Infinity, 2 ** 53])('refuses the int %s', (value) => {
    expect(() => line('m', {}, { a: int(value) }, 1)).toThrow();
  });

  it('refuses a point without fields', () => {
    expect(() => line('m', { t: 'x' }, {}, 1)).toThrow(/no fields/);
    expect(() => line('m', { t: 'x' }, { a: undefined, b: optionalFloat(undefined) }, 1)).toThrow(/no fields/);
  });
});

// ---- properties ----

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const keyArb = fc.stringMatching(/^[a-z][a-z_]{0,11}$/);
const finiteArb = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const fieldArb: fc.Arbitrary<FieldValue> = fc.oneof(
  finiteArb.map(float),
  fc.maxSafeInteger().map(int),
  // Line protocol has no newline in values; everything else must survive quoting.
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/[\n\r]/.test(s)).map(str),
  fc.boolean().map((bool) => ({ bool })),
);

describe('line: properties', () => {
  it('parses back to the same measurement, tags, fields and time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('rep', 'set'),
        fc.dictionary(keyArb, idArb, { maxKeys: 5 }),
        fc.dictionary(keyArb, fieldArb, { minKeys: 1, maxKeys: 8 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (measurement, tags, fields, timestamp) => {
          const text = line(measurement, tags, fields, timestamp);
          expect(text).not.toMatch(/[\n\r]/);
          const parsed = parseLine(text);
          expect(parsed.measurement).toBe(measurement);
          expect(parsed.tags).toEqual(tags);
          expect(Object.keys(parsed.tags)).toEqual(Object.keys(tags).sort());
          expect(parsed.fields).toEqual(fields);
          expect(parsed.timestamp).toBe(timestamp);
        },
      ),
    );
  });

  it('refuses every tag value outside the id rule', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 70 }).filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
        (value) => {
          expect(() => line('rep', { gym: 'g', station: value }, { a: int(1) }, 1)).toThrow();
        },
      ),
    );
  });
});
