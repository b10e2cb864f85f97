import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { rendererEntryUrl, type DeskWindowKind } from './app-origin';
import type { Placement } from './window-placement';

export interface DeskWindowOptions {
  /** Absolute path of out/preload/index.cjs. */
  preloadPath: string;
  /** The accepted dev-server URL (unpackaged runs only); app://desk otherwise. */
  devRendererUrl?: string;
  /** Called when the first load fails (missing build, dev server down). */
  onLoadFailed?: (url: string, error: unknown) => void;
}

const TITLES: Record<DeskWindowKind, string> = {
  operator: 'Registratura',
  supervisor: 'Registratura — Supervisor',
};

const SIZES: Record<DeskWindowKind, Pick<BrowserWindowConstructorOptions, 'width' | 'height' | 'minWidth' | 'minHeight'>> = {
  operator: { width: 1360, height: 860, minWidth: 1024, minHeight: 640 },
  supervisor: { width: 1440, height: 900, minWidth: 1024, minHeight: 640 },
};

/** A window's size when nothing is remembered for it. */
export function defaultWindowSize(kind: DeskWindowKind): { width: number; height: number } {
  return { width: SIZES[kind].width ?? 1360, height: SIZES[kind].height ?? 860 };
}

function createDeskWindow(kind: DeskWindowKind, options: DeskWindowOptions, placement?: Placement): BrowserWindow {
  const title = TITLES[kind];
  const window = new BrowserWindow({
    ...SIZES[kind],
    // Where it was last (window-state-store.ts), already clamped onto an attached display.
    ...placement?.bounds,
    title,
    // Shown on ready-to-show, so the operator never sees a blank white frame.
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    // The one set of webPreferences every desk window gets, written out inside `new BrowserWindow`
    // so that a static scanner (Electronegativity, `scripts/security-scan.mjs`) sees each flag.
    // Each line is a checklist item that security.test.ts asserts, for both windows:
    // - the page runs sandboxed, isolated from the preload, with no Node anywhere (workers and
    //   sub-frames included), with web security on and no http content inside our secure origin;
    // - no <webview>, no experimental Blink features;
    // - backgroundThrottling off: a minimised desk must still ring and keep its SIP socket alive;
    // - spellcheck off: it would send typed patient data to the OS/spelling service.
    webPreferences: {
      preload: options.preloadPath,
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
    },
  });
  // The page title could one day name a caller; window titles are visible in task bars and
  // screen shares, so the OS title stays the product name.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.once('ready-to-show', () => {
    if (placement?.maximized) window.maximize();
    window.show();
  });
  const url = rendererEntryUrl(kind, options.devRendererUrl);
  window.loadURL(url).catch((error: unknown) => options.onLoadFailed?.(url, error));
  return window;
}

/** The operator's main window: softphone, card, queue, worklist. */
export function createOperatorWindow(options: DeskWindowOptions, placement?: Placement): BrowserWindow {
  return createDeskWindow('operator', options, placement);
}

/** The supervisor's monitoring window; same renderer, `?window=supervisor`. */
export function createSupervisorWindow(options: DeskWindowOptions, placement?: Placement): BrowserWindow {
  return createDeskWindow('supervisor', options, placement);
}
