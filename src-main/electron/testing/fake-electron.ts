import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/**
 * A stand-in for the 'electron' module in vitest (no Electron binary runs here). Each call
 * makes a fresh, independent set of fakes; tests use it as
 * `vi.mock('electron', async () => (await import('./testing/fake-electron')).createFakeElectron())`
 * and `vi.resetModules()` between tests. Only what the shell touches is modelled.
 */

type Listener = (...args: unknown[]) => unknown;

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url?: string) {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  destroyed = false;
  url = '';
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly send = vi.fn();
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Fires a cancellable navigation-type event the way Electron does; returns it. */
  fire(name: string, url: string): FakeEvent {
    const event = new FakeEvent(url);
    this.emit(name, event, url);
    return event;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export function createFakeElectron(options: { userData?: string } = {}) {
  const paths = new Map<string, string>([['userData', options.userData ?? '/nonexistent/registratura']]);
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  class FakeApp extends EventEmitter {
    isPackaged = true;
    singleInstanceLock = true;
    readonly requestSingleInstanceLock = vi.fn(() => this.singleInstanceLock);
    /** True once a quit went through (no 'before-quit' listener held it). */
    quitted = false;
    readonly quit = vi.fn(() => {
      const event = new FakeEvent();
      this.emit('before-quit', event);
      if (!event.defaultPrevented) this.quitted = true;
    });
    readonly exit = vi.fn();
    readonly enableSandbox = vi.fn();
    readonly getPath = vi.fn((name: string) => {
      const value = paths.get(name);
      if (value === undefined) throw new Error(`no fake path for ${name}`);
      return value;
    });
    readonly setPath = vi.fn((name: string, value: string) => {
      paths.set(name, value);
    });
    readonly getVersion = vi.fn(() => '0.1.0');
    readonly getName = vi.fn(() => 'registratura');
    readonly whenReady = vi.fn(() => ready);
    /** Test control: Electron's 'ready'. */
    markReady(): void {
      markReady();
    }
  }
  const app = new FakeApp();

  const protocol = {
    registerSchemesAsPrivileged: vi.fn(),
    handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
    handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
      protocol.handlers.set(scheme, handler);
    }),
  };

  const defaultSession = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  };

  const ipcMain = {
    handlers: new Map<string, Listener>(),
    handle: vi.fn((channel: string, listener: Listener) => {
      if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcMain.handlers.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => ipcMain.handlers.delete(channel)),
    on: vi.fn(),
  };

  const safeStorage = {
    available: true,
    backend: 'gnome_libsecret',
    isEncryptionAvailable: vi.fn(() => safeStorage.available),
    getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
    // Reversible but never plaintext on disk: a prefix and every byte flipped.
    encryptString: vi.fn((plain: string) => Buffer.concat([Buffer.from('v11'), Buffer.from(plain, 'utf8').map((byte) => byte ^ 0xa5)])),
    decryptString: vi.fn((sealed: Buffer) => {
      if (sealed.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(sealed.subarray(3).map((byte) => byte ^ 0xa5)).toString('utf8');
    }),
  };

  class FakeBrowserWindow extends EventEmitter {
    static instances: FakeBrowserWindow[] = [];
    readonly webContents = new FakeWebContents();
    readonly loadURL = vi.fn(async (url: string) => {
      this.webContents.url = url;
    });
    readonly loadFile = vi.fn();
    readonly show = vi.fn();
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    minimized = false;
    destroyed = false;
    constructor(readonly options: Record<string, unknown>) {
      super();
      FakeBrowserWindow.instances.push(this);
      // Electron announces every new WebContents on the app; hardening hangs off that.
      app.emit('web-contents-created', {}, this.webContents);
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    close(): void {
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
    static getAllWindows(): FakeBrowserWindow[] {
      return FakeBrowserWindow.instances.filter((window) => !window.destroyed);
    }
  }

  const globalShortcut = {
    registered: new Map<string, () => void>(),
    register: vi.fn((accelerator: string, callback: () => void) => {
      if (globalShortcut.registered.has(accelerator)) return false;
      globalShortcut.registered.set(accelerator, callback);
      return true;
    }),
    unregister: vi.fn((accelerator: string) => {
      globalShortcut.registered.delete(accelerator);
    }),
  };

  const modules = {
    app,
    globalShortcut,
    protocol,
    session: { defaultSession },
    ipcMain,
    safeStorage,
    BrowserWindow: FakeBrowserWindow,
    dialog: { showErrorBox: vi.fn() },
    shell: { openExternal: vi.fn(async () => undefined) },
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
  };
  // electron-store does `import electron from 'electron'`: the CommonJS module as a default.
  return { ...modules, default: modules };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
export type FakeBrowserWindowInstance = InstanceType<FakeElectron['BrowserWindow']>;

/** The invoke event Electron would pass for a message from `contents` in `frame`. */
export function invokeEvent(contents: FakeWebContents, frame: FakeFrame | null) {
  return { sender: contents, senderFrame: frame };
}
