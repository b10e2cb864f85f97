import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/log/logger';
import type { DeskWindowKind } from './app-origin';
import {
  choosePlacement,
  displayKey,
  EMPTY_WINDOW_STATE,
  parseWindowState,
  rememberPlacement,
  setupKey,
  type DisplayArea,
  type Placement,
  type Rect,
  type WindowStateFile,
} from './window-placement';

/** The file in the data folder. */
export const WINDOW_STATE_FILE = 'window-state.json';

/** How long after the last move or resize the file is written. */
export const WINDOW_STATE_SAVE_DELAY_MS = 500;

/** Electron's `screen`, reduced. */
export interface ScreenLike {
  getAllDisplays(): DisplayArea[];
  getPrimaryDisplay(): DisplayArea;
  getDisplayMatching(rect: Rect): DisplayArea;
}

/** The part of a BrowserWindow whose place is remembered. */
export interface PlacedWindow {
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  isDestroyed(): boolean;
  isMaximized(): boolean;
  /** The bounds it returns to from maximised or minimised: what is remembered. */
  getNormalBounds(): Rect;
}

export interface WindowStateStoreOptions {
  dataDir: string;
  screen: ScreenLike;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

/**
 * The desk windows' remembered places (`window-state.json` in the data folder): read once at
 * start (a damaged file is a warning and default places, never a failed start), asked for a
 * window's placement before it is made, told of its moves (written {@link WINDOW_STATE_SAVE_DELAY_MS}
 * after the last one, and at once when the window closes). Holds only geometry.
 */
export class WindowStateStore {
  private state: WindowStateFile = structuredClone(EMPTY_WINDOW_STATE);
  private timer: unknown = null;
  private readonly file: string;
  private readonly now: () => number;
  private readonly timers: NonNullable<WindowStateStoreOptions['timers']>;

  constructor(private readonly options: WindowStateStoreOptions) {
    this.file = join(options.dataDir, WINDOW_STATE_FILE);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => {
        const handle = setTimeout(fn, ms);
        handle.unref?.();
        return handle;
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.load();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger.warn('window-state.unreadable', { error });
      return;
    }
    const { state, problem } = parseWindowState(text);
    this.state = state;
    if (problem !== null) this.options.logger.warn('window-state.damaged', { problem });
  }

  /** Where a window of this kind opens now (default size centred on the primary display when nothing fits). */
  placementFor(kind: DeskWindowKind, defaultSize: Pick<Rect, 'width' | 'height'>): Placement {
    return choosePlacement(this.state.windows[kind] ?? [], this.displays(), defaultSize);
  }

  /** Follows a window's moves, resizes and maximising, and saves its place when it closes. */
  track(kind: DeskWindowKind, window: PlacedWindow): void {
    const later = () => this.remember(kind, window, false);
    for (const event of ['move', 'resize', 'maximize', 'unmaximize'] as const) window.on(event, later);
    window.on('close', () => this.remember(kind, window, true));
  }

  /** Writes a pending change now (quitting). */
  flush(): void {
    if (this.timer === null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.write();
  }

  private displays(): DisplayArea[] {
    // The primary display first: choosePlacement centres on displays[0].
    const primary = this.options.screen.getPrimaryDisplay();
    return [primary, ...this.options.screen.getAllDisplays().filter((display) => display.id !== primary.id)];
  }

  private remember(kind: DeskWindowKind, window: PlacedWindow, now: boolean): void {
    // A window already gone has no place to give.
    if (window.isDestroyed()) return;
    const bounds = window.getNormalBounds();
    const display = this.options.screen.getDisplayMatching(bounds);
    const entry = { display: displayKey(display), setup: setupKey(this.displays()), bounds, maximized: window.isMaximized(), savedAt: this.now() };
    this.state.windows[kind] = rememberPlacement(this.state.windows[kind] ?? [], entry);
    if (now) {
      if (this.timer !== null) this.timers.clearTimeout(this.timer);
      this.timer = null;
      this.write();
      return;
    }
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.write();
    }, WINDOW_STATE_SAVE_DELAY_MS);
  }

  /** Whole-file replace (write beside, rename over), so a crash mid-write leaves the old file. */
  private write(): void {
    const temporary = `${this.file}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, this.file);
    } catch (error) {
      this.options.logger.warn('window-state.not-saved', { error });
    }
  }
}
