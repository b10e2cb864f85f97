/**
 * Where the desk's own pages come from. Production: the privileged `app://desk/` scheme (never
 * file://, which would give every local file the page's origin). Development: the
 * electron-vite dev server on loopback, and only when the app is not packaged.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Which renderer window a URL opens; the renderer reads `?window=`. */
export type DeskWindowKind = 'operator' | 'supervisor';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The dev-server URL when it is acceptable: http(s) on a loopback host. Anything else is
 * ignored, so a stray ELECTRON_RENDERER_URL cannot point the desk (and its IPC) at a remote page.
 */
export function acceptedDevRendererUrl(candidate: string | undefined): string | undefined {
  if (!candidate) return undefined;
  const url = parse(candidate);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== 'localhost' && host !== '127.0.0.1' && host !== '::1') return undefined;
  return url.href;
}

/**
 * True when `url` (a page URL or a bare origin such as Chromium's `app://desk`) is the desk
 * itself: `app://desk` with no port or credentials, or the accepted dev server's exact origin.
 */
export function isOwnOrigin(url: string, devRendererUrl?: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.protocol === `${APP_SCHEME}:`) {
    return parsed.hostname.toLowerCase() === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
  }
  const dev = devRendererUrl ? parse(devRendererUrl) : null;
  // Node gives non-special schemes an opaque "null" origin, so only http(s) is compared by origin.
  return dev !== null && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === dev.origin;
}

/** The URL a desk window loads. */
export function rendererEntryUrl(kind: DeskWindowKind, devRendererUrl?: string): string {
  const base = devRendererUrl ?? `${APP_ORIGIN}/index.html`;
  if (kind === 'operator') return base;
  const url = new URL(base);
  url.searchParams.set('window', kind);
  return url.href;
}
