import { resolve } from 'node:path';

export interface DeskArgs {
  /** IT provisioning file (`--config FILE`), absolute, or null. */
  configPath: string | null;
  /** Data folder override (`--data-dir DIR`), absolute, or null for app.getPath('userData'). */
  dataDir: string | null;
}

export class DeskUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeskUsageError';
  }
}

const OPTIONS = { '--config': 'configPath', '--data-dir': 'dataDir' } as const;

/**
 * Reads `--config FILE` and `--data-dir DIR` (or `--name=value`) from Electron's argv. Every
 * other argument is ignored on purpose: Electron, Chromium and Playwright put their own
 * switches (`--inspect=0`, `--remote-debugging-port=0`, the app path) into the same argv.
 */
export function parseDeskArgs(argv: readonly string[], cwd: string = process.cwd()): DeskArgs {
  const result: DeskArgs = { configPath: null, dataDir: null };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const [flag, inline] = argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (!Object.hasOwn(OPTIONS, flag)) continue;
    const key = OPTIONS[flag as keyof typeof OPTIONS];
    let value = inline;
    if (value === undefined) {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new DeskUsageError(`${flag} needs a value: ${flag} ${key === 'configPath' ? 'FILE' : 'DIR'}`);
    }
    result[key] = resolve(cwd, value);
  }
  return result;
}
