import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
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
  /** Fires 'before-input-event' for one key the way Electron does (before the page sees it); returns the event. */
  pressKey(input: Partial<FakeInput> & Pick<FakeInput, 'key' | 'code'>): FakeEvent {
    const event = new FakeEvent();
    this.emit('before-input-event', event, { type: 'keyDown', control: false, meta: false, alt: false, shift: false, isAutoRepeat: false, ...input });
    return event;
  }
  /** Fires a cancellable navigation-type event the way Electron does; returns it. */
  fire(name: string, url: string): FakeEvent {
    const event = new FakeEvent(url);
    this.emit(name, event, url);
    return event;
  }
}

/** Electron's `Input` of 'before-input-event' (the part the shell reads). */
export interface FakeInput {
  type: 'keyDown' | 'keyUp';
  key: string;
  code: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
  isAutoRepeat: boolean;
}

/** A display as Electron's `screen` describes it (the part the shell reads). */
export interface FakeDisplay {
  id: number;
  bounds: FakeRect;
  workArea: FakeRect;
  scaleFactor: number;
}

export interface FakeRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One menu item as the shell builds it (Electron's MenuItemConstructorOptions, reduced). */
export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'radio' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/** The area two rectangles share (0 when apart). */
function overlap(a: FakeRect, b: FakeRect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/** A 1920×1080 monitor at the origin with a 40 px taskbar. */
export const FULL_HD_DISPLAY: FakeDisplay = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 };

export function createFakeElectron(options: { userData?: string; appData?: string } = {}) {
  const userData = options.userData ?? '/nonexistent/registratura';
  // appData (~/.config on Linux) beside userData, so a test's temporary folder holds both.
  const paths = new Map<string, string>([
    ['userData', userData],
    ['appData', options.appData ?? join(dirname(userData), 'appData')],
  ]);
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  class FakeApp extends EventEmitter {
    isPackaged = true;
    singleInstanceLock = true;
    readonly requestSingleInstanceLock = vi.fn(() => this.singleInstanceLock);
    /** True once a quit went through (no 'before-quit' listener held it, no window refused to close). */
    quitted = false;
    /** Like Electron: 'before-quit', then every window's cancellable 'close' (one refusal cancels the quit), then 'will-quit'. */
    readonly quit = vi.fn(() => {
      const event = new FakeEvent();
      this.emit('before-quit', event);
      if (event.defaultPrevented) return;
      for (const window of FakeBrowserWindow.getAllWindows()) {
        const close = new FakeEvent();
        window.emit('close', close);
        if (close.defaultPrevented) return;
      }
      for (const window of FakeBrowserWindow.getAllWindows()) window.destroy();
      this.emit('will-quit', new FakeEvent());
      this.quitted = true;
    });
    /** Schemes this app registered as the OS handler for. */
    readonly protocolClients = new Set<string>();
    readonly setAsDefaultProtocolClient = vi.fn((scheme: string) => {
      this.protocolClients.add(scheme);
      return true;
    });
    /** What the last `setLoginItemSettings` asked for. */
    loginItem: { openAtLogin: boolean; path?: string; args?: string[] } = { openAtLogin: false };
    readonly setLoginItemSettings = vi.fn((settings: { openAtLogin: boolean; path?: string; args?: string[] }) => {
      this.loginItem = { ...settings };
    });
    readonly getLoginItemSettings = vi.fn(() => ({ ...this.loginItem }));
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
    /** Shown on screen (false before 'ready-to-show' and while hidden to the tray). */
    visible = false;
    focused = false;
    /** Test control: the OS refuses to give this window focus (Windows' foreground lock). */
    focusRefused = false;
    maximized = false;
    bounds: FakeRect;
    readonly show = vi.fn(() => {
      this.visible = true;
    });
    readonly hide = vi.fn(() => {
      this.visible = false;
      this.focused = false;
    });
    readonly focus = vi.fn(() => {
      if (this.focusRefused || this.focused) return;
      this.focused = true;
      this.emit('focus');
    });
    readonly restore = vi.fn(() => {
      this.minimized = false;
    });
    readonly maximize = vi.fn(() => {
      this.maximized = true;
      this.emit('maximize');
    });
    /** Every `flashFrame` call, in order. */
    readonly flashFrame = vi.fn();
    minimized = false;
    destroyed = false;
    constructor(readonly options: Record<string, unknown>) {
      super();
      const number = (key: string, fallback: number) => (typeof options[key] === 'number' ? (options[key] as number) : fallback);
      this.bounds = { x: number('x', 0), y: number('y', 0), width: number('width', 800), height: number('height', 600) };
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
    isVisible(): boolean {
      return this.visible;
    }
    isFocused(): boolean {
      return this.focused;
    }
    isMaximized(): boolean {
      return this.maximized;
    }
    getBounds(): FakeRect {
      return { ...this.bounds };
    }
    /** The bounds the window returns to from maximised or minimised (the fake keeps one rectangle). */
    getNormalBounds(): FakeRect {
      return { ...this.bounds };
    }
    /** Test control: the operator dragged or resized the window. */
    moveTo(bounds: Partial<FakeRect>): void {
      this.bounds = { ...this.bounds, ...bounds };
      this.emit('move');
      this.emit('resize');
    }
    /** Test control: another window took focus. */
    blur(): void {
      this.focused = false;
      this.emit('blur');
    }
    /** Like Electron: a cancellable 'close' first; a listener may keep the window (hide to the tray). */
    close(): void {
      if (this.destroyed) return;
      const event = new FakeEvent();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroy();
    }
    /** Closes without asking ('close' is not emitted), like Electron's `destroy()`. */
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.visible = false;
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

  class FakeNativeImage {
    readonly representations: { scaleFactor: number; dataURL?: string; buffer?: Buffer }[] = [];
    constructor(readonly source: string) {}
    addRepresentation(representation: { scaleFactor: number; dataURL?: string; buffer?: Buffer }): void {
      this.representations.push(representation);
    }
    isEmpty(): boolean {
      return this.source === '' && this.representations.length === 0;
    }
  }
  const nativeImage = {
    createEmpty: vi.fn(() => new FakeNativeImage('')),
    createFromDataURL: vi.fn((dataURL: string) => new FakeNativeImage(dataURL)),
    createFromBuffer: vi.fn((buffer: Buffer) => new FakeNativeImage(`buffer:${buffer.length}`)),
    createFromPath: vi.fn((path: string) => new FakeNativeImage(path)),
  };

  class FakeMenu {
    constructor(readonly items: FakeMenuItem[]) {}
    /** The item with this label (test helper); throws when there is none. */
    item(label: string): FakeMenuItem {
      const found = this.items.find((item) => item.label === label);
      if (!found) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.items.map((item) => item.label ?? item.type))}`);
      return found;
    }
    /** Clicks the item with this label, as the operator would (a disabled item does nothing). */
    click(label: string): void {
      const item = this.item(label);
      if (item.enabled === false) return;
      item.click?.();
    }
  }
  const Menu = {
    buildFromTemplate: vi.fn((template: FakeMenuItem[]) => new FakeMenu(template.map((item) => ({ ...item })))),
  };

  class FakeTray extends EventEmitter {
    static instances: FakeTray[] = [];
    tooltip = '';
    menu: FakeMenu | null = null;
    destroyed = false;
    constructor(public image: FakeNativeImage) {
      super();
      FakeTray.instances.push(this);
    }
    setToolTip(text: string): void {
      this.tooltip = text;
    }
    setContextMenu(menu: FakeMenu | null): void {
      this.menu = menu;
    }
    setImage(image: FakeNativeImage): void {
      this.image = image;
    }
    destroy(): void {
      this.destroyed = true;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
  }

  class FakeScreen extends EventEmitter {
    /** Test control: the attached displays; the first is the primary one. */
    displays: FakeDisplay[] = [structuredClone(FULL_HD_DISPLAY)];
    getAllDisplays(): FakeDisplay[] {
      return structuredClone(this.displays);
    }
    getPrimaryDisplay(): FakeDisplay {
      const primary = this.displays[0];
      if (!primary) throw new Error('no display attached');
      return structuredClone(primary);
    }
    /** The display a rectangle overlaps most (the primary one when it overlaps none), like Electron. */
    getDisplayMatching(rect: FakeRect): FakeDisplay {
      let best = this.getPrimaryDisplay();
      let bestArea = 0;
      for (const display of this.displays) {
        const area = overlap(display.bounds, rect);
        if (area > bestArea) [best, bestArea] = [structuredClone(display), area];
      }
      return best;
    }
  }
  const screen = new FakeScreen();

  const modules = {
    app,
    Tray: FakeTray,
    Menu,
    nativeImage,
    screen,
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
export type FakeTrayInstance = InstanceType<FakeElectron['Tray']>;

/** The invoke event Electron would pass for a message from `contents` in `frame`. */
export function invokeEvent(contents: FakeWebContents, frame: FakeFrame | null) {
  return { sender: contents, senderFrame: frame };
}
