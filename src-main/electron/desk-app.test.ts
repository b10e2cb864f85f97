import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/ipc/contract';
import { CONTENT_SECURITY_POLICY } from '../core/security/content-security-policy';
import { acquireDataDirLock, LOCK_FILE } from '../core/startup/data-dir-lock';
import { createFakeElectron, FakeEvent, FULL_HD_DISPLAY, type FakeElectron } from './testing/fake-electron';

vi.mock('electron', () => createFakeElectron());

let dir: string;
let stderr: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-app-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>');
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
type Desk = NonNullable<ReturnType<Awaited<ReturnType<typeof load>>['bootstrap']>>;
const desks: Desk[] = [];
afterEach(async () => {
  stderr.mockRestore();
  // Every core a test started stops (a spied-on stop restored first) before its folder goes.
  vi.restoreAllMocks();
  for (const desk of desks.splice(0)) await desk.core()?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function load(configure?: (electron: FakeElectron) => void) {
  vi.resetModules();
  const electron = createFakeElectron({ userData: join(dir, 'default-user-data') });
  configure?.(electron);
  vi.doMock('electron', () => electron);
  const { bootstrap, CORE_STOP_DEADLINE_MS } = await import('./desk-app');
  return { electron, bootstrap, CORE_STOP_DEADLINE_MS };
}

async function start(extraArgs: string[] = [], configure?: (electron: FakeElectron) => void, env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux') {
  const loaded = await load(configure);
  const desk = loaded.bootstrap({
    argv: ['/usr/bin/electron', 'out/main/index.js', '--data-dir', join(dir, 'data'), ...extraArgs],
    preloadPath: '/built/preload/index.cjs',
    rendererDir: join(dir, 'renderer'),
    env,
    platform,
  });
  if (!desk) throw new Error('bootstrap returned null');
  desks.push(desk);
  loaded.electron.app.markReady();
  const started = await desk.started;
  return { ...loaded, desk, started };
}

describe('bootstrap', () => {
  it('moves userData to --data-dir before taking the single-instance lock', async () => {
    const { electron } = await start();
    expect(electron.app.setPath).toHaveBeenCalledWith('userData', join(dir, 'data'));
    const setPathOrder = electron.app.setPath.mock.invocationCallOrder[0] ?? Infinity;
    const lockOrder = electron.app.requestSingleInstanceLock.mock.invocationCallOrder[0] ?? -Infinity;
    expect(setPathOrder).toBeLessThan(lockOrder);
  });

  it('uses app.getPath("userData") without --data-dir', async () => {
    const { electron, bootstrap } = await load();
    const desk = bootstrap({ argv: ['electron', '.'], preloadPath: '/p.cjs', rendererDir: join(dir, 'renderer'), env: {} });
    if (desk) desks.push(desk);
    electron.app.markReady();
    expect(await desk?.started).toBe(true);
    expect(electron.app.setPath).not.toHaveBeenCalled();
    expect(desk?.core()?.dispatcher).toBeDefined();
    const info = await desk?.core()?.dispatcher.dispatch('app.info', {}, { host: 'electron', client: 't' });
    expect(info).toMatchObject({ ok: true, value: { dataDir: join(dir, 'default-user-data'), host: 'electron' } });
  });

  it('starts the core, wires IPC and opens the operator window', async () => {
    const { electron, desk, started } = await start();
    expect(started).toBe(true);
    expect(electron.ipcMain.handlers.has(IPC_REQUEST_CHANNEL)).toBe(true);
    expect(desk.operatorWindow()).toBe(electron.BrowserWindow.instances[0]);
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled();
  });

  it('pushes core events to the open windows', async () => {
    const { electron, desk } = await start();
    desk.openSupervisorWindow();
    desk.core()?.settings.update({ language: 'en' });
    for (const window of electron.BrowserWindow.instances) {
      expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'settings:changed', expect.objectContaining({ settings: expect.objectContaining({ language: 'en' }) }));
    }
  });

  it('app.openSupervisor on a supervisor desk opens one supervisor window and brings it forward the next time', async () => {
    const config = join(dir, 'desk.json');
    writeFileSync(config, JSON.stringify({ role: 'supervisor' }));
    const { electron, desk } = await start(['--config', config]);
    const dispatch = () => desk.core()!.dispatcher.dispatch('app.openSupervisor', {}, { host: 'electron', client: 't' });
    expect(await dispatch()).toEqual({ ok: true, value: { opened: 'window' } });
    expect(electron.BrowserWindow.instances).toHaveLength(2);
    const supervisor = electron.BrowserWindow.instances[1]!;
    expect(supervisor.loadURL).toHaveBeenCalledWith('app://desk/index.html?window=supervisor');
    expect(supervisor.options.webPreferences).toEqual(electron.BrowserWindow.instances[0]!.options.webPreferences);
    expect(supervisor.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    supervisor.minimized = true;
    expect(await dispatch()).toEqual({ ok: true, value: { opened: 'window' } });
    expect(electron.BrowserWindow.instances).toHaveLength(2);
    expect(supervisor.restore).toHaveBeenCalled();
    expect(supervisor.focus).toHaveBeenCalled();
    // Closed, it is made anew (by the same hardened factory).
    supervisor.close();
    expect(await dispatch()).toEqual({ ok: true, value: { opened: 'window' } });
    expect(electron.BrowserWindow.instances).toHaveLength(3);
  });

  it('app.openSupervisor on an operator desk is FORBIDDEN and opens nothing', async () => {
    const { electron, desk } = await start();
    const result = await desk.core()!.dispatcher.dispatch('app.openSupervisor', {}, { host: 'electron', client: 't' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it('stops sending to a window once it is gone', async () => {
    const { electron, desk } = await start();
    const window = electron.BrowserWindow.instances[0];
    window?.destroy();
    expect(desk.operatorWindow()).toBeNull();
    desk.core()?.settings.update({ language: 'en' });
    expect(window?.webContents.send).not.toHaveBeenCalled();
  });

  it('restores, shows and focuses the operator window on a second instance', async () => {
    const { electron } = await start();
    const window = electron.BrowserWindow.instances[0];
    if (!window) throw new Error('no window');
    window.minimized = true;
    electron.app.emit('second-instance', {}, ['electron', '.'], '/');
    expect(window.restore).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it('a global answer hotkey brings the minimised desk forward and reaches its windows as hotkey:pressed; quitting releases the keys', async () => {
    const { electron } = await start();
    const window = electron.BrowserWindow.instances[0];
    if (!window) throw new Error('no window');
    window.minimized = true;
    electron.globalShortcut.registered.get('Control+Shift+F6')?.();
    expect(window.restore).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'hotkey:pressed', { action: 'answer' });
    electron.app.emit('will-quit');
    expect(electron.globalShortcut.registered.size).toBe(0);
  });

  it('quits when every window is closed', async () => {
    const { electron } = await start();
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).toHaveBeenCalled();
  });

  it('holds the quit until the core has stopped, then quits', async () => {
    const { electron, desk } = await start();
    const core = desk.core();
    if (!core) throw new Error('no core');
    let release: () => void = () => {};
    const stop = vi.spyOn(core, 'stop').mockImplementation(() => new Promise<void>((resolve) => (release = resolve)));
    const first = new FakeEvent();
    electron.app.emit('before-quit', first);
    expect(first.defaultPrevented).toBe(true);
    expect(stop).toHaveBeenCalledTimes(1);
    const again = new FakeEvent();
    electron.app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(true);
    expect(stop).toHaveBeenCalledTimes(1);
    release();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
  });

  it('quits anyway when the core does not stop in time', async () => {
    vi.useFakeTimers();
    try {
      const { electron, desk, CORE_STOP_DEADLINE_MS } = await start();
      const core = desk.core();
      if (!core) throw new Error('no core');
      vi.spyOn(core, 'stop').mockImplementation(() => new Promise<void>(() => {}));
      electron.app.emit('before-quit', new FakeEvent());
      expect(electron.app.quitted).toBe(false);
      vi.advanceTimersByTime(CORE_STOP_DEADLINE_MS);
      expect(electron.app.quitted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a bad provisioning file with a dialog and exit code 2', async () => {
    const config = join(dir, 'desk.json');
    writeFileSync(config, JSON.stringify({ sip: { server: 'http://not-websocket' } }));
    const { electron, started } = await start(['--config', config]);
    expect(started).toBe(false);
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Registratura cannot start', expect.stringContaining(config));
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith(expect.any(String), expect.stringContaining('sip.server'));
    expect(electron.app.exit).toHaveBeenCalledWith(2);
    expect(electron.BrowserWindow.instances).toHaveLength(0);
    expect(electron.ipcMain.handle).not.toHaveBeenCalled();
  });

  it('applies a valid provisioning file', async () => {
    const config = join(dir, 'desk.json');
    writeFileSync(config, JSON.stringify({ role: 'supervisor', language: 'en' }));
    const { desk, started } = await start(['--config', config]);
    expect(started).toBe(true);
    const view = desk.core()?.settings.view();
    expect(view?.settings.role).toBe('supervisor');
    expect(view?.managed).toEqual(expect.arrayContaining(['role', 'language']));
  });

  it('refuses a flag without its value with exit code 2 before doing anything else', async () => {
    const { electron, bootstrap } = await load();
    const desk = bootstrap({ argv: ['electron', '.', '--config'], preloadPath: '/p.cjs', rendererDir: dir, env: {} });
    expect(desk).toBeNull();
    expect(electron.app.exit).toHaveBeenCalledWith(2);
    expect(electron.dialog.showErrorBox).toHaveBeenCalled();
    expect(electron.app.requestSingleInstanceLock).not.toHaveBeenCalled();
  });

  it('holds desk.lock in the data folder while it runs and releases it when it quits', async () => {
    const { electron } = await start();
    const lockFile = join(dir, 'data', LOCK_FILE);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, host: 'electron' });
    electron.app.emit('will-quit');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a data folder a browser host already runs on: one line, the same words in a dialog, exit code 2', async () => {
    mkdirSync(join(dir, 'data'));
    const browserHost = acquireDataDirLock(join(dir, 'data'), 'web');
    try {
      const { electron, bootstrap } = await load();
      const desk = bootstrap({ argv: ['electron', '.', '--data-dir', join(dir, 'data')], preloadPath: '/p.cjs', rendererDir: dir, env: {} });
      expect(desk).toBeNull();
      expect(electron.app.exit).toHaveBeenCalledWith(2);
      const lines = stderr.mock.calls.map((call: unknown[]) => String(call[0]));
      expect(lines).toEqual([expect.stringMatching(/^Registratura could not start: the data folder .* is already in use by another desk \(the browser host, PID \d+/)]);
      expect(lines[0]?.endsWith('Close that desk first, or start this one with another --data-dir.\n')).toBe(true);
      expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Registratura cannot start', expect.stringContaining('already in use by another desk'));
      expect(electron.app.enableSandbox).not.toHaveBeenCalled();
    } finally {
      browserHost.release();
    }
  });

  it.each([
    ['a file', (root: string) => (writeFileSync(join(root, 'data'), 'x'), join(root, 'data')), 'is a file, not a folder'],
    ['/proc/x', () => '/proc/x', 'cannot be created: /proc does not accept new folders'],
  ])('refuses %s as the data folder with one line and exit code 2, before Electron\'s lock', async (_what, makePath, expected) => {
    const dataDir = makePath(dir);
    const { electron, bootstrap } = await load();
    const desk = bootstrap({ argv: ['electron', '.', '--data-dir', dataDir], preloadPath: '/p.cjs', rendererDir: dir, env: {} });
    expect(desk).toBeNull();
    expect(electron.app.exit).toHaveBeenCalledWith(2);
    const lines = stderr.mock.calls.map((call: unknown[]) => String(call[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Registratura could not start: the data folder ${dataDir} ${expected}`);
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Registratura cannot start', expect.stringContaining(expected));
    expect(electron.app.setPath).not.toHaveBeenCalled();
    expect(electron.app.requestSingleInstanceLock).not.toHaveBeenCalled();
  });

  it('a second desktop app on the same folder leaves quietly (the first is brought forward) and takes no desk.lock', async () => {
    const { electron, bootstrap } = await load((fake) => {
      fake.app.singleInstanceLock = false;
    });
    const desk = bootstrap({ argv: ['electron', '.', '--data-dir', join(dir, 'data')], preloadPath: '/p.cjs', rendererDir: dir, env: {} });
    expect(desk).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.exit).not.toHaveBeenCalled();
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
  });

  it('reports any other start failure with a dialog and exit code 1', async () => {
    const { electron, started } = await start([], (fake) => {
      fake.safeStorage.isEncryptionAvailable.mockImplementation(() => {
        throw new Error('keychain daemon crashed');
      });
    });
    expect(started).toBe(false);
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Registratura cannot start', expect.stringContaining('keychain daemon crashed'));
    expect(electron.app.exit).toHaveBeenCalledWith(1);
  });

  it('starts without a keychain, with secrets reported unavailable', async () => {
    const { desk } = await start([], (fake) => {
      fake.safeStorage.backend = 'basic_text';
    });
    expect(desk.core()?.settings.view().secretStorage).toBe(process.platform === 'linux' ? 'unavailable' : 'os-keychain');
  });

  it('in an unpackaged run, loads the loopback dev server and gives its responses our CSP', async () => {
    const { electron } = await start([], (fake) => {
      fake.app.isPackaged = false;
    }, { ELECTRON_RENDERER_URL: 'http://localhost:5173' });
    expect(electron.BrowserWindow.instances[0]?.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    const onHeaders = electron.session.defaultSession.webRequest.onHeadersReceived;
    expect(onHeaders).toHaveBeenCalledWith({ urls: ['http://localhost:5173/*'] }, expect.any(Function));
    const listener = onHeaders.mock.calls[0]?.[1] as (details: unknown, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void;
    let headers: Record<string, string[]> | undefined;
    listener({ url: 'http://localhost:5173/', responseHeaders: { 'content-security-policy': ["script-src 'unsafe-eval'"], 'Content-Type': ['text/html'] } }, (response) => {
      headers = response.responseHeaders;
    });
    expect(headers?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers?.['content-security-policy']).toBeUndefined();
    expect(headers?.['Content-Type']).toEqual(['text/html']);
  });

  it('never trusts a non-loopback dev server URL', async () => {
    const { electron } = await start([], (fake) => {
      fake.app.isPackaged = false;
    }, { ELECTRON_RENDERER_URL: 'https://evil.example/' });
    expect(electron.BrowserWindow.instances[0]?.loadURL).toHaveBeenCalledWith('app://desk/index.html');
  });
});

describe('the desktop shell: tray, close-to-tray, attention, links, autostart, window places, Ctrl+L', () => {
  const electronContext = { host: 'electron' as const, client: 't' };
  const trayOf = (electron: FakeElectron) => {
    const tray = electron.Tray.instances.at(-1);
    if (!tray?.menu) throw new Error('no tray menu');
    return { tray, menu: tray.menu };
  };
  const labels = (electron: FakeElectron) => trayOf(electron).menu.items.map((item) => item.label ?? `(${item.type})`);
  const operatorOf = (electron: FakeElectron) => {
    const window = electron.BrowserWindow.instances[0];
    if (!window) throw new Error('no operator window');
    return window;
  };

  it('registers a tray with the state, Show, Ready, each pause reason from the settings, and Quit', async () => {
    const { electron, desk } = await start();
    desk.core()!.status.report('pbx', 'offline', 'pbxUnreachable');
    expect(electron.Tray.instances).toHaveLength(1);
    expect(labels(electron)).toEqual([
      'Регистратура — нет связи с АТС',
      '(separator)',
      'Показать окно',
      '(separator)',
      'Готов',
      ...desk.core()!.settings.settings.agentStatus.pauseReasons.map((reason) => `Пауза: ${reason}`),
      '(separator)',
      'Выйти из программы',
    ]);
    // No PBX link: the status items do nothing.
    expect(trayOf(electron).menu.item('Готов').enabled).toBe(false);
  });

  it('the tray’s state follows the core: reconnecting, connected, paused (by this desk’s agent), in the desk’s language', async () => {
    const { electron, desk } = await start();
    const core = desk.core()!;
    core.status.report('pbx', 'reconnecting', 'pbxConnectionLost');
    expect(trayOf(electron).tray.tooltip).toBe('Регистратура — переподключение к АТС…');
    const reconnectingIcon = trayOf(electron).tray.image;
    core.status.report('pbx', 'online');
    expect(trayOf(electron).tray.tooltip).toBe('Регистратура — на связи');
    expect(trayOf(electron).tray.image).not.toBe(reconnectingIcon);
    core.events.emit('queue:changed', {
      connector: 'demo',
      live: true,
      board: {
        at: 0,
        queues: [],
        callers: [],
        agents: [{ extension: '1001', name: 'Иванова Ольга', state: 'paused', since: 0, pauseReason: 'Обед', queues: [], call: null }],
        counters: [],
      },
      patientNames: {},
      agentExtension: '1001',
      slaSeconds: 20,
    });
    expect(trayOf(electron).tray.tooltip).toBe('Регистратура — пауза: Обед');
    expect(trayOf(electron).menu.item('Пауза: Обед').checked).toBe(true);
    core.settings.update({ language: 'en' });
    expect(trayOf(electron).tray.tooltip).toBe('Registratura — paused: Обед');
    expect(labels(electron)).toContain('Quit');
  });

  it('a status item in the tray asks the core for agent.setStatus as client "tray"', async () => {
    const { electron, desk } = await start();
    const core = desk.core()!;
    core.settings.update({ agent: { extension: '1001' } });
    core.status.report('pbx', 'online');
    const dispatch = vi.spyOn(core.dispatcher, 'dispatch');
    const reason = core.settings.settings.agentStatus.pauseReasons[0]!;
    trayOf(electron).menu.click(`Пауза: ${reason}`);
    trayOf(electron).menu.click('Готов');
    expect(dispatch.mock.calls).toEqual([
      ['agent.setStatus', { state: 'paused', reason }, { host: 'electron', client: 'tray' }],
      ['agent.setStatus', { state: 'ready' }, { host: 'electron', client: 'tray' }],
    ]);
  });

  it('"Show window" in the tray brings the hidden window back', async () => {
    const { electron } = await start();
    const window = operatorOf(electron);
    window.close();
    expect(window.isVisible()).toBe(false);
    trayOf(electron).menu.click('Показать окно');
    expect(window.isVisible()).toBe(true);
    expect(window.focus).toHaveBeenCalled();
  });

  it('closing the operator window hides it to the tray (the phone keeps running); with closeToTray off it closes', async () => {
    const { electron, desk } = await start();
    const window = operatorOf(electron);
    window.show();
    window.close();
    expect(window.hide).toHaveBeenCalled();
    expect(window.isDestroyed()).toBe(false);
    expect(desk.operatorWindow()).toBe(window);
    expect(electron.app.quitted).toBe(false);

    desk.core()!.settings.update({ desktop: { closeToTray: false } });
    window.close();
    expect(window.isDestroyed()).toBe(true);
    expect(desk.operatorWindow()).toBeNull();
  });

  it('"Quit" in the tray really quits: the window is not hidden, the core stops, the app exits', async () => {
    const { electron, desk } = await start();
    const window = operatorOf(electron);
    const stop = vi.spyOn(desk.core()!, 'stop').mockResolvedValue();
    trayOf(electron).menu.click('Выйти из программы');
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(stop).toHaveBeenCalledTimes(1);
    expect(window.hide).not.toHaveBeenCalled();
    expect(window.isDestroyed()).toBe(true);
    expect(trayOf(electron).tray.isDestroyed()).toBe(true);
  });

  it('an app quit (Cmd+Q, the OS) is not held up by close-to-tray either', async () => {
    const { electron, desk } = await start();
    vi.spyOn(desk.core()!, 'stop').mockResolvedValue();
    electron.app.quit();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(operatorOf(electron).hide).not.toHaveBeenCalled();
  });

  it('app.attention (a ring) brings the minimised or hidden window forward and focuses it', async () => {
    const { electron, desk } = await start();
    const window = operatorOf(electron);
    window.close();
    window.minimized = true;
    expect(await desk.core()!.dispatcher.dispatch('app.attention', { reason: 'ringing' }, electronContext)).toEqual({ ok: true, value: { shown: true } });
    expect(window.restore).toHaveBeenCalled();
    expect(window.isVisible()).toBe(true);
    expect(window.isFocused()).toBe(true);
    expect(window.flashFrame).not.toHaveBeenCalled();
  });

  it('where the OS refuses focus, the window flashes on the taskbar until the operator focuses it', async () => {
    const { electron, desk } = await start();
    const window = operatorOf(electron);
    window.focusRefused = true;
    await desk.core()!.dispatcher.dispatch('app.attention', { reason: 'ringing' }, electronContext);
    await desk.core()!.dispatcher.dispatch('app.attention', { reason: 'ringing' }, electronContext);
    expect(window.flashFrame.mock.calls).toEqual([[true], [true]]);
    window.focusRefused = false;
    window.focus();
    expect(window.flashFrame.mock.calls).toEqual([[true], [true], [false]]);
  });

  it('Ctrl+L in a desk window locks the desk before the page sees the key (the physical key: a Russian layout too)', async () => {
    const { electron, desk } = await start();
    const lock = vi.spyOn(desk.core()!.session, 'lock');
    const contents = operatorOf(electron).webContents;
    expect(contents.pressKey({ key: 'l', code: 'KeyL', control: true, shift: true }).defaultPrevented).toBe(false);
    expect(contents.pressKey({ key: 'l', code: 'KeyL', control: false }).defaultPrevented).toBe(false);
    expect(lock).not.toHaveBeenCalled();
    expect(contents.pressKey({ key: 'д', code: 'KeyL', control: true }).defaultPrevented).toBe(true);
    expect(lock).toHaveBeenCalledWith('hotkey');
    expect(electron.globalShortcut.register).not.toHaveBeenCalledWith(expect.stringMatching(/\+L$/), expect.anything());
  });

  it('registers as the tel:, sip: and sips: handler when installed, not in a dev run', async () => {
    const installed = await start();
    expect([...installed.electron.app.protocolClients].sort()).toEqual(['sip', 'sips', 'tel']);
    installed.electron.app.emit('will-quit');
    const dev = await start([], (fake) => {
      fake.app.isPackaged = false;
    });
    expect(dev.electron.app.setAsDefaultProtocolClient).not.toHaveBeenCalled();
  });

  it('a second launch with a tel: link brings the desk forward and hands the number to the page, once', async () => {
    const { electron, desk } = await start();
    const window = operatorOf(electron);
    window.minimized = true;
    electron.app.emit('second-instance', {}, ['C:\\Registratura\\Registratura.exe', '--allow-file-access-from-files', 'tel:+7-916-123-45-67'], 'C:\\');
    expect(window.restore).toHaveBeenCalled();
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'app:dial-request', { number: '+79161234567', source: 'link' });
    const take = () => desk.core()!.dispatcher.dispatch('app.takeDialRequest', {}, electronContext);
    expect(await take()).toEqual({ ok: true, value: { request: { number: '+79161234567', source: 'link' } } });
    expect(await take()).toEqual({ ok: true, value: { request: null } });
  });

  it('a link the desk is started with, or macOS hands over (open-url), waits for the page', async () => {
    const { electron, desk } = await start(['sip:1001@pbx.example']);
    const take = () => desk.core()!.dispatcher.dispatch('app.takeDialRequest', {}, electronContext);
    expect(await take()).toEqual({ ok: true, value: { request: { number: '1001', source: 'link' } } });
    const event = new FakeEvent();
    electron.app.emit('open-url', event, 'tel:101');
    expect(event.defaultPrevented).toBe(true);
    expect(await take()).toEqual({ ok: true, value: { request: { number: '101', source: 'link' } } });
  });

  it('a hostile link is refused: nothing reaches the page, the log says why without the link', async () => {
    const { electron, desk } = await start();
    const warn = vi.spyOn(desk.core()!.logger, 'warn');
    electron.app.emit('second-instance', {}, ['registratura', 'tel:+7916%0D%0AINVITE'], '/');
    electron.app.emit('second-instance', {}, ['registratura', 'sip:1001:secret@pbx.example'], '/');
    const sent = operatorOf(electron).webContents.send.mock.calls.filter((call) => call[1] === 'app:dial-request');
    expect(sent).toEqual([]);
    expect(warn.mock.calls).toEqual([
      ['dial-link.refused', { via: 'second-instance', problem: 'badCharacters' }],
      ['dial-link.refused', { via: 'second-instance', problem: 'invalid' }],
    ]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret');
  });

  it('autostart follows desktop.autostart (an XDG autostart entry on Linux, with the desk’s own --data-dir)', async () => {
    const { desk } = await start();
    const entry = join(dir, 'appData', 'autostart', 'registratura.desktop');
    expect(existsSync(entry)).toBe(false);
    desk.core()!.settings.update({ desktop: { autostart: true } });
    expect(readFileSync(entry, 'utf8')).toContain(`--data-dir ${join(dir, 'data')}`);
    desk.core()!.settings.update({ desktop: { autostart: false } });
    expect(existsSync(entry)).toBe(false);
  });

  it('Windows: a login item with the desk’s own arguments, following the setting', async () => {
    const { electron, desk } = await start([], undefined, {}, 'win32');
    expect(electron.app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false, path: process.execPath, args: ['--data-dir', join(dir, 'data')] });
    desk.core()!.settings.update({ desktop: { autostart: true } });
    expect(electron.app.loginItem).toEqual({ openAtLogin: true, path: process.execPath, args: ['--data-dir', join(dir, 'data')] });
  });

  it('macOS: Cmd+L locks, Ctrl+L does not', async () => {
    const { electron, desk } = await start([], undefined, {}, 'darwin');
    const lock = vi.spyOn(desk.core()!.session, 'lock');
    const contents = operatorOf(electron).webContents;
    expect(contents.pressKey({ key: 'l', code: 'KeyL', control: true }).defaultPrevented).toBe(false);
    expect(contents.pressKey({ key: 'l', code: 'KeyL', meta: true }).defaultPrevented).toBe(true);
    expect(lock).toHaveBeenCalledTimes(1);
  });

  it('a dev run never touches the login items', async () => {
    const { electron, desk } = await start([], (fake) => {
      fake.app.isPackaged = false;
    });
    desk.core()!.settings.update({ desktop: { autostart: true } });
    expect(electron.app.setLoginItemSettings).not.toHaveBeenCalled();
    expect(existsSync(join(dir, 'appData', 'autostart'))).toBe(false);
  });

  it('remembers where the operator put the window and opens it there next time, on the left-hand monitor too', async () => {
    const left = { id: 2, bounds: { x: -1280, y: 0, width: 1280, height: 1024 }, workArea: { x: -1280, y: 0, width: 1280, height: 984 }, scaleFactor: 1 };
    const twoMonitors = (fake: FakeElectron) => {
      fake.screen.displays = [structuredClone(FULL_HD_DISPLAY), left];
    };
    const first = await start([], twoMonitors);
    const window = operatorOf(first.electron);
    window.moveTo({ x: -1200, y: 40, width: 1100, height: 900 });
    window.close(); // to the tray: the place is saved at once
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'window-state.json'), 'utf8'));
    expect(saved.windows.operator[0]).toMatchObject({ display: '2:1280x984', bounds: { x: -1200, y: 40, width: 1100, height: 900 }, maximized: false });
    first.electron.app.emit('will-quit');

    const second = await start([], twoMonitors);
    expect(operatorOf(second.electron).options).toMatchObject({ x: -1200, y: 40, width: 1100, height: 900 });
    second.electron.app.emit('will-quit');

    // The left monitor is unplugged: centred on the primary one, never off-screen.
    const third = await start();
    const { x, y, width, height } = operatorOf(third.electron).options as { x: number; y: number; width: number; height: number };
    expect({ x, y, width, height }).toEqual({ x: 410, y: 70, width: 1100, height: 900 });
  });

  it('a damaged window-state.json means default places and a warning, never a failed start', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'window-state.json'), '{"version":1,"windows":{"operator":[{"display":"1:1920x1040"');
    const { electron, started } = await start();
    expect(started).toBe(true);
    expect(operatorOf(electron).options).toMatchObject({ x: 280, y: 90, width: 1360, height: 860 });
  });
});
