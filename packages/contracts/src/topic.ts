import { isId } from './ids.js';
import { CHANNELS, type Channel } from './names.js';

export interface DeviceTopic {
  readonly gymId: string;
  readonly stationId: string;
  readonly channel: Channel;
}

export type TopicOutcome =
  | { readonly ok: true; readonly topic: DeviceTopic }
  | { readonly ok: false; readonly reason: 'bad_topic' | 'unknown_channel'; readonly detail: string };

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

/** Parses `gym/v1/{gymId}/{stationId}/{channel}`; ids must follow the id rule. */
export function parseTopic(topic: string): TopicOutcome {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'gym') {
    return { ok: false, reason: 'bad_topic', detail: 'topic must be gym/v1/{gymId}/{stationId}/{channel}' };
  }
  const [, version, gymId = '', stationId = '', channel = ''] = parts;
  if (version !== 'v1') {
    return { ok: false, reason: 'bad_topic', detail: `unsupported protocol version "${(version ?? '').slice(0, 16)}" in topic (expected v1)` };
  }
  if (!isId(gymId)) return { ok: false, reason: 'bad_topic', detail: 'gymId breaks the id rule (1-64 of A-Z a-z 0-9 _ -)' };
  if (!isId(stationId)) return { ok: false, reason: 'bad_topic', detail: 'stationId breaks the id rule (1-64 of A-Z a-z 0-9 _ -)' };
  if (!CHANNEL_SET.has(channel)) {
    return { ok: false, reason: 'unknown_channel', detail: `unknown channel "${channel.slice(0, 64)}" (expected one of ${CHANNELS.join(', ')})` };
  }
  return { ok: true, topic: { gymId, stationId, channel: channel as Channel } };
}
