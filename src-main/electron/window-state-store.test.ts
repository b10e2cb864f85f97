import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import type { DisplayArea, Rect } from './window-placement';
import { WINDOW_STATE_FILE, WINDOW_STATE_SAVE_DELAY_MS, WindowStateStore, type ScreenLike } from './window-state-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'window-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const primary: DisplayArea = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const screenOf = (displays: DisplayArea[]): ScreenLike => ({
  getAllDisplays: () => displays,
  getPrimaryDisplay: () => displays[0]!,
  getDisplayMatching: () => displays[0]!,
});

class Window extends EventEmitter {
  bounds: Rect = { x: 100, y: 100, width: 1360, height: 860 };
  maximized = false;
  isDestroyed = () => false;
  isMaximized = () => this.maximized;
  getNormalBounds = () => ({ ...this.bounds });
}

function storeWith(clock = new ManualClock(1_000)) {
  const warn = vi.fn();
  const store = new WindowStateStore({ dataDir: dir, screen: screenOf([primary]), logger: { warn }, now: () => clock.now(), timers: clock });
  return { store, warn, clock };
}

const file = () => join(dir, WINDOW_STATE_FILE);

describe('WindowStateStore', () => {
  it('writes a moved window’s place once the moving stops, not on every move', () => {
    const { store, clock } = storeWith();
    const window = new Window();
    store.track('operator', window);
    for (let x = 0; x < 50; x++) {
      window.bounds = { ...window.bounds, x };
      window.emit('move');
      clock.advance(10);
    }
    expect(existsSync(file())).toBe(false);
    clock.advance(WINDOW_STATE_SAVE_DELAY_MS);
    const saved = JSON.parse(readFileSync(file(), 'utf8'));
    expect(saved.windows.operator).toEqual([expect.objectContaining({ display: '1:1920x1040', bounds: { x: 49, y: 100, width: 1360, height: 860 }, maximized: false })]);
  });

  it('saves at once when the window closes, with its maximised state and normal bounds', () => {
    const { store } = storeWith();
    const window = new Window();
    store.track('supervisor', window);
    window.maximized = true;
    window.emit('close');
    const saved = JSON.parse(readFileSync(file(), 'utf8'));
    expect(saved.windows.supervisor[0]).toMatchObject({ bounds: { x: 100, y: 100, width: 1360, height: 860 }, maximized: true });
    expect(storeWith().store.placementFor('supervisor', { width: 1440, height: 900 })).toEqual({ bounds: { x: 100, y: 100, width: 1360, height: 860 }, maximized: true });
  });

  it('a corrupt file: default places and a logged warning (without the file’s text)', () => {
    writeFileSync(file(), 'garbage {');
    const { store, warn } = storeWith();
    expect(store.placementFor('operator', { width: 1360, height: 860 })).toEqual({ bounds: { x: 280, y: 90, width: 1360, height: 860 }, maximized: false });
    expect(warn).toHaveBeenCalledWith('window-state.damaged', { problem: 'not JSON' });
  });

  it('flush writes a pending change now (quitting)', () => {
    const { store } = storeWith();
    const window = new Window();
    store.track('operator', window);
    window.emit('resize');
    store.flush();
    expect(existsSync(file())).toBe(true);
  });
});
