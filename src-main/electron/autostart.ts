import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/log/logger';
import { prepareDataDir } from '../core/startup/data-dir';

/** The XDG autostart entry's file name (Linux). */
export const LINUX_AUTOSTART_FILE = 'registratura.desktop';

/** Electron's `app`, reduced to its login items (Windows and macOS). */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface AutostartTarget {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** The program to start: the installed executable (an AppImage's own path on Linux when there is one). */
  executable: string;
  /** The desk's own arguments to start with (IT's `--config`, `--data-dir`), so the autostarted desk is the same desk. */
  args: readonly string[];
  /** Linux: the XDG autostart folder (`$XDG_CONFIG_HOME/autostart`, `~/.config/autostart`). */
  linuxAutostartDir: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * One argument of a desktop entry's `Exec` line, as the Desktop Entry Specification asks: `%`
 * doubled (field codes), quoted when it holds a reserved character (`"`, `` ` ``, `$`, `\`
 * escaped inside the quotes), then every backslash doubled again for the string value.
 */
export function desktopExecArgument(argument: string): string {
  const escaped = argument.replace(/%/g, '%%');
  if (!/[\s"'\\><~|&;$*?#()`]/u.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/gu, '\\$1')}"`.replace(/\\/gu, '\\\\');
}

/** The XDG autostart entry that starts the desk at login (Linux). */
export function linuxAutostartEntry(executable: string, args: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Registratura',
    `Exec=${[executable, ...args].map(desktopExecArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Starts the desk with the OS, or stops doing so (`desktop.autostart`): a login item on Windows
 * (with the desk's arguments) and macOS, an XDG autostart entry on Linux, where Electron has no
 * login items. A failure is a warning: the setting stays, the desk runs on.
 */
export function applyAutostart(enabled: boolean, target: AutostartTarget): void {
  try {
    if (target.platform === 'linux') {
      const file = join(target.linuxAutostartDir, LINUX_AUTOSTART_FILE);
      if (enabled) {
        // Not Node's recursive mkdir: it loops forever under a parent that refuses new entries (/proc).
        prepareDataDir(target.linuxAutostartDir);
        writeFileSync(file, linuxAutostartEntry(target.executable, target.args), { mode: 0o644 });
      } else {
        rmSync(file, { force: true });
      }
    } else if (target.platform === 'win32') {
      target.app.setLoginItemSettings({ openAtLogin: enabled, path: target.executable, args: [...target.args] });
    } else {
      target.app.setLoginItemSettings({ openAtLogin: enabled });
    }
    target.logger.info('autostart.applied', { enabled, platform: target.platform });
  } catch (error) {
    target.logger.warn('autostart.failed', { enabled, platform: target.platform, error });
  }
}
