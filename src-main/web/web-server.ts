import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { SUPERVISOR_WINDOW_PATH } from '../../src-shared/app/app-contract';
import { BRIDGE_PATH, ClientFrameSchema, type ServerFrame } from '../../src-shared/ipc/wire';
import type { Role } from '../../src-shared/settings/settings-schema';
import type { Core } from '../core/core';
import type { Logger } from '../core/log/logger';
import { contentTypeFor } from '../core/security/content-types';
import { securityHeaders } from '../core/security/content-security-policy';
import { bindPort, type BoundPort, type PortHandlers } from './bind-port';

export interface WebHostOptions extends ServeOptions {
  port: number;
}

export interface ServeOptions {
  core: Pick<Core, 'dispatcher' | 'events'>;
  rendererDir: string;
  token: string;
  logger: Logger;
  /** This desk's role now: the supervisor's window (`/supervisor`) is served to a supervisor desk only. */
  role: () => Role;
}

export interface WebHost {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 1024 * 1024;

/** Binds the port and serves at once (tests; the host itself binds first, then starts the core). */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  return serveOn(await bindPort(options.port), options);
}

/** Serves the desk on a port taken by `bindPort`. */
export function serveOn(bound: BoundPort, options: ServeOptions): WebHost {
  bound.attach(createHandlers(options, bound.port));
  return { port: bound.port, url: `http://127.0.0.1:${bound.port}/?token=${options.token}`, close: () => bound.close() };
}

/**
 * The browser host's HTTP + WebSocket handlers. Loopback only; every page, asset and bridge
 * connection needs the token (query on the first page load, then a same-site, HttpOnly cookie
 * for assets); the Host header must name loopback (DNS rebinding) and the bridge's Origin must
 * be this very server (cross-site WebSocket hijacking).
 */
function createHandlers(options: ServeOptions, port: number): PortHandlers {
  const { core, rendererDir, token, logger, role } = options;
  const tokenDigest = digest(token);
  const tokenMatches = (candidate: string | undefined | null) =>
    typeof candidate === 'string' && candidate.length > 0 && timingSafeEqual(digest(candidate), tokenDigest);
  const cookieName = `registratura_${port}`;
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];

  function http(request: IncomingMessage, response: ServerResponse): void {
    try {
      handleHttp(request, response);
    } catch (error) {
      logger.error('web.request-failed', { error });
      if (!response.headersSent) respond(response, 500, 'Internal error.');
    }
  }

  function handleHttp(request: IncomingMessage, response: ServerResponse): void {
    if (!allowedHosts.includes(request.headers.host ?? '')) {
      return respond(response, 421, 'This desk answers only on its loopback address.');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return respond(response, 405, 'Method not allowed.');
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const queryToken = url.searchParams.get('token');
    const authorised = tokenMatches(queryToken) || tokenMatches(readCookie(request, cookieName));
    if (!authorised) {
      return respond(response, 403, 'Forbidden: open the desk with the link (including its token) printed when the host started.');
    }
    if (url.pathname === `${SUPERVISOR_WINDOW_PATH}/`) {
      // The page's asset URLs are relative (`./assets/…`): only `/supervisor` itself resolves them to the root.
      response.writeHead(308, { ...securityHeaders(), Location: `${SUPERVISOR_WINDOW_PATH}${url.search}`, 'Cache-Control': 'no-store' });
      return void response.end();
    }
    const supervisorWindow = url.pathname === SUPERVISOR_WINDOW_PATH;
    if (supervisorWindow && role() !== 'supervisor') return respondSupervisorForbidden(response, request.method === 'HEAD');
    const file = supervisorWindow ? resolveStaticFile(rendererDir, '/') : resolveStaticFile(rendererDir, url.pathname);
    if (!file) return respond(response, 404, 'Not found.');
    const isHtml = file.endsWith('.html');
    const headers: Record<string, string> = {
      ...securityHeaders(),
      'Content-Type': contentTypeFor(file),
      'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
    };
    if (tokenMatches(queryToken)) {
      headers['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    response.writeHead(200, headers);
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  }

  const bridge = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let nextClient = 0;

  function upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const host = request.headers.host ?? '';
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const reason = !allowedHosts.includes(host)
      ? 'host'
      : url.pathname !== BRIDGE_PATH
        ? 'path'
        : request.headers.origin !== `http://${host}`
          ? 'origin'
          : !tokenMatches(url.searchParams.get('token'))
            ? 'token'
            : null;
    if (reason) {
      logger.warn('web.bridge-refused', { reason });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    bridge.handleUpgrade(request, socket, head, (ws) => attachBridge(ws, `ws-${++nextClient}`));
  }

  function attachBridge(socket: WebSocket, client: string): void {
    const send = (frame: ServerFrame) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    };
    const unsubscribe = core.events.subscribe((name, payload) => send({ type: 'event', name, payload }));
    socket.on('close', unsubscribe);
    socket.on('error', (error) => logger.warn('web.bridge-error', { client, error }));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'text frames only');
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return socket.close(1007, 'frame is not JSON');
      }
      const frame = ClientFrameSchema.safeParse(raw);
      if (!frame.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'number' && Number.isInteger(id)) {
          return send({ type: 'response', id, ok: false, error: { code: 'BAD_FRAME', message: 'Malformed request frame.' } });
        }
        return socket.close(1007, 'malformed frame');
      }
      const { id, name, input } = frame.data;
      void core.dispatcher
        .dispatch(name, input, { host: 'web', client })
        .then((result) => send(result.ok ? { type: 'response', id, ok: true, value: result.value } : { type: 'response', id, ok: false, error: result.error }));
    });
  }

  return {
    http,
    upgrade,
    close() {
      for (const client of bridge.clients) client.terminate();
      bridge.close();
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function respond(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${message}\n`);
}

/**
 * The supervisor's window asked of a desk whose role is not supervisor: a small page saying
 * so, in both languages (no script, no style: the CSP allows neither inline).
 */
export const SUPERVISOR_FORBIDDEN_PAGE = `<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>Registratura</title></head>
<body>
<main data-testid="supervisor-forbidden">
<h1>Окно супервизора</h1>
<p>Это окно открывается только на рабочем месте супервизора.</p>
<p lang="en">The supervisor window opens only on a supervisor desk.</p>
</main>
</body>
</html>
`;

function respondSupervisorForbidden(response: ServerResponse, head: boolean): void {
  response.writeHead(403, { ...securityHeaders(), 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(head ? undefined : SUPERVISOR_FORBIDDEN_PAGE);
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** Maps a URL path to a file inside the renderer folder, or null (traversal, dotfiles, missing). */
export function resolveStaticFile(rootDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return null;
  const root = normalize(rootDir + sep);
  const candidate = normalize(join(root, relative));
  if (!candidate.startsWith(root)) return null;
  try {
    return statSync(candidate).isFile() ? candidate : null;
  } catch {
    return null;
  }
}
