import { describe, expect, it } from 'vitest';
import {
  centredIn,
  choosePlacement,
  clampToArea,
  displayKey,
  MAX_PLACEMENTS_PER_WINDOW,
  parseWindowState,
  rememberPlacement,
  setupKey,
  type DisplayArea,
  type SavedPlacement,
} from './window-placement';

const primary: DisplayArea = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
/** A monitor to the left of the primary one: negative x. */
const left: DisplayArea = { id: 2, workArea: { x: -1280, y: 0, width: 1280, height: 984 } };
/** A laptop screen above-left, negative x and y. */
const aboveLeft: DisplayArea = { id: 3, workArea: { x: -1366, y: -768, width: 1366, height: 728 } };
const defaults = { width: 1360, height: 860 };

const entry = (display: DisplayArea, displays: DisplayArea[], bounds: SavedPlacement['bounds'], savedAt: number, maximized = false): SavedPlacement => ({
  display: displayKey(display),
  setup: setupKey(displays),
  bounds,
  maximized,
  savedAt,
});

describe('choosePlacement', () => {
  it('nothing remembered: the default size centred on the primary display', () => {
    expect(choosePlacement([], [primary, left], defaults)).toEqual({ bounds: { x: 280, y: 90, width: 1360, height: 860 }, maximized: false });
  });

  it('restores on the same display while it is attached, the left-hand monitor’s negative coordinates included', () => {
    const saved = [entry(left, [primary, left], { x: -1200, y: 40, width: 1100, height: 900 }, 2, true)];
    expect(choosePlacement(saved, [primary, left], defaults)).toEqual({ bounds: { x: -1200, y: 40, width: 1100, height: 900 }, maximized: true });
    expect(choosePlacement([entry(aboveLeft, [primary, aboveLeft], { x: -1300, y: -700, width: 1200, height: 600 }, 1)], [primary, aboveLeft], defaults).bounds).toEqual({
      x: -1300,
      y: -700,
      width: 1200,
      height: 600,
    });
  });

  it('the display is gone: centred on the primary display, with the remembered size', () => {
    const saved = [entry(left, [primary, left], { x: -1200, y: 40, width: 1100, height: 900 }, 2)];
    expect(choosePlacement(saved, [primary], defaults)).toEqual({ bounds: { x: 410, y: 70, width: 1100, height: 900 }, maximized: false });
  });

  it('the same monitor at another resolution counts as another display: centred, shrunk to fit', () => {
    const big: DisplayArea = { id: 1, workArea: { x: 0, y: 0, width: 2560, height: 1400 } };
    const saved = [entry(big, [big], { x: 1200, y: 300, width: 1800, height: 1100 }, 1)];
    const small: DisplayArea = { id: 1, workArea: { x: 0, y: 0, width: 1366, height: 728 } };
    expect(choosePlacement(saved, [small], defaults).bounds).toEqual({ x: 0, y: 0, width: 1366, height: 728 });
  });

  it('never off-screen: bounds beyond the work area are pulled in, an oversized window shrinks to it', () => {
    const saved = [entry(primary, [primary], { x: 1800, y: 1000, width: 1360, height: 860 }, 1)];
    expect(choosePlacement(saved, [primary], defaults).bounds).toEqual({ x: 560, y: 180, width: 1360, height: 860 });
    const huge = [entry(left, [primary, left], { x: -5000, y: -5000, width: 9000, height: 9000 }, 1)];
    expect(choosePlacement(huge, [primary, left], defaults).bounds).toEqual(left.workArea);
  });

  it('docked and undocked: the place made in the current set of displays wins over a newer one made in another', () => {
    const docked = entry(left, [primary, left], { x: -1200, y: 40, width: 1100, height: 900 }, 1);
    const undocked = entry(primary, [primary], { x: 100, y: 100, width: 1360, height: 860 }, 2);
    expect(choosePlacement([docked, undocked], [primary, left], defaults).bounds.x).toBe(-1200);
    expect(choosePlacement([docked, undocked], [primary], defaults).bounds.x).toBe(100);
  });

  it('no display at all (a headless start): the default size at the origin', () => {
    expect(choosePlacement([], [], defaults)).toEqual({ bounds: { x: 0, y: 0, width: 1360, height: 860 }, maximized: false });
  });
});

describe('clampToArea and centredIn', () => {
  it('clamp keeps a window that fits where it is and rounds fractions', () => {
    expect(clampToArea({ x: 10.4, y: 20.6, width: 800, height: 600 }, primary.workArea)).toEqual({ x: 10, y: 21, width: 800, height: 600 });
  });
  it('centres inside an area with negative coordinates', () => {
    expect(centredIn({ width: 1000, height: 500 }, aboveLeft.workArea)).toEqual({ x: -1183, y: -654, width: 1000, height: 500 });
  });
});

describe('rememberPlacement', () => {
  it('keeps one placement per display, newest first, and at most the limit', () => {
    let entries: SavedPlacement[] = [];
    for (let i = 0; i < MAX_PLACEMENTS_PER_WINDOW + 3; i++) {
      entries = rememberPlacement(entries, entry({ id: i, workArea: primary.workArea }, [primary], { x: i, y: 0, width: 800, height: 600 }, i));
    }
    entries = rememberPlacement(entries, entry({ id: 10, workArea: primary.workArea }, [primary], { x: 99, y: 0, width: 800, height: 600 }, 100));
    expect(entries).toHaveLength(MAX_PLACEMENTS_PER_WINDOW);
    expect(entries[0]?.bounds.x).toBe(99);
    expect(entries.filter((e) => e.display === entries[0]?.display)).toHaveLength(1);
  });
});

describe('parseWindowState', () => {
  const good = { version: 1, windows: { operator: [entry(primary, [primary], { x: 1, y: 2, width: 800, height: 600 }, 5)] } };

  it('reads a good file', () => {
    expect(parseWindowState(JSON.stringify(good))).toEqual({ state: good, problem: null });
  });

  it.each([
    ['not JSON', '{"version":1,', 'not JSON'],
    ['another version', '{"version":2,"windows":{}}', 'not a version 1 window state'],
    ['no windows', '{"version":1}', 'no windows'],
    ['null', 'null', 'not a version 1 window state'],
  ])('%s: an empty state and the problem', (_what, text, problem) => {
    expect(parseWindowState(text)).toEqual({ state: { version: 1, windows: {} }, problem });
  });

  it('drops malformed entries (NaN, huge, missing, wrong types) and keeps the good ones', () => {
    const text = JSON.stringify({
      version: 1,
      windows: {
        operator: [
          good.windows.operator[0],
          { ...good.windows.operator[0], bounds: { x: 'a', y: 0, width: 1, height: 1 } },
          { ...good.windows.operator[0], bounds: { x: 1e9, y: 0, width: 800, height: 600 } },
          { ...good.windows.operator[0], bounds: { x: 0, y: 0, width: 0, height: 600 } },
          { ...good.windows.operator[0], maximized: 'yes' },
          null,
        ],
        'Bad Kind!': [],
      },
    });
    const { state, problem } = parseWindowState(text);
    expect(state.windows.operator).toEqual(good.windows.operator);
    expect(state.windows['Bad Kind!']).toBeUndefined();
    expect(problem).toBe('6 malformed entries dropped');
  });
});
