/**
 * Where a desk window opens: the pure rules, apart from Electron and the file
 * (`window-state-store.ts` reads and writes `window-state.json`).
 *
 * A window's bounds and maximised state are remembered per display — keyed by the display's id
 * and its work-area size, so the same monitor at another resolution counts as another display —
 * and, with each, the set of displays attached at the time (the "setup": a laptop docked or
 * not). On open: the newest placement made in the current setup, else the newest one on a
 * display still attached, else the newest size centred on the primary display, else the
 * default size there. Whatever is chosen is clamped into its display's work area: a window
 * never opens off-screen or under the taskbar, whatever the file says.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A display as the placement needs it (Electron's `Display`, reduced). */
export interface DisplayArea {
  id: number;
  workArea: Rect;
}

/** One remembered placement of one window kind. */
export interface SavedPlacement {
  /** {@link displayKey} of the display the window was on. */
  display: string;
  /** {@link setupKey} of the displays attached then. */
  setup: string;
  /** The normal (not maximised) bounds. */
  bounds: Rect;
  maximized: boolean;
  /** When it was saved (ms since the epoch): the newest wins. */
  savedAt: number;
}

/** Where to open a window. */
export interface Placement {
  bounds: Rect;
  maximized: boolean;
}

/** Placements kept per window kind (the oldest are dropped). */
export const MAX_PLACEMENTS_PER_WINDOW = 8;

/** The same monitor at another resolution (or with a moved taskbar) is another display. */
export function displayKey(display: DisplayArea): string {
  return `${display.id}:${display.workArea.width}x${display.workArea.height}`;
}

/** The attached displays as one key (order-independent). */
export function setupKey(displays: readonly DisplayArea[]): string {
  return displays
    .map(displayKey)
    .sort()
    .join('+');
}

/** `bounds` moved (and shrunk if it must be) to lie wholly inside `area`. Works for negative coordinates (a monitor left of or above the primary). */
export function clampToArea(bounds: Rect, area: Rect): Rect {
  const width = Math.max(1, Math.min(Math.round(bounds.width), area.width));
  const height = Math.max(1, Math.min(Math.round(bounds.height), area.height));
  const x = Math.min(Math.max(Math.round(bounds.x), area.x), area.x + area.width - width);
  const y = Math.min(Math.max(Math.round(bounds.y), area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/** A window of `size` centred in `area` (shrunk to fit). */
export function centredIn(size: Pick<Rect, 'width' | 'height'>, area: Rect): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return { x: area.x + Math.floor((area.width - width) / 2), y: area.y + Math.floor((area.height - height) / 2), width, height };
}

/**
 * Where a window opens, from what was remembered for it, the displays attached now (the first
 * is the primary one) and its default size.
 */
export function choosePlacement(saved: readonly SavedPlacement[], displays: readonly DisplayArea[], defaultSize: Pick<Rect, 'width' | 'height'>): Placement {
  const primary = displays[0];
  if (!primary) return { bounds: { x: 0, y: 0, ...defaultSize }, maximized: false };
  const newestFirst = [...saved].sort((a, b) => b.savedAt - a.savedAt);
  const attached = new Map(displays.map((display) => [displayKey(display), display]));
  const setup = setupKey(displays);
  const onAttached = newestFirst.filter((entry) => attached.has(entry.display));
  const chosen = onAttached.find((entry) => entry.setup === setup) ?? onAttached[0];
  if (chosen) {
    const display = attached.get(chosen.display)!;
    return { bounds: clampToArea(chosen.bounds, display.workArea), maximized: chosen.maximized };
  }
  const newest = newestFirst[0];
  return {
    bounds: centredIn(newest ? newest.bounds : defaultSize, primary.workArea),
    maximized: newest?.maximized ?? false,
  };
}

/** `entries` with `entry` in place of the one for its display, newest first, at most {@link MAX_PLACEMENTS_PER_WINDOW}. */
export function rememberPlacement(entries: readonly SavedPlacement[], entry: SavedPlacement): SavedPlacement[] {
  return [entry, ...entries.filter((other) => other.display !== entry.display)].sort((a, b) => b.savedAt - a.savedAt).slice(0, MAX_PLACEMENTS_PER_WINDOW);
}

/** Largest coordinate or size believed (a desktop larger than this is not a desktop). */
const COORDINATE_LIMIT = 100_000;

const isCoordinate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= COORDINATE_LIMIT;

function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const { x, y, width, height } = value as Record<string, unknown>;
  return isCoordinate(x) && isCoordinate(y) && isCoordinate(width) && isCoordinate(height) && width >= 1 && height >= 1;
}

function isSavedPlacement(value: unknown): value is SavedPlacement {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.display === 'string' &&
    entry.display.length <= 64 &&
    typeof entry.setup === 'string' &&
    entry.setup.length <= 1024 &&
    isRect(entry.bounds) &&
    typeof entry.maximized === 'boolean' &&
    typeof entry.savedAt === 'number' &&
    Number.isFinite(entry.savedAt)
  );
}

/** What `window-state.json` holds: per window kind, its remembered placements. */
export interface WindowStateFile {
  version: 1;
  windows: Record<string, SavedPlacement[]>;
}

export const EMPTY_WINDOW_STATE: WindowStateFile = Object.freeze({ version: 1, windows: {} }) as WindowStateFile;

/**
 * Reads the file's text: the state, or an empty one and what was wrong with it (not JSON,
 * another version, a malformed entry). An entry that does not look right is dropped, never
 * trusted: the window then opens at its default place.
 */
export function parseWindowState(text: string): { state: WindowStateFile; problem: string | null } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { state: structuredClone(EMPTY_WINDOW_STATE), problem: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1) {
    return { state: structuredClone(EMPTY_WINDOW_STATE), problem: 'not a version 1 window state' };
  }
  const windows = (data as { windows?: unknown }).windows;
  if (typeof windows !== 'object' || windows === null || Array.isArray(windows)) return { state: structuredClone(EMPTY_WINDOW_STATE), problem: 'no windows' };
  const state: WindowStateFile = { version: 1, windows: {} };
  let dropped = 0;
  for (const [kind, entries] of Object.entries(windows)) {
    if (!/^[a-z-]{1,32}$/.test(kind) || !Array.isArray(entries)) {
      dropped += 1;
      continue;
    }
    const valid = entries.filter(isSavedPlacement).slice(0, MAX_PLACEMENTS_PER_WINDOW);
    dropped += entries.length - valid.length;
    state.windows[kind] = valid.map((entry) => ({ display: entry.display, setup: entry.setup, bounds: { ...entry.bounds }, maximized: entry.maximized, savedAt: entry.savedAt }));
  }
  return { state, problem: dropped > 0 ? `${dropped} malformed entries dropped` : null };
}
