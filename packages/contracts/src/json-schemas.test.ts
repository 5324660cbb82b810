import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { channelJsonSchemas, jsonSchemaFiles } from './json-schemas.js';

const SCHEMA_DIR = new URL('../../../docs/protocol/schemas/', import.meta.url);
const REGENERATE = 'run `npm run schemas` to regenerate docs/protocol/schemas from the zod schemas, and commit the result';

// From device protocol v1 and its v1.1 additions (imu, hr).
const PROTOCOL_CHANNELS = ['rep', 'samples', 'set', 'status', 'imu', 'hr'] as const;
type Channel = (typeof PROTOCOL_CHANNELS)[number];
const FIELDS: Record<Channel, { required: readonly string[]; optional: readonly string[] }> = {
  rep: {
    required: ['v', 'ts', 'athleteId', 'setId', 'exercise', 'repIndex', 'loadKg', 'meanVelocity'],
    optional: ['peakVelocity', 'rom', 'concentricMs', 'eccentricMs'],
  },
  samples: { required: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'position'], optional: ['force'] },
  set: { required: ['v', 'event', 'ts', 'setId', 'athleteId', 'exercise'], optional: ['loadKg'] },
  status: { required: ['v', 'online'], optional: ['ts', 'firmware', 'model'] },
  imu: { required: ['v', 't0', 'hz', 'athleteId', 'setId', 'exercise', 'loadKg', 'mount', 'accel'], optional: ['gyro'] },
  hr: { required: ['v', 't0', 'athleteId', 'bpm'], optional: ['rr'] },
};
const EXAMPLES: Record<Channel, Record<string, unknown>> = {
  rep: {
    v: 1, ts: 1793032889123, athleteId: 'a-7f3c', setId: 's-0007', exercise: 'back_squat', repIndex: 3, loadKg: 100,
    meanVelocity: 0.62, peakVelocity: 1.05, rom: 0.58, concentricMs: 820, eccentricMs: 1650,
  },
  samples: {
    v: 1, t0: 1793032889000, hz: 100, athleteId: 'a-7f3c', setId: 's-0007', exercise: 'back_squat', loadKg: 100,
    position: [0.0, 0.001, 0.003], force: [981.0, 990.2, 1012.7],
  },
  set: { v: 1, event: 'start', ts: 1793032880000, setId: 's-0007', athleteId: 'a-7f3c', exercise: 'back_squat', loadKg: 100 },
  status: { v: 1, online: true, ts: 1793032880000, firmware: '2.4.1', model: 'rack-pro' },
  imu: {
    v: 1, t0: 1793032889000, hz: 200, athleteId: 'a-7f3c', setId: 's-0007', exercise: 'back_squat', loadKg: 100, mount: 'bar',
    accel: { x: [0.12, 0.10], y: [-0.05, -0.04], z: [9.79, 9.83] },
    gyro: { x: [0.001, 0.002], y: [0.000, -0.001], z: [0.003, 0.002] },
  },
  hr: { v: 1, t0: 1793032880000, athleteId: 'a-7f3c', bpm: [96, 97, 99, 101, 104], rr: [612, 605, 598, 590] },
};

interface ObjectSchema {
  $id?: unknown;
  type?: unknown;
  properties?: Record<string, Record<string, unknown>>;
  required?: unknown;
}

function schemaOf(channel: Channel): ObjectSchema {
  const schemas = channelJsonSchemas() as Record<string, unknown>;
  const schema = schemas[channel];
  expect(schema, `no JSON Schema for channel ${channel}`).toBeTypeOf('object');
  return schema as ObjectSchema;
}

describe('committed JSON Schemas (docs/protocol/schemas)', () => {
  it('the directory exists', () => {
    expect(existsSync(SCHEMA_DIR), `docs/protocol/schemas is missing: ${REGENERATE}`).toBe(true);
  });

  it('holds exactly the generated files (none missing, none stale)', () => {
    const committed = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    const generated = jsonSchemaFiles().map((f) => f.file).sort();
    expect(committed, `the schema files differ from the generated set: ${REGENERATE}`).toEqual(generated);
  });

  it.each(jsonSchemaFiles().map((f) => [f.file, f.text] as const))('%s equals the generated text', (file, text) => {
    const path = new URL(file, SCHEMA_DIR);
    expect(existsSync(path), `docs/protocol/schemas/${file} is missing: ${REGENERATE}`).toBe(true);
    const committed = readFileSync(path, 'utf8');
    expect(committed, `docs/protocol/schemas/${file} is out of date: ${REGENERATE}`).toBe(text);
  });

  it.each(PROTOCOL_CHANNELS)('channel %s has a generated and a committed file', (channel) => {
    const file = `${channel}.schema.json`;
    expect(jsonSchemaFiles().map((f) => f.file)).toContain(file);
    expect(existsSync(new URL(file, SCHEMA_DIR)), `docs/protocol/schemas/${file} is missing: ${REGENERATE}`).toBe(true);
  });

  it('generates one file per protocol channel and nothing else', () => {
    expect(jsonSchemaFiles().map((f) => f.file).sort()).toEqual(PROTOCOL_CHANNELS.map((c) => `${c}.schema.json`).sort());
  });

  it('every file is JSON ending in a newline', () => {
    for (const { text } of jsonSchemaFiles()) {
      expect(text.endsWith('\n')).toBe(true);
      expect(() => JSON.parse(text) as unknown).not.toThrow();
    }
  });
});

describe('JSON Schema contents match the protocol', () => {
  it.each(PROTOCOL_CHANNELS)('%s: a draft 2020-12 object schema with a unique $id', (channel) => {
    const schema = schemaOf(channel) as ObjectSchema & { $schema?: unknown };
    expect(schema.type).toBe('object');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(String(schema.$id)).toContain(`${channel}.schema.json`);
    const ids = PROTOCOL_CHANNELS.map((c) => schemaOf(c).$id);
    expect(new Set(ids).size).toBe(PROTOCOL_CHANNELS.length);
  });

  it('rep lists exactly the protocol required fields as required', () => {
    const schema = schemaOf('rep');
    expect(Array.isArray(schema.required)).toBe(true);
    expect([...(schema.required as string[])].sort()).toEqual([...FIELDS.rep.required].sort());
  });

  it.each(PROTOCOL_CHANNELS)('%s: required and optional fields as documented', (channel) => {
    const schema = schemaOf(channel);
    const required = (schema.required ?? []) as string[];
    for (const field of FIELDS[channel].required) expect(required, `${channel}.${field} must be required`).toContain(field);
    for (const field of FIELDS[channel].optional) expect(required, `${channel}.${field} must be optional`).not.toContain(field);
    const properties = Object.keys(schema.properties ?? {});
    expect(properties.sort()).toEqual([...FIELDS[channel].required, ...FIELDS[channel].optional].sort());
  });

  it.each(PROTOCOL_CHANNELS)('%s: v is the constant 1', (channel) => {
    expect(schemaOf(channel).properties?.v?.const).toBe(1);
  });

  it.each(PROTOCOL_CHANNELS)('%s: the protocol example has only described fields and all required ones', (channel) => {
    const schema = schemaOf(channel);
    const example = EXAMPLES[channel];
    for (const key of Object.keys(example)) expect(Object.keys(schema.properties ?? {})).toContain(key);
    for (const key of (schema.required ?? []) as string[]) expect(example).toHaveProperty(key);
  });

  it('id fields carry the id rule as a pattern', () => {
    const idFields: Array<[Channel, string]> = [
      ['rep', 'athleteId'], ['rep', 'setId'], ['rep', 'exercise'],
      ['samples', 'athleteId'], ['samples', 'setId'], ['samples', 'exercise'],
      ['set', 'athleteId'], ['set', 'setId'], ['set', 'exercise'],
      ['imu', 'athleteId'], ['imu', 'setId'], ['imu', 'exercise'],
      ['hr', 'athleteId'],
    ];
    for (const [channel, field] of idFields) {
      const pattern = schemaOf(channel).properties?.[field]?.pattern;
      expect(typeof pattern, `${channel}.${field} has no pattern`).toBe('string');
      const re = new RegExp(pattern as string);
      for (const ok of ['a-7f3c', 'back_squat', 'Z', 'x'.repeat(64)]) expect(re.test(ok), `${channel}.${field} ${ok}`).toBe(true);
      for (const bad of ['', 'a b', 'a,b', 'a=b', 'a:b', 'a.b', 'é', 'x'.repeat(65), 'ab\n']) expect(re.test(bad), `${channel}.${field} ${JSON.stringify(bad)}`).toBe(false);
    }
  });

  it('rep ranges are the documented ones', () => {
    const p = schemaOf('rep').properties ?? {};
    expect(p.repIndex).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(p.loadKg).toMatchObject({ minimum: 0, maximum: 1000 });
    expect(p.meanVelocity).toMatchObject({ exclusiveMinimum: 0, maximum: 5 });
    expect(p.peakVelocity).toMatchObject({ maximum: 10 });
    expect(p.rom).toMatchObject({ exclusiveMinimum: 0, maximum: 3 });
    expect(p.concentricMs).toMatchObject({ minimum: 1, maximum: 60000 });
    expect(p.eccentricMs).toMatchObject({ minimum: 0, maximum: 60000 });
    expect(p.ts).toMatchObject({ type: 'integer' });
  });

  it('samples ranges are the documented ones', () => {
    const p = schemaOf('samples').properties ?? {};
    expect(p.hz).toMatchObject({ minimum: 10, maximum: 1000 });
    expect(p.position).toMatchObject({ type: 'array', minItems: 1, maxItems: 2000 });
    expect(p.t0).toMatchObject({ type: 'integer' });
  });

  it('set events are start and end', () => {
    const event = schemaOf('set').properties?.event;
    expect([...((event?.enum ?? []) as string[])].sort()).toEqual(['end', 'start']);
  });

  it('imu ranges are the documented ones (v1.1)', () => {
    const p = schemaOf('imu').properties ?? {};
    expect(p.hz).toMatchObject({ minimum: 50, maximum: 1000 });
    expect(p.t0).toMatchObject({ type: 'integer' });
    expect(p.loadKg).toMatchObject({ minimum: 0, maximum: 1000 });
    expect([...((p.mount?.enum ?? []) as string[])].sort()).toEqual(['bar', 'forearm', 'hip', 'wrist']);
    for (const [sensor, limit] of [['accel', 160], ['gyro', 35]] as const) {
      const triad = p[sensor] as { type?: unknown; required?: unknown; properties?: Record<string, Record<string, unknown>> } | undefined;
      expect(triad?.type, sensor).toBe('object');
      expect([...((triad?.required ?? []) as string[])].sort(), sensor).toEqual(['x', 'y', 'z']);
      for (const axis of ['x', 'y', 'z']) {
        expect(triad?.properties?.[axis], `${sensor}.${axis}`).toMatchObject({ type: 'array', minItems: 1, maxItems: 2000, items: { minimum: -limit, maximum: limit } });
      }
    }
  });

  it('hr ranges are the documented ones (v1.1)', () => {
    const p = schemaOf('hr').properties ?? {};
    expect(p.t0).toMatchObject({ type: 'integer' });
    expect(p.bpm).toMatchObject({ type: 'array', minItems: 1, maxItems: 600, items: { minimum: 25, maximum: 250 } });
    expect(p.rr).toMatchObject({ type: 'array', maxItems: 1200, items: { minimum: 200, maximum: 2000 } });
    expect(p.rr?.minItems ?? 0).toBe(0);
  });
});
