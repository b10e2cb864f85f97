import type { DeskApi } from '../../src-shared/ipc/contract';
import { BRIDGE_PATH } from '../../src-shared/ipc/wire';
import type { DeskClient } from './desk-client-types';
import { toDeskError } from './desk-error';
import { WsDeskClient, type WsDeskClientOptions } from './ws-desk-client';

export type { BridgeState, DeskClient } from './desk-client-types';

/** Where the browser host's per-start token is kept for reloads of this tab. */
export const TOKEN_STORAGE_KEY = 'registratura.token';

/**
 * The token comes once in the page's query (`?token=…`); it is kept in this tab's
 * sessionStorage so a reload still reaches the bridge.
 */
export function readBridgeToken(search: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null): string | null {
  const fromQuery = new URLSearchParams(search).get('token');
  if (fromQuery) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromQuery);
    } catch {
      // Storage may be disabled; the token in the query still works for this page.
    }
    return fromQuery;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function bridgeUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token ?? '')}`;
}

/**
 * Another page of this desk for a new tab (the supervisor's `/supervisor`), with this tab's
 * browser-host token: a tab opened with `noopener` starts with empty sessionStorage, and its
 * bridge needs the token (the page takes it out of its address bar at once). Without a token
 * (Electron, whose windows are opened by main) the bare path.
 */
export function deskPageUrl(pathname: string): string {
  const token = readBridgeToken('', sessionStorageOrNull());
  return token ? `${pathname}?token=${encodeURIComponent(token)}` : pathname;
}

/** Wraps the preload's `window.desk` so failures always arrive as DeskError. */
export function ipcDeskClient(desk: DeskApi): DeskClient {
  return {
    kind: 'ipc',
    request: (name, input) => desk.request(name, input).catch((error: unknown) => Promise.reject(toDeskError(error))),
    on: (name, listener) => desk.on(name, listener),
    bridgeState: () => 'open',
    onBridgeState: () => () => {},
    close: () => {},
  };
}

/**
 * The contract for this window: the Electron preload's `window.desk` when present, otherwise
 * a WebSocket client to the browser host that served this page.
 */
export function connectDesk(options: WsDeskClientOptions = {}): DeskClient {
  if (window.desk) return ipcDeskClient(window.desk);
  const storage = sessionStorageOrNull();
  const token = readBridgeToken(window.location.search, storage);
  if (!token) console.warn('bridge.no-token: open the desk with the link printed when the host started');
  else hideTokenFromAddressBar(token, storage);
  return new WsDeskClient(bridgeUrl(window.location, token), options);
}

/** sessionStorage throws on access when the browser blocks storage for the page. */
function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Once the token is safe in sessionStorage, take it out of the address bar so it does not end
 * up in screenshots or shared links; reloads are authorised by the host's cookie and the bridge
 * by the stored token.
 */
function hideTokenFromAddressBar(token: string, storage: Pick<Storage, 'getItem'> | null): void {
  try {
    if (storage?.getItem(TOKEN_STORAGE_KEY) !== token) return;
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) return;
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  } catch {
    // Leaving the token visible is harmless for function.
  }
}
