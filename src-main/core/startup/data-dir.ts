import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoCode, StartupError } from './startup-error';

/** What the data-folder checks need from node:fs (tests pass a failing one). */
export interface DataDirFs {
  statSync(path: string): { isDirectory(): boolean };
  mkdirSync(path: string, options: { mode: number }): unknown;
}

const nodeFs: DataDirFs = { statSync, mkdirSync };

/** The hint every data-folder refusal ends with. */
const USE_ANOTHER = 'Start the desk with --data-dir set to a folder this user can write (it is created if missing).';

/**
 * Makes sure `dataDir` is a folder, creating it and any missing parents (mode 0700), or
 * throws a StartupError that says what is wrong with it. One mkdir per missing path part and
 * no retries: Node's own `mkdirSync(…, {recursive: true})` loops forever where a parent
 * exists but refuses new entries with ENOENT (`/proc/x`), so it is not used here.
 */
export function prepareDataDir(dataDir: string, fs: DataDirFs = nodeFs): void {
  const target = resolve(dataDir);
  // Walk up to the nearest part that exists; bounded by the number of path parts.
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const state = inspect(fs, current);
    if (state === 'directory') break;
    if (state === 'other') throw notAFolder(target, current);
    if (state !== 'missing') throw refused(target, current, state.error);
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break; // the root itself is missing: mkdir will say why
    current = parent;
  }
  for (const path of missing) {
    try {
      fs.mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      const code = errnoCode(error);
      // Created meanwhile by someone else: fine if it is a folder now.
      if (code === 'EEXIST' && inspect(fs, path) === 'directory') continue;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw notAFolder(target, path);
      throw refused(target, path, error);
    }
  }
}

type Inspected = 'directory' | 'other' | 'missing' | { error: unknown };

function inspect(fs: DataDirFs, path: string): Inspected {
  try {
    return fs.statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = errnoCode(error);
    // ENOTDIR: a parent is a file; walking up finds it and names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return { error };
  }
}

function notAFolder(target: string, path: string): StartupError {
  const what = path === target ? `the data folder ${target} is a file, not a folder.` : `the data folder ${target} cannot be created: ${path} is a file, not a folder.`;
  return new StartupError(`${what} ${USE_ANOTHER}`, 'ENOTDIR');
}

/**
 * A problem with the data folder (or a file the desk must create in it) as one line: what is
 * wrong, where, and what to do. Used for mkdir, the lock file and the first writes.
 */
export function dataDirError(dataDir: string, path: string, error: unknown): StartupError {
  return refused(resolve(dataDir), path, error, 'file');
}

function refused(target: string, path: string, error: unknown, creating: 'folder' | 'file' = 'folder'): StartupError {
  const code = errnoCode(error);
  const where = path === target ? '' : ` (at ${path})`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new StartupError(`the data folder ${target} is not writable by this user${where}: permission denied (${code}). ${USE_ANOTHER}`, code);
    case 'EROFS':
      return new StartupError(`the data folder ${target} is on a read-only file system${where}. ${USE_ANOTHER}`, code);
    case 'ENOSPC':
    case 'EDQUOT':
      return new StartupError(`no space left for the data folder ${target}${where} (${code}). Free some disk space, or start with --data-dir on another disk.`, code);
    case 'ENOENT':
      // A parent that exists yet says "no such file" to a new entry: /proc, /sys, a vanished mount.
      return new StartupError(
        creating === 'folder'
          ? `the data folder ${target} cannot be created: ${dirname(path)} does not accept new folders (it is not an ordinary folder). ${USE_ANOTHER}`
          : `the data folder ${target} does not accept new files (it is not an ordinary folder). ${USE_ANOTHER}`,
        code,
      );
    case 'ENAMETOOLONG':
      return new StartupError(`the data folder path ${target} is too long. ${USE_ANOTHER}`, code);
    case 'ELOOP':
      return new StartupError(`the data folder ${target} goes through a loop of symbolic links${where}. ${USE_ANOTHER}`, code);
    default:
      return new StartupError(
        `the data folder ${target} cannot be used${where}: ${code ?? (error as Error | null)?.message ?? String(error)}. ${USE_ANOTHER}`,
        code,
      );
  }
}
