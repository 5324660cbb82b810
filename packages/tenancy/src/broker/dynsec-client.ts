import { randomBytes } from 'node:crypto';
import { PipelineError } from '@neurolift/platform';
import mqtt, { type MqttClient } from 'mqtt';
import { z } from 'zod';
import { DYNSEC_CONTROL_TOPIC, DYNSEC_RESPONSE_TOPIC } from './device-acl.js';
import { commandMessage, type DynsecCommand, type Tolerated } from './dynsec-commands.js';

export interface DynsecClientOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Default: neurolift-registry-<random>; two admins must not share one (the broker would drop the older). */
  readonly clientId?: string;
  /** How long a batch may wait for its answers; default 5000 ms. */
  readonly timeoutMs?: number;
  /** Largest command message; default 60000 (production's max_packet_size is 70000). */
  readonly maxPayloadBytes?: number;
  /** Connection trouble while it reconnects on its own. */
  readonly onError?: (error: Error) => void;
}

export interface DynsecResponse {
  readonly command: string;
  readonly error?: string | undefined;
  readonly data?: unknown;
}

/** An admin connection to the plugin's control topic. */
export interface DynsecClient {
  readonly maxPayloadBytes: number;
  /**
   * Sends the commands as one message (the plugin runs them in order) and resolves with their answers
   * in the same order. Throws a PipelineError on an error answer, unless `tolerate` lists it.
   */
  send(commands: readonly DynsecCommand[], tolerate?: Tolerated): Promise<DynsecResponse[]>;
  close(): Promise<void>;
}

const ResponseMessage = z.object({
  responses: z.array(z.object({ command: z.string(), error: z.string().optional(), correlationData: z.string().optional(), data: z.unknown().optional() })),
});

/** The command and what it is about, for error messages. */
function describe(command: DynsecCommand): string {
  const subject = command.username ?? command.rolename ?? command.groupname;
  return typeof subject === 'string' ? `${command.command} ${subject}` : command.command;
}

/**
 * The plugin answers on one topic for every admin (its publish has no recipient), each answer carrying
 * the correlationData of its command: a batch waits for the ids it sent and ignores the rest.
 */
export async function connectDynsecClient(options: DynsecClientOptions): Promise<DynsecClient> {
  const clientId = options.clientId ?? `neurolift-registry-${randomBytes(4).toString('hex')}`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 60_000;
  const pending = new Map<string, (response: DynsecResponse) => void>();
  let sequence = 0;

  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(options.url, {
      protocolVersion: 5,
      clientId,
      username: options.username,
      password: options.password,
      // A clean session: MQTT.js subscribes again after a reconnect; answers missed meanwhile time out.
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: timeoutMs,
    });
  } catch (error) {
    throw new PipelineError('dynsec_connect', `dynamic security: cannot connect as ${options.username}: ${String(error)}`, true);
  }
  client.on('error', (error) => options.onError?.(error));
  client.on('message', (topic, payload) => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString());
    } catch {
      return;
    }
    const message = ResponseMessage.safeParse(parsed);
    if (!message.success) return;
    for (const { correlationData, ...response } of message.data.responses) {
      if (correlationData === undefined) continue;
      pending.get(correlationData)?.(response);
    }
  });

  try {
    // MQTT.js rejects a refused subscription (SUBACK 0x87): the user lacks the admin role.
    await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
  } catch (error) {
    await client.endAsync(true);
    throw new PipelineError('dynsec_not_admin', `dynamic security: ${options.username} may not read ${DYNSEC_RESPONSE_TOPIC}: ${String(error)}`, false);
  }

  async function send(commands: readonly DynsecCommand[], tolerate: Tolerated = []): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    const ids = commands.map(() => `${clientId}:${++sequence}`);
    const message = commandMessage(commands.map((command, i) => ({ ...command, correlationData: ids[i] })));
    if (Buffer.byteLength(message) > maxPayloadBytes) throw new Error(`dynamic security batch of ${Buffer.byteLength(message)} bytes exceeds ${maxPayloadBytes}`);

    const names = commands.map(describe).join(', ');
    let timer: NodeJS.Timeout | undefined;
    const answers = Promise.all(ids.map((id) => new Promise<DynsecResponse>((resolve) => pending.set(id, resolve))));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PipelineError('dynsec_timeout', `dynamic security: no answer to ${names} within ${timeoutMs} ms`, true)), timeoutMs);
    });
    try {
      await client.publishAsync(DYNSEC_CONTROL_TOPIC, message, { qos: 1 }).catch((error: unknown) => {
        throw new PipelineError('dynsec_refused', `dynamic security: the broker refused ${names}: ${String(error)}`, false);
      });
      const responses = await Promise.race([answers, timeout]);
      responses.forEach((response, i) => {
        const error = response.error;
        if (error === undefined || tolerate.some(([command, text]) => command === response.command && text === error)) return;
        throw new PipelineError('dynsec_command_failed', `dynamic security: ${describe(commands[i] as DynsecCommand)} failed: ${error}`, false);
      });
      return responses;
    } finally {
      clearTimeout(timer);
      for (const id of ids) pending.delete(id);
    }
  }

  return {
    maxPayloadBytes,
    send,
    async close() {
      await client.endAsync();
    },
  };
}
