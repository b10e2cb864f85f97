import { isOwnOrigin as isOwnOriginFor } from './app-origin';

/**
 * Hardening of every WebContents and of the session. Written against small structural
 * interfaces instead of Electron's classes so the tests drive it with plain fakes; main.ts
 * passes the real objects.
 */

/** Decides whether a URL or origin is the desk itself (see app-origin.ts). */
export type OriginCheck = (url: string) => boolean;

/**
 * True for the desk's own pages. Without a dev URL only `app://desk` counts; main.ts binds the
 * accepted dev-server URL in unpackaged runs.
 */
export function isOwnOrigin(url: string, devRendererUrl?: string): boolean {
  return isOwnOriginFor(url, devRendererUrl);
}

interface PreventableEvent {
  preventDefault(): void;
  /** Electron ≥ 25 puts the target on the event; older listeners get it as an argument. */
  url?: string;
}

/** The WebContents surface hardenWebContents touches. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent, ...rest: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface HardenOptions {
  isOwnOrigin: OriginCheck;
  /** Opens an https: link in the user's browser; other schemes are never opened. */
  openExternal?: (url: string) => unknown;
  onBlocked?: (what: string, url: string) => void;
}

/**
 * - navigation and redirects leave only for our own origin: a compromised or tricked page
 *   cannot turn the desk window (which has window.desk) into someone else's page;
 * - window.open / target=_blank never creates an Electron window; https links go to the
 *   system browser instead;
 * - <webview> can never be attached (webviewTag is off as well, this is the second lock).
 */
export function hardenWebContents(contents: HardenableContents, options: HardenOptions): void {
  const guard = (what: string) => (event: PreventableEvent, url?: string) => {
    const target = event.url ?? url ?? '';
    if (options.isOwnOrigin(target)) return;
    event.preventDefault();
    options.onBlocked?.(what, target);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (options.openExternal && isHttps(url)) void Promise.resolve(options.openExternal(url)).catch(() => undefined);
    else options.onBlocked?.('window.open', url);
    return { action: 'deny' };
  });
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The part of Electron's `app` that applies hardening to every WebContents ever created. */
export interface WebContentsSource {
  on(event: 'web-contents-created', listener: (event: unknown, contents: HardenableContents) => void): unknown;
}

/** Hardens every WebContents the app creates, including ones nobody asked for. */
export function hardenAllWebContents(app: WebContentsSource, options: HardenOptions): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, options));
}

/** The permission details Electron passes; only what the decision needs. */
export interface PermissionRequestDetails {
  requestingUrl?: string;
  securityOrigin?: string;
  mediaTypes?: string[];
  isMainFrame?: boolean;
}

export interface PermissionCheckDetails {
  requestingUrl?: string;
  securityOrigin?: string;
  mediaType?: string;
  isMainFrame?: boolean;
}

/** The session surface installPermissionHandlers touches. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (contents: { getURL(): string } | null, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: { getURL(): string } | null, permission: string, requestingOrigin: string, details: PermissionCheckDetails) => boolean,
  ): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/**
 * The only permissions the desk ever needs: the microphone (softphone), picking the speaker
 * (separate ringer device) and notifications (a ringing call while the window is hidden; the
 * renderer puts no number or name in them). Every other permission is denied, and even these
 * three only for our own origin — never for a page that somehow got loaded into a desk window.
 */
export function decidePermissionRequest(permission: string, details: PermissionRequestDetails, isOwn: OriginCheck): boolean {
  const origins = [details.requestingUrl, details.securityOrigin].filter((value): value is string => typeof value === 'string' && value !== '');
  if (origins.length === 0 || !origins.every(isOwn)) return false;
  if (permission === 'speaker-selection' || permission === 'notifications') return true;
  if (permission === 'media') {
    const types = details.mediaTypes ?? [];
    return types.length > 0 && types.every((type) => type === 'audio');
  }
  return false;
}

/** The synchronous check Chromium makes before (and without) a request; mirrors the above. */
export function decidePermissionCheck(permission: string, requestingOrigin: string, details: PermissionCheckDetails, isOwn: OriginCheck): boolean {
  const origins = [requestingOrigin, details.requestingUrl, details.securityOrigin].filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (origins.length === 0 || !origins.every(isOwn)) return false;
  if (permission === 'speaker-selection' || permission === 'notifications') return true;
  if (permission === 'media') return details.mediaType === 'audio';
  return false;
}

/** Installs the request, check and device handlers on a session (the default one for the desk). */
export function installPermissionHandlers(session: PermissionSession, isOwn: OriginCheck): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    // The page asking must itself be ours too, not just the frame's claimed origin.
    const pageIsOurs = contents === null || isOwn(contents.getURL());
    callback(pageIsOurs && decidePermissionRequest(permission, details, isOwn));
  });
  session.setPermissionCheckHandler((contents, permission, requestingOrigin, details) => {
    const pageIsOurs = contents === null || isOwn(contents.getURL());
    return pageIsOurs && decidePermissionCheck(permission, requestingOrigin, details, isOwn);
  });
  // HID, serial, USB, Bluetooth: never.
  session.setDevicePermissionHandler(() => false);
}
