import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/log/logger';
import type { Core } from '../core/core';
import { IPC_REQUEST_CHANNEL } from '../../src-shared/ipc/contract';
import { createFakeElectron, FakeWebContents, type FakeElectron } from './testing/fake-electron';

/**
 * The security checklist of docs/architecture.md, one assertion per item, so that weakening
 * any single setting in the shell makes a test here fail.
 */

vi.mock('electron', () => createFakeElectron());

let dataDir: string;

async function load() {
  // A fresh fake Electron and fresh shell modules for every test: nothing leaks between them.
  vi.resetModules();
  vi.doMock('electron', () => createFakeElectron());
  const electron = (await import('electron')) as unknown as FakeElectron;
  return {
    electron,
    windows: await import('./windows'),
    security: await import('./security'),
    protocol: await import('./protocol'),
    ipc: await import('./ipc'),
    deskApp: await import('./desk-app'),
    secrets: await import('./safe-storage-secret-store'),
  };
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-security-'));
});
const started: FakeElectron[] = [];
afterEach(async () => {
  // Every desk a test started quits (its core stopped, its files closed) before its folder goes.
  for (const electron of started.splice(0)) {
    if (!electron.app.quitted) electron.app.quit();
    await expect.poll(() => electron.app.quitted, { timeout: 10_000 }).toBe(true);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const argv = () => ['/usr/bin/electron', 'out/main/index.js', '--data-dir', dataDir];

function rendererDir(): string {
  const dir = join(dataDir, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Registratura</title><div data-testid="app-shell"></div>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

async function startDesk() {
  const loaded = await load();
  const desk = loaded.deskApp.bootstrap({ argv: argv(), preloadPath: '/built/preload/index.cjs', rendererDir: rendererDir(), env: {} });
  if (!desk) throw new Error('bootstrap refused to start');
  started.push(loaded.electron);
  loaded.electron.app.markReady();
  expect(await desk.started).toBe(true);
  return { ...loaded, desk };
}

describe('webPreferences of every desk window', () => {
  const expected = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    backgroundThrottling: false,
    spellcheck: false,
  } as const;

  const factories = ['createOperatorWindow', 'createSupervisorWindow'] as const;

  describe.each(factories)('%s', (factory) => {
    it.each(Object.entries(expected))('sets %s to %s', async (flag, value) => {
      const { windows } = await load();
      const window = windows[factory]({ preloadPath: '/built/preload/index.cjs' }) as unknown as { options: { webPreferences: Record<string, unknown> } };
      expect(window.options.webPreferences[flag]).toBe(value);
    });

    it('uses the built CommonJS preload', async () => {
      const { windows } = await load();
      const window = windows[factory]({ preloadPath: '/built/preload/index.cjs' }) as unknown as { options: { webPreferences: Record<string, unknown> } };
      expect(window.options.webPreferences.preload).toBe('/built/preload/index.cjs');
    });

    it('loads app://desk, never file://, and is shown only when ready', async () => {
      const { windows } = await load();
      const window = windows[factory]({ preloadPath: '/p.cjs' }) as unknown as {
        loadURL: { mock: { calls: string[][] } };
        show: { mock: { calls: unknown[] } };
        options: Record<string, unknown>;
        emit(event: string): void;
      };
      const url = window.loadURL.mock.calls[0]?.[0] ?? '';
      expect(url.startsWith('app://desk/index.html')).toBe(true);
      expect(url).not.toMatch(/^file:/);
      expect(window.options.show).toBe(false);
      expect(window.options.title).toMatch(/^Registratura/);
      expect(window.show).not.toHaveBeenCalled();
      window.emit('ready-to-show');
      expect(window.show).toHaveBeenCalled();
    });
  });

  it('operator and supervisor share the exact same preferences', async () => {
    const { windows } = await load();
    const a = windows.createOperatorWindow({ preloadPath: '/p.cjs' }) as unknown as { options: { webPreferences: unknown } };
    const b = windows.createSupervisorWindow({ preloadPath: '/p.cjs' }) as unknown as { options: { webPreferences: unknown } };
    expect(a.options.webPreferences).toEqual(b.options.webPreferences);
    expect(a.options.webPreferences).toEqual({ preload: '/p.cjs', ...expected });
  });

  it('supervisor window asks the renderer for the supervisor pane', async () => {
    const { windows } = await load();
    const window = windows.createSupervisorWindow({ preloadPath: '/p.cjs' }) as unknown as { loadURL: { mock: { calls: string[][] } } };
    expect(window.loadURL.mock.calls[0]?.[0]).toBe('app://desk/index.html?window=supervisor');
  });
});

describe('app lifecycle', () => {
  it('enables the sandbox for all renderers and registers app:// as privileged before ready', async () => {
    const { electron, deskApp } = await load();
    deskApp.bootstrap({ argv: argv(), preloadPath: '/p.cjs', rendererDir: rendererDir(), env: {} });
    expect(electron.app.enableSandbox).toHaveBeenCalledTimes(1);
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    const [schemes] = electron.protocol.registerSchemesAsPrivileged.mock.calls[0] as [Array<{ scheme: string; privileges: Record<string, boolean> }>];
    expect(schemes).toHaveLength(1);
    expect(schemes[0]?.scheme).toBe('app');
    expect(schemes[0]?.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, stream: true });
    expect(schemes[0]?.privileges.bypassCSP).toBeUndefined();
    expect(schemes[0]?.privileges.corsEnabled).toBeUndefined();
    // Nothing that needs ready has happened yet.
    expect(electron.protocol.handle).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('requests the single-instance lock and quits without starting when it is not acquired', async () => {
    const { electron, deskApp } = await load();
    electron.app.singleInstanceLock = false;
    const desk = deskApp.bootstrap({ argv: argv(), preloadPath: '/p.cjs', rendererDir: rendererDir(), env: {} });
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalledTimes(1);
    expect(desk).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.quitted).toBe(true);
    electron.app.markReady();
    await Promise.resolve();
    expect(electron.protocol.handle).not.toHaveBeenCalled();
    expect(electron.ipcMain.handle).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('acquires the lock and serves the operator window from app://desk', async () => {
    const { electron } = await startDesk();
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalledTimes(1);
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(electron.BrowserWindow.instances).toHaveLength(1);
    const url = electron.BrowserWindow.instances[0]?.loadURL.mock.calls[0]?.[0] ?? '';
    expect(url).toBe('app://desk/index.html');
  });

  it('ignores ELECTRON_RENDERER_URL when packaged, and non-loopback dev URLs always', async () => {
    const { electron, deskApp } = await load();
    const desk = deskApp.bootstrap({
      argv: argv(),
      preloadPath: '/p.cjs',
      rendererDir: rendererDir(),
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
    });
    electron.app.markReady();
    await desk?.started;
    expect(electron.BrowserWindow.instances[0]?.loadURL.mock.calls[0]?.[0]).toBe('app://desk/index.html');
    expect(electron.session.defaultSession.webRequest.onHeadersReceived).not.toHaveBeenCalled();
  });
});

describe('app:// responses', () => {
  it('carry a strict CSP header (script-src self, no unsafe-inline, no unsafe-eval)', async () => {
    const { electron } = await startDesk();
    const handler = electron.protocol.handlers.get('app');
    if (!handler) throw new Error('no app:// handler');
    for (const url of ['app://desk/', 'app://desk/index.html', 'app://desk/assets/app.js', 'app://desk/missing.js', 'app://evil/index.html']) {
      const response = await handler(new Request(url));
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).not.toContain('unsafe-eval');
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
    const index = await handler(new Request('app://desk/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await handler(new Request('app://desk/../../etc/passwd'))).status).toBe(404);
  });
});

describe('navigation, pop-ups and webviews', () => {
  async function hardened() {
    const { electron } = await startDesk();
    const window = electron.BrowserWindow.instances[0];
    if (!window) throw new Error('no window');
    return { electron, contents: window.webContents as FakeWebContents };
  }

  it('prevents will-navigate to a foreign origin and allows our own', async () => {
    const { contents } = await hardened();
    expect(contents.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd').defaultPrevented).toBe(true);
    expect(contents.fire('will-navigate', 'app://evil/index.html').defaultPrevented).toBe(true);
    expect(contents.fire('will-navigate', 'app://desk/index.html').defaultPrevented).toBe(false);
  });

  it('prevents will-redirect to a foreign origin and allows our own', async () => {
    const { contents } = await hardened();
    expect(contents.fire('will-redirect', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.fire('will-redirect', 'app://desk/index.html').defaultPrevented).toBe(false);
  });

  it('denies window.open, opening only https links in the system browser', async () => {
    const { electron, contents } = await hardened();
    const open = contents.windowOpenHandler;
    if (!open) throw new Error('no window-open handler');
    for (const url of ['https://evil.example/', 'http://example.com/', 'app://desk/index.html', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(open({ url }), url).toEqual({ action: 'deny' });
    }
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://evil.example/');
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it('prevents attaching a <webview>', async () => {
    const { contents } = await hardened();
    expect(contents.fire('will-attach-webview', 'https://evil.example/').defaultPrevented).toBe(true);
  });

  it('hardens every WebContents the app creates, not only ours', async () => {
    const { electron } = await startDesk();
    const stray = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, stray);
    expect(stray.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(stray.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  type RequestHandler = (contents: { getURL(): string } | null, permission: string, callback: (granted: boolean) => void, details: Record<string, unknown>) => void;
  type CheckHandler = (contents: { getURL(): string } | null, permission: string, origin: string, details: Record<string, unknown>) => boolean;

  async function handlers() {
    const { electron } = await startDesk();
    const ses = electron.session.defaultSession;
    const request = ses.setPermissionRequestHandler.mock.calls[0]?.[0] as RequestHandler;
    const check = ses.setPermissionCheckHandler.mock.calls[0]?.[0] as CheckHandler;
    const device = ses.setDevicePermissionHandler.mock.calls[0]?.[0] as (details: unknown) => boolean;
    const ask = (permission: string, details: Record<string, unknown>, page = 'app://desk/index.html'): boolean => {
      let granted: boolean | undefined;
      request({ getURL: () => page }, permission, (value) => (granted = value), details);
      if (granted === undefined) throw new Error('the handler never answered');
      return granted;
    };
    return { ask, check, device };
  }

  const ours = { requestingUrl: 'app://desk/index.html', isMainFrame: true };

  it('grants the microphone (audio only) to our own origin', async () => {
    const { ask } = await handlers();
    expect(ask('media', { ...ours, mediaTypes: ['audio'], securityOrigin: 'app://desk' })).toBe(true);
  });

  it('denies video, audio+video and empty media requests', async () => {
    const { ask } = await handlers();
    expect(ask('media', { ...ours, mediaTypes: ['video'] })).toBe(false);
    expect(ask('media', { ...ours, mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(ask('media', { ...ours, mediaTypes: [] })).toBe(false);
    expect(ask('media', { ...ours })).toBe(false);
  });

  it('grants speaker selection and notifications (a call ringing behind other windows) to our own origin only', async () => {
    const { ask } = await handlers();
    expect(ask('speaker-selection', ours)).toBe(true);
    expect(ask('speaker-selection', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(ask('notifications', ours)).toBe(true);
    expect(ask('notifications', { requestingUrl: 'app://evil/index.html' })).toBe(false);
  });

  it.each(['geolocation', 'display-capture', 'clipboard-read', 'midiSysex', 'openExternal', 'fullscreen', 'pointerLock', 'hid', 'serial', 'usb', 'unknown'])(
    'denies %s even to our own origin',
    async (permission) => {
      const { ask } = await handlers();
      expect(ask(permission, ours)).toBe(false);
    },
  );

  it('denies everything, the microphone included, to other origins and to foreign pages', async () => {
    const { ask } = await handlers();
    expect(ask('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'app://evil/index.html', mediaTypes: ['audio'] })).toBe(false);
    expect(ask('media', { ...ours, securityOrigin: 'https://evil.example', mediaTypes: ['audio'] })).toBe(false);
    expect(ask('media', { ...ours, mediaTypes: ['audio'] }, 'https://evil.example/')).toBe(false);
    expect(ask('notifications', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(ask('media', { mediaTypes: ['audio'] })).toBe(false);
  });

  it('mirrors the decisions in the permission check handler', async () => {
    const { check } = await handlers();
    const page = { getURL: () => 'app://desk/index.html' };
    expect(check(page, 'media', 'app://desk', { mediaType: 'audio', isMainFrame: true })).toBe(true);
    expect(check(page, 'media', 'app://desk', { mediaType: 'video', isMainFrame: true })).toBe(false);
    expect(check(page, 'speaker-selection', 'app://desk', { isMainFrame: true })).toBe(true);
    expect(check(page, 'media', 'https://evil.example', { mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(check(page, 'geolocation', 'app://desk', { isMainFrame: true })).toBe(false);
    expect(check(page, 'notifications', 'app://desk', { isMainFrame: true })).toBe(true);
    expect(check(page, 'notifications', 'https://evil.example', { isMainFrame: true })).toBe(false);
    expect(check({ getURL: () => 'https://evil.example/' }, 'media', 'app://desk', { mediaType: 'audio', isMainFrame: true })).toBe(false);
  });

  it('denies every device (HID, serial, USB, Bluetooth)', async () => {
    const { device } = await handlers();
    expect(device({ deviceType: 'hid', origin: 'app://desk' })).toBe(false);
    expect(device({ deviceType: 'usb', origin: 'app://desk' })).toBe(false);
  });
});

describe('IPC sender checks', () => {
  function fakeCore() {
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 'dispatched' }));
    const core = { dispatcher: { dispatch }, events: { subscribe: vi.fn(() => () => {}) } } as unknown as Pick<Core, 'dispatcher' | 'events'>;
    return { core, dispatch };
  }

  async function wired() {
    const { electron, ipc, windows } = await load();
    const window = windows.createOperatorWindow({ preloadPath: '/p.cjs' }) as unknown as { webContents: FakeWebContents };
    const { core, dispatch } = fakeCore();
    ipc.registerIpc(electron.ipcMain, core, {
      isOwnOrigin: (url) => url.startsWith('app://desk/'),
      isTrustedSender: (contents) => contents === window.webContents,
      eventTargets: () => [window.webContents],
    }, silentLogger);
    const handler = electron.ipcMain.handlers.get(IPC_REQUEST_CHANNEL);
    if (!handler) throw new Error('no handler');
    return { handler, dispatch, contents: window.webContents };
  }

  const top = { url: 'app://desk/index.html', parent: null };

  it('dispatches requests from the top frame of our own window', async () => {
    const { handler, dispatch, contents } = await wired();
    await expect(handler({ sender: contents, senderFrame: top }, 'app.info', {})).resolves.toEqual({ ok: true, value: 'dispatched' });
    expect(dispatch).toHaveBeenCalledWith('app.info', {}, { host: 'electron', client: String(contents.id) });
  });

  it.each([
    ['a sub-frame of our page', { url: 'app://desk/index.html', parent: top }],
    ['a foreign top frame', { url: 'https://evil.example/', parent: null }],
    ['a foreign sub-frame', { url: 'https://evil.example/', parent: top }],
    ['a file:// frame', { url: 'file:///etc/passwd', parent: null }],
    ['a destroyed frame', null],
  ])('refuses %s with FORBIDDEN_SENDER and never dispatches', async (_label, frame) => {
    const { handler, dispatch, contents } = await wired();
    const result = (await handler({ sender: contents, senderFrame: frame }, 'app.info', {})) as { ok: boolean; error?: { code: string } };
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('FORBIDDEN_SENDER');
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses a WebContents that is not one of our windows, even showing our origin', async () => {
    const { handler, dispatch } = await wired();
    const stranger = new FakeWebContents();
    const result = (await handler({ sender: stranger, senderFrame: top }, 'app.info', {})) as { ok: boolean; error?: { code: string } };
    expect(result.error?.code).toBe('FORBIDDEN_SENDER');
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses a foreign frame in the running desk as well', async () => {
    const { electron, desk } = await startDesk();
    const handler = electron.ipcMain.handlers.get(IPC_REQUEST_CHANNEL);
    const contents = electron.BrowserWindow.instances[0]?.webContents;
    if (!handler || !contents) throw new Error('desk not wired');
    const dispatch = vi.spyOn(desk.core()!.dispatcher, 'dispatch');
    const refused = (await handler({ sender: contents, senderFrame: { url: 'https://evil.example/', parent: null } }, 'app.info', {})) as { error?: { code: string } };
    expect(refused.error?.code).toBe('FORBIDDEN_SENDER');
    expect(dispatch).not.toHaveBeenCalled();
    const allowed = (await handler({ sender: contents, senderFrame: top }, 'app.info', {})) as { ok: boolean; value?: { host: string } };
    expect(allowed).toMatchObject({ ok: true, value: { host: 'electron', name: 'Registratura' } });
  });
});

describe('secrets', () => {
  it('refuses Linux basic_text: the store is unavailable and set throws SECRETS_UNAVAILABLE', async () => {
    const { electron, secrets } = await load();
    electron.safeStorage.backend = 'basic_text';
    const store = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'linux' });
    expect(store.kind).toBe('unavailable');
    expect(() => store.set('sip.password', 'hunter2')).toThrow(expect.objectContaining({ code: 'SECRETS_UNAVAILABLE' }));
    expect(() => store.set('sip.password', 'hunter2')).toThrow(/basic_text/);
    expect(electron.safeStorage.encryptString).not.toHaveBeenCalled();
  });

  it('refuses when safeStorage reports no encryption at all', async () => {
    const { electron, secrets } = await load();
    electron.safeStorage.available = false;
    const store = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'win32' });
    expect(store.kind).toBe('unavailable');
  });

  it('round-trips through the OS keychain and writes no plaintext to disk', async () => {
    const { electron, secrets } = await load();
    const store = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'linux' });
    expect(store.kind).toBe('os-keychain');
    store.set('sip.password', 'correct horse battery staple');
    const onDisk = readFileSync(join(dataDir, secrets.SEALED_SECRETS_FILE), 'utf8');
    expect(onDisk).not.toContain('correct horse');
    expect(onDisk).not.toContain(Buffer.from('correct horse battery staple').toString('base64'));
    const reopened = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'linux' });
    expect(reopened.get('sip.password')).toBe('correct horse battery staple');
  });

  it('a keychain reset: the sealed key can no longer be opened, a new database key is made, and the old vault is copied aside for IT', async () => {
    const { electron, secrets } = await load();
    const { loadOrCreateDatabaseKey } = await import('../core/cache/database-key');
    const store = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'linux' });
    const first = loadOrCreateDatabaseKey(store);
    const vault = readFileSync(join(dataDir, secrets.SEALED_SECRETS_FILE), 'utf8');
    // The keychain's key changes: nothing sealed before opens.
    electron.safeStorage.decryptString.mockImplementation(() => {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    });
    const reset = secrets.createElectronSecretStore({ safeStorage: electron.safeStorage, dataDir, logger: silentLogger, platform: 'linux' });
    const next = loadOrCreateDatabaseKey(reset);
    expect(next).toMatchObject({ createdNow: true, previousUnreadable: true });
    expect(next.key.equals(first.key)).toBe(false);
    const kept = readdirSync(dataDir).filter((name) => name.startsWith(`${secrets.SEALED_SECRETS_FILE}.unreadable-`));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dataDir, kept[0]!), 'utf8')).toBe(vault);
  });

  it('uses the OS keychain store in the running desk', async () => {
    const { desk } = await startDesk();
    expect(desk.core()?.settings.view().secretStorage).toBe('os-keychain');
  });
});
