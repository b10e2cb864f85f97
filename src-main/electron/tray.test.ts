import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createFakeElectron } from './testing/fake-electron';
import { createDeskTray, trayMenuTemplate, trayTooltip, type TrayActions, type TrayElectron, type TrayView } from './tray';
import { TRAY_ICONS } from './tray-icons';
import { TRAY_LABELS } from './tray-labels';

const view = (overrides: Partial<TrayView> = {}): TrayView => ({
  desk: { state: 'registered' },
  language: 'ru',
  pauseReasons: ['Обед', 'Перерыв'],
  canSetStatus: true,
  ...overrides,
});
const actions = () => ({ show: vi.fn<TrayActions['show']>(), setStatus: vi.fn<TrayActions['setStatus']>(), quit: vi.fn<TrayActions['quit']>() });

describe('trayMenuTemplate', () => {
  it('state, Show, Ready and each pause reason (the current one checked), Quit — each doing its one thing', () => {
    const act = actions();
    const items = trayMenuTemplate(view({ desk: { state: 'paused', reason: 'Перерыв' } }), act);
    expect(items.map((item) => [item.label ?? item.type, item.checked ?? null])).toEqual([
      ['Регистратура — пауза: Перерыв', null],
      ['separator', null],
      ['Показать окно', null],
      ['separator', null],
      ['Готов', false],
      ['Пауза: Обед', false],
      ['Пауза: Перерыв', true],
      ['separator', null],
      ['Выйти из программы', null],
    ]);
    expect(items[0]?.enabled).toBe(false);
    for (const item of items) item.click?.();
    expect(act.show).toHaveBeenCalledTimes(1);
    expect(act.quit).toHaveBeenCalledTimes(1);
    expect(act.setStatus.mock.calls).toEqual([[{ state: 'ready' }], [{ state: 'paused', reason: 'Обед' }], [{ state: 'paused', reason: 'Перерыв' }]]);
  });

  it('without a PBX link or agent extension the status items are disabled', () => {
    const items = trayMenuTemplate(view({ canSetStatus: false, desk: { state: 'offline' } }), actions());
    expect(items.filter((item) => item.type === 'radio').every((item) => item.enabled === false)).toBe(true);
    expect(items.find((item) => item.id === 'quit')?.enabled).not.toBe(false);
  });

  it('says each state in both languages', () => {
    expect(trayTooltip(view({ desk: { state: 'reconnecting' } }))).toBe('Регистратура — переподключение к АТС…');
    expect(trayTooltip(view({ desk: { state: 'paused', reason: null } }))).toBe('Регистратура — пауза');
    expect(trayTooltip(view({ language: 'en', desk: { state: 'offline' } }))).toBe('Registratura — no PBX connection');
    expect(Object.keys(TRAY_LABELS.ru).sort()).toEqual(Object.keys(TRAY_LABELS.en).sort());
  });
});

describe('createDeskTray', () => {
  const electronOf = () => {
    const fake = createFakeElectron();
    return { fake, electron: { Tray: fake.Tray, Menu: fake.Menu, nativeImage: fake.nativeImage } as unknown as TrayElectron };
  };

  it('shows the state as its icon (both resolutions) and tooltip, and the window on a click', () => {
    const { fake, electron } = electronOf();
    const act = actions();
    createDeskTray(electron, act, view(), { warn: vi.fn() });
    const tray = fake.Tray.instances[0]!;
    expect(tray.image.source).toBe(TRAY_ICONS.registered.x1);
    expect(tray.image.representations).toEqual([{ scaleFactor: 2, dataURL: TRAY_ICONS.registered.x2 }]);
    expect(tray.tooltip).toBe('Регистратура — на связи');
    tray.emit('click');
    expect(act.show).toHaveBeenCalled();
  });

  it('rebuilds only when the view changed, and on refresh (a radio item clicked before the PBX agreed)', () => {
    const { fake, electron } = electronOf();
    const tray = createDeskTray(electron, actions(), view(), { warn: vi.fn() })!;
    expect(fake.Menu.buildFromTemplate).toHaveBeenCalledTimes(1);
    tray.render(view());
    expect(fake.Menu.buildFromTemplate).toHaveBeenCalledTimes(1);
    tray.render(view({ desk: { state: 'offline' } }));
    expect(fake.Menu.buildFromTemplate).toHaveBeenCalledTimes(2);
    expect(fake.Tray.instances[0]!.image.source).toBe(TRAY_ICONS.offline.x1);
    tray.refresh();
    expect(fake.Menu.buildFromTemplate).toHaveBeenCalledTimes(3);
  });

  it('no tray on this platform: null and a warning (the window then closes for real)', () => {
    const warn = vi.fn();
    const electron = {
      Tray: class {
        constructor() {
          throw new Error('no status notifier');
        }
      },
      Menu: { buildFromTemplate: vi.fn() },
      nativeImage: createFakeElectron().nativeImage,
    } as unknown as TrayElectron;
    expect(createDeskTray(electron, actions(), view(), { warn })).toBeNull();
    expect(warn).toHaveBeenCalledWith('tray.unavailable', expect.anything());
  });
});

describe('tray icons', () => {
  it('the icons main loads are the PNGs in resources/tray, byte for byte (make-tray-icons.mjs wrote both)', () => {
    for (const [state, { x1, x2 }] of Object.entries(TRAY_ICONS)) {
      for (const [url, file] of [
        [x1, `${state}.png`],
        [x2, `${state}@2x.png`],
      ] as const) {
        const bytes = readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'tray', file));
        expect(url, file).toBe(`data:image/png;base64,${bytes.toString('base64')}`);
        expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
      }
    }
  });
});
