import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyAutostart, desktopExecArgument, LINUX_AUTOSTART_FILE, linuxAutostartEntry, type AutostartTarget } from './autostart';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'autostart-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function target(platform: NodeJS.Platform, overrides: Partial<AutostartTarget> = {}) {
  const app = { setLoginItemSettings: vi.fn() };
  const logger = { info: vi.fn(), warn: vi.fn() };
  return {
    app,
    logger,
    target: {
      platform,
      app,
      executable: 'C:\\Program Files\\Registratura\\Registratura.exe',
      args: ['--config', 'C:\\ProgramData\\Registratura\\desk.json'],
      linuxAutostartDir: join(dir, 'autostart'),
      logger,
      ...overrides,
    } satisfies AutostartTarget,
  };
}

describe('applyAutostart', () => {
  it('Windows: a login item that starts the installed desk with IT’s arguments', () => {
    const { app, target: t } = target('win32');
    applyAutostart(true, t);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, path: t.executable, args: ['--config', 'C:\\ProgramData\\Registratura\\desk.json'] });
    applyAutostart(false, t);
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith(expect.objectContaining({ openAtLogin: false }));
  });

  it('macOS: a login item', () => {
    const { app, target: t } = target('darwin');
    applyAutostart(true, t);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
  });

  it('Linux: an XDG autostart entry, written and removed; no login item', () => {
    const { app, target: t } = target('linux', { executable: '/opt/Registratura/registratura', args: ['--data-dir', '/home/op/Registratura data'] });
    const file = join(dir, 'autostart', LINUX_AUTOSTART_FILE);
    applyAutostart(true, t);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/opt/Registratura/registratura --data-dir "/home/op/Registratura data"\n');
    applyAutostart(false, t);
    expect(existsSync(file)).toBe(false);
    applyAutostart(false, t);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('a failure is a warning, never a crash', () => {
    const { logger, target: t } = target('linux', { linuxAutostartDir: '/proc/registratura-autostart' });
    expect(() => applyAutostart(true, t)).not.toThrow();
    expect(logger.warn).toHaveBeenCalledWith('autostart.failed', expect.objectContaining({ enabled: true, platform: 'linux' }));
  });
});

describe('desktop entry quoting', () => {
  it.each([
    ['/opt/app', '/opt/app'],
    ['--config=/etc/desk.json', '--config=/etc/desk.json'],
    ['/home/op/my desk', '"/home/op/my desk"'],
    ['100%', '100%%'],
    ['a"b', '"a\\\\"b"'],
    ['$HOME', '"\\\\$HOME"'],
    ['back\\slash', '"back\\\\\\\\slash"'],
  ])('%s → %s', (argument, quoted) => {
    expect(desktopExecArgument(argument)).toBe(quoted);
  });

  it('is a complete entry', () => {
    expect(linuxAutostartEntry('/opt/app', [])).toBe('[Desktop Entry]\nType=Application\nName=Registratura\nExec=/opt/app\nTerminal=false\nX-GNOME-Autostart-enabled=true\n');
  });
});
