// Reading a Redis Cluster node's view (see redis-cluster.ts): CLUSTER NODES lines, INFO / CLUSTER INFO
// fields, and one command to one node that fails fast when the node is dead.
import { Redis } from 'ioredis';

/** One line of CLUSTER NODES. */
export interface NodeLine {
  id: string;
  port: number;
  myself: boolean;
  role: 'master' | 'replica';
  masterId: string | undefined;
  flags: string[];
  configEpoch: number;
  connected: boolean;
  slots: Array<[number, number]>;
}

/** `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>…` */
export function parseClusterNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', address = '', flagList = '', master = '-', , , epoch = '0', link = '', ...slotFields] = line.split(' ');
      const flags = flagList.split(',');
      const hostPort = address.split('@')[0] ?? '';
      return {
        id,
        port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
        myself: flags.includes('myself'),
        role: flags.includes('slave') ? 'replica' : 'master',
        masterId: master === '-' ? undefined : master,
        flags: flags.filter((flag) => !['myself', 'master', 'slave', 'noflags'].includes(flag)),
        configEpoch: Number(epoch),
        connected: link === 'connected',
        // "[slot->-id]" / "[slot-<-id]" are migrations in progress, not served slots.
        slots: slotFields
          .filter((field) => !field.startsWith('['))
          .map((field): [number, number] => {
            const [from, to = from] = field.split('-');
            return [Number(from), Number(to)];
          }),
      };
    });
}

/** `field:value` lines of INFO / CLUSTER INFO. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** One command to one node over a fresh connection that neither retries nor queues: a dead node throws. */
export async function ask(port: number, command: string, ...args: Array<string | number>): Promise<string> {
  const client = new Redis({
    host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 1000, commandTimeout: 2000,
    maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  client.on('error', () => {}); // the rejected connect() / command reports it
  try {
    await client.connect();
    return String(await client.call(command, ...args));
  } finally {
    client.disconnect();
  }
}
