// TCP on 127.0.0.1: free ports for the servers, and the probe their readiness checks are built on.
import net from 'node:net';

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/**
 * Connects to 127.0.0.1:`port` and hands the socket to `talk`, which calls `done(ok)` once it knows
 * the answer; `done` closes the socket. An error, or a second without activity, answers false.
 * @param {number} port
 * @param {(socket: net.Socket, done: (ok: boolean) => void) => void} talk
 * @returns {Promise<boolean>}
 */
export function probeTcp(port, talk) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (/** @type {boolean} */ ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000);
    socket.on('error', () => done(false));
    socket.on('timeout', () => done(false));
    talk(socket, done);
  });
}

/** True once a TCP connection to the port succeeds. @param {number} port */
export function canConnect(port) {
  return probeTcp(port, (socket, done) => socket.on('connect', () => done(true)));
}
