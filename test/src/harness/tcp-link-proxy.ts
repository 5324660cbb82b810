// A TCP proxy in front of a real server whose links can be frozen one by one: a frozen link stays open
// and forwards nothing either way, as a command that is never answered (a dead path, or a client left
// waiting on a reply that will not come). New connections are forwarded as usual.
import net from 'node:net';

export interface ProxyLink {
  /** Order of arrival, from 0. */
  readonly index: number;
  /** From now on, nothing is forwarded either way; both sockets stay open. */
  freeze(): void;
}

export interface TcpLinkProxy {
  readonly port: number;
  /** Every link accepted so far, in order of arrival. */
  links(): readonly ProxyLink[];
  close(): Promise<void>;
}

export async function startTcpLinkProxy(target: { host: string; port: number }): Promise<TcpLinkProxy> {
  const links: ProxyLink[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    let frozen = false;
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => void (frozen || to.write(chunk)));
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
    links.push({ index: links.length, freeze: () => (frozen = true) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  return {
    port: address.port,
    links: () => links,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
