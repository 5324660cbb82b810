// A TCP load balancer in front of a broker's listeners ("nodes"), for tests of what an MQTT client sees when
// its node becomes unreachable and it reconnects to another one. Clients connect to `url`; each new
// connection is bridged to the node chosen at that moment (`route`), as an L4 balancer or DNS in front of
// a broker cluster would send a reconnecting client elsewhere. Every MQTT packet crossing a link is parsed
// and logged, in both directions, with whether it was forwarded: the log is what the broker really sent
// the client and what the client really acknowledged.
//
// `blackhole()` makes a link silent without closing it, the way a dead network path is: nothing is
// forwarded either way, both sockets stay open and are still read (and logged), and a close on one side
// is not passed to the other. The broker keeps the connection until its keepalive expires or a new
// connection takes the session over; the client notices only by its own keepalive.
//
// Frames are forwarded whole, one at a time, so a blackhole starts exactly between two packets.
import net, { type AddressInfo } from 'node:net';

export interface MqttNode {
  readonly name: string;
  readonly port: number;
  readonly host?: string;
}

export type Direction = 'toBroker' | 'toClient';

export type MqttPacket =
  | { readonly type: 'connect'; readonly clientId: string; readonly cleanStart: boolean; readonly keepalive: number; readonly protocolVersion: number }
  | { readonly type: 'connack'; readonly sessionPresent: boolean; readonly reasonCode: number }
  | {
      readonly type: 'publish';
      readonly topic: string;
      readonly qos: number;
      readonly dup: boolean;
      readonly retain: boolean;
      readonly packetId: number | undefined;
      readonly payload: Buffer;
    }
  | { readonly type: 'puback'; readonly packetId: number; readonly reasonCode: number }
  | { readonly type: 'disconnect'; readonly reasonCode: number }
  | { readonly type: 'pingreq' | 'pingresp' | 'subscribe' | 'suback' | 'other'; readonly code: number };

export interface SeenPacket {
  readonly direction: Direction;
  readonly packet: MqttPacket;
  /** Epoch ms when the proxy read it. */
  readonly at: number;
  /** Passed on to the other side (false once the link is blackholed). */
  readonly forwarded: boolean;
}

export interface MqttLink {
  readonly id: number;
  /** The node this link was routed to. */
  readonly node: string;
  /** Every packet read on this link, both directions, in the order read. */
  readonly packets: readonly SeenPacket[];
  readonly openedAt: number;
  readonly blackholedAt: number | undefined;
  /** When the broker side closed (the broker dropped or replaced the connection). */
  readonly brokerClosedAt: number | undefined;
  /** When the client side closed. */
  readonly clientClosedAt: number | undefined;
  /** Stops forwarding in both directions without closing anything. */
  blackhole(): void;
}

export interface MqttBalancer {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  /** Where new connections go from now on; open links stay where they are. */
  route(node: MqttNode): void;
  links(): readonly MqttLink[];
  /**
   * Calls `listener` for every packet of every link once it has been forwarded (or dropped), before the
   * next packet of that link is handled: a listener that blackholes the link stops the very next packet.
   */
  onPacket(listener: (link: MqttLink, seen: SeenPacket) => void): () => void;
  close(): Promise<void>;
}

const PACKET_TYPES = { 1: 'connect', 2: 'connack', 3: 'publish', 4: 'puback', 8: 'subscribe', 9: 'suback', 12: 'pingreq', 13: 'pingresp', 14: 'disconnect' } as const;
type KnownType = (typeof PACKET_TYPES)[keyof typeof PACKET_TYPES];
const typeOf = (code: number): KnownType | 'other' => (code in PACKET_TYPES ? PACKET_TYPES[code as keyof typeof PACKET_TYPES] : 'other');

/** Reads an MQTT variable byte integer at `offset`: its value and the offset after it, or undefined if incomplete. */
function varint(buffer: Buffer, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= buffer.length) return undefined;
    const byte = buffer[offset + i] as number;
    value += (byte & 0x7f) * 128 ** i;
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  throw new Error('malformed MQTT remaining length');
}

/** Splits whole frames off the front of `buffer`; returns them and what is left. */
function splitFrames(buffer: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const length = varint(buffer, offset + 1);
    if (length === undefined || length.next + length.value > buffer.length) break;
    frames.push(buffer.subarray(offset, length.next + length.value));
    offset = length.next + length.value;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Parses one whole frame; `v5` says whether the connection speaks MQTT 5 (properties present). */
function parseFrame(frame: Buffer, v5: boolean): MqttPacket {
  const code = (frame[0] as number) >> 4;
  const flags = (frame[0] as number) & 0x0f;
  const header = varint(frame, 1);
  if (header === undefined) throw new Error('incomplete frame');
  let at = header.next;
  const end = frame.length;
  const u16 = () => {
    const value = frame.readUInt16BE(at);
    at += 2;
    return value;
  };
  const text = () => {
    const length = u16();
    const value = frame.toString('utf8', at, at + length);
    at += length;
    return value;
  };
  const skipProperties = () => {
    if (!v5) return;
    const properties = varint(frame, at);
    if (properties === undefined) throw new Error('incomplete properties');
    at = properties.next + properties.value;
  };
  const type = typeOf(code);
  switch (type) {
    case 'connect': {
      text(); // protocol name
      const protocolVersion = frame[at++] as number;
      const connectFlags = frame[at++] as number;
      const keepalive = u16();
      if (protocolVersion === 5) {
        const properties = varint(frame, at);
        if (properties === undefined) throw new Error('incomplete properties');
        at = properties.next + properties.value;
      }
      return { type: 'connect', clientId: text(), cleanStart: (connectFlags & 0x02) !== 0, keepalive, protocolVersion };
    }
    case 'connack':
      return { type: 'connack', sessionPresent: ((frame[at] as number) & 0x01) === 1, reasonCode: frame[at + 1] as number };
    case 'publish': {
      const qos = (flags >> 1) & 0x03;
      const topic = text();
      const packetId = qos > 0 ? u16() : undefined;
      skipProperties();
      return { type: 'publish', topic, qos, dup: (flags & 0x08) !== 0, retain: (flags & 0x01) !== 0, packetId, payload: Buffer.from(frame.subarray(at, end)) };
    }
    case 'puback': {
      const packetId = u16();
      return { type: 'puback', packetId, reasonCode: at < end ? (frame[at] as number) : 0 };
    }
    case 'disconnect':
      return { type: 'disconnect', reasonCode: at < end ? (frame[at] as number) : 0 };
    case 'pingreq':
    case 'pingresp':
    case 'subscribe':
    case 'suback':
    case 'other':
      return { type, code };
  }
}

/** Starts the balancer on a free port of 127.0.0.1, routing to `first` until told otherwise. */
export async function startMqttBalancer(first: MqttNode): Promise<MqttBalancer> {
  let target = first;
  let nextId = 1;
  const links: MqttLink[] = [];
  const sockets = new Set<net.Socket>();
  const listeners = new Set<(link: MqttLink, seen: SeenPacket) => void>();

  const server = net.createServer((client) => {
    const node = target;
    const broker = net.connect(node.port, node.host ?? '127.0.0.1');
    for (const socket of [client, broker]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A reset on a blackholed link is part of the fault, not a test error.
      socket.on('error', () => undefined);
    }
    const packets: SeenPacket[] = [];
    let blackholedAt: number | undefined;
    let brokerClosedAt: number | undefined;
    let clientClosedAt: number | undefined;
    let v5 = true;
    const link: MqttLink = {
      id: nextId++,
      node: node.name,
      packets,
      openedAt: Date.now(),
      get blackholedAt() {
        return blackholedAt;
      },
      get brokerClosedAt() {
        return brokerClosedAt;
      },
      get clientClosedAt() {
        return clientClosedAt;
      },
      blackhole() {
        blackholedAt ??= Date.now();
        // Whatever is paused for backpressure is read (and dropped) from now on.
        client.resume();
        broker.resume();
      },
    };
    links.push(link);

    const pipe = (from: net.Socket, to: net.Socket, direction: Direction) => {
      let pending = Buffer.alloc(0);
      let draining = false;
      from.on('data', (chunk: Buffer) => {
        const split = splitFrames(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]));
        pending = Buffer.from(split.rest);
        for (const frame of split.frames) {
          const packet = parseFrame(frame, v5);
          if (packet.type === 'connect') v5 = packet.protocolVersion === 5;
          const forwarded = blackholedAt === undefined && !to.destroyed;
          if (forwarded && !to.write(frame) && !draining) {
            draining = true;
            from.pause();
            to.once('drain', () => {
              draining = false;
              from.resume();
            });
          }
          const seen: SeenPacket = { direction, packet, at: Date.now(), forwarded };
          packets.push(seen);
          for (const listener of listeners) listener(link, seen);
        }
      });
      from.on('close', () => {
        if (from === broker) brokerClosedAt ??= Date.now();
        else clientClosedAt ??= Date.now();
        // A silent link keeps the other side open: the peer learns nothing.
        if (blackholedAt === undefined) to.destroy();
      });
    };
    pipe(client, broker, 'toBroker');
    pipe(broker, client, 'toClient');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `mqtt://127.0.0.1:${port}`,
    route(node) {
      target = node;
    },
    links: () => [...links],
    onPacket(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A QoS 1 PUBLISH the broker sent on a link, with whether and when the client's PUBACK got through. */
export interface Delivery {
  readonly packetId: number;
  readonly topic: string;
  readonly payload: string;
  readonly dup: boolean;
  readonly at: number;
  /** The PUBLISH reached the client. */
  readonly forwarded: boolean;
  /** The client's PUBACK for it reached the broker. */
  readonly acked: boolean;
}

export interface LinkSummary {
  readonly deliveries: readonly Delivery[];
  /** Deliveries the broker still counted as unacknowledged when the link ended. */
  readonly unacknowledged: readonly Delivery[];
  /** Most QoS 1 PUBLISHes the broker had outstanding at once on this link. */
  readonly maxOutstanding: number;
  /** Packet ids of the PUBLISHes that reached the client, in order, and of its PUBACKs, in order (forwarded or not). */
  readonly deliveredOrder: readonly number[];
  readonly pubackOrder: readonly number[];
}

/**
 * What one link carried: each QoS 1 delivery matched with the client's PUBACK (a packet id is in use
 * from its PUBLISH to its PUBACK), the peak of unacknowledged deliveries, and the order of both.
 */
export function summarizeLink(link: MqttLink): LinkSummary {
  const deliveries: Array<Delivery & { acked: boolean }> = [];
  const open = new Map<number, number>(); // packet id → index in deliveries
  let maxOutstanding = 0;
  const deliveredOrder: number[] = [];
  const pubackOrder: number[] = [];
  for (const seen of link.packets) {
    const { packet } = seen;
    if (seen.direction === 'toClient' && packet.type === 'publish' && packet.qos > 0 && packet.packetId !== undefined) {
      open.set(packet.packetId, deliveries.length);
      deliveries.push({ packetId: packet.packetId, topic: packet.topic, payload: packet.payload.toString('utf8'), dup: packet.dup, at: seen.at, forwarded: seen.forwarded, acked: false });
      if (seen.forwarded) deliveredOrder.push(packet.packetId);
      maxOutstanding = Math.max(maxOutstanding, open.size);
    } else if (seen.direction === 'toBroker' && packet.type === 'puback') {
      pubackOrder.push(packet.packetId);
      const index = open.get(packet.packetId);
      if (seen.forwarded && index !== undefined) {
        (deliveries[index] as { acked: boolean }).acked = true;
        open.delete(packet.packetId);
      }
    }
  }
  return { deliveries, unacknowledged: deliveries.filter((d) => !d.acked), maxOutstanding, deliveredOrder, pubackOrder };
}
