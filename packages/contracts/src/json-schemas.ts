import { z } from 'zod';
import { CHANNEL_SCHEMAS } from './channels.js';
import { CHANNELS, type Channel } from './names.js';

/** JSON Schema (draft 2020-12) of each channel's payload, generated from the zod schemas. */
export function channelJsonSchemas(): Record<Channel, unknown> {
  const out = {} as Record<Channel, unknown>;
  for (const channel of CHANNELS) {
    out[channel] = {
      $id: `https://neurolift.dev/schemas/device-protocol/v1/${channel}.schema.json`,
      title: `Device protocol v1: ${channel}`,
      ...z.toJSONSchema(CHANNEL_SCHEMAS[channel], { io: 'input', target: 'draft-2020-12' }),
    };
  }
  return out;
}

/** The file text committed under docs/protocol/schemas (stable formatting, trailing newline). */
export function jsonSchemaFiles(): Array<{ file: string; text: string }> {
  return Object.entries(channelJsonSchemas()).map(([channel, schema]) => ({
    file: `${channel}.schema.json`,
    text: `${JSON.stringify(schema, null, 2)}\n`,
  }));
}
