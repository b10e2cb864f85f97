import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { securityHeaders } from '../core/security/content-security-policy';
import { contentTypeFor } from '../core/security/content-types';
import { APP_HOST, APP_SCHEME } from './app-origin';

/** The one content-type table lives in the core; re-exported for the protocol's tests. */
export { contentTypeFor };

/**
 * `app://` as a standard, secure scheme: standard gives it real origins and relative URL
 * resolution (so the built index.html's `/assets/…` work), secure makes it a secure context
 * (getUserMedia needs one), supportFetchAPI/stream let the page fetch its own assets and media.
 * Must be registered before the app is ready.
 */
export const APP_SCHEME_PRIVILEGES = [
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
] as const;


/**
 * Maps `app://desk/<path>` to a file under `rootDir`, or null when the URL must not be served:
 * another scheme or host, credentials or a port, a malformed escape, a NUL byte, or a path that
 * escapes `rootDir` after decoding (`..`, `%2e%2e`, `..%2f`, backslashes on Windows). `/` is
 * index.html. Pure: it never touches the file system.
 */
export function resolveAppUrl(url: string, rootDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:`) return null;
  if (parsed.hostname.toLowerCase() !== APP_HOST || parsed.port !== '' || parsed.username !== '' || parsed.password !== '') return null;

  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path === '' || path === '/') path = '/index.html';

  const root = resolve(rootDir);
  // Leading slashes are stripped so the path is always taken relative to the root, never as
  // an absolute path of its own.
  const file = resolve(root, `.${sep}${path.replace(/^[/\\]+/, '')}`);
  const inside = relative(root, file);
  // Broader than needed on purpose: a name merely starting with '..' is refused too; the build has none.
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

function textResponse(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/**
 * The `app://` handler: serves the renderer build with the security headers on every response
 * (errors included), so the CSP is in force whatever page ends up loaded.
 */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed.');
    const file = resolveAppUrl(request.url, rootDir);
    if (!file) return textResponse(404, 'Not found.');
    try {
      const info = await stat(file);
      if (!info.isFile()) return textResponse(404, 'Not found.');
      const body = request.method === 'HEAD' ? null : await readFile(file);
      const isHtml = file.endsWith('.html');
      return new Response(body, {
        status: 200,
        headers: {
          ...securityHeaders(),
          'Content-Type': contentTypeFor(file),
          'Cache-Control': isHtml ? 'no-store' : 'no-cache',
        },
      });
    } catch {
      return textResponse(404, 'Not found.');
    }
  };
}

/** The part of Electron's `protocol` module this file uses. */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void;
}

/** Serves `app://desk/` from `rootDir` (out/renderer). Call once the app is ready. */
export function registerAppProtocol(protocol: ProtocolLike, rootDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rootDir));
}
