import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errnoCode, StartupError } from '../core/startup/startup-error';

/** What answers on the port once the desk runs (`web-server.ts` provides them). */
export interface PortHandlers {
  http(request: IncomingMessage, response: ServerResponse): void;
  upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void;
  /** Called when the port closes (drop the bridge clients). */
  close(): void;
}

/** The taken port: nothing is served until `attach` (pages and the bridge get 503 meanwhile). */
export interface BoundPort {
  readonly port: number;
  attach(handlers: PortHandlers): void;
  close(): Promise<void>;
}

/**
 * Takes the port on 127.0.0.1 before anything else of the desk starts, so a port in use
 * refuses the start at once (a StartupError naming the port and what to do). Until `attach`,
 * every page and bridge connection is answered 503: a tab left open from an earlier run on a
 * fixed `--port` keeps retrying. Light on purpose (node:http only): it runs before the core loads.
 */
export async function bindPort(requestedPort: number): Promise<BoundPort> {
  let handlers: PortHandlers | null = null;
  const server: Server = createServer((request, response) => {
    if (handlers) return handlers.http(request, response);
    response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Retry-After': '1' });
    response.end('The desk is starting; reload this page in a moment.\n');
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (handlers) return handlers.upgrade(request, socket, head);
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenError(requestedPort, error);
  });
  return {
    port: (server.address() as AddressInfo).port,
    attach(next) {
      handlers = next;
    },
    async close() {
      handlers?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A listen failure as the one line the host prints: which port, why, what to do. */
export function listenError(port: number, error: unknown): Error {
  const code = errnoCode(error);
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `port ${port} on 127.0.0.1 is already in use by another program (or another desk). Start with another --port, or leave --port out to pick a free one.`,
        code,
      );
    case 'EACCES':
    case 'EPERM':
      return new StartupError(`port ${port} needs administrator rights on this machine (${code}). Use a --port from 1024 to 65535, or leave --port out to pick a free one.`, code);
    case 'EADDRNOTAVAIL':
      return new StartupError('the loopback address 127.0.0.1 is not available on this machine (is the lo interface down?). Bring it up and start again.', code);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
