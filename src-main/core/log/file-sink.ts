import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
// electron-log's Node entry: its file transport without Electron (the core never imports
// electron). `.js` because the package has no exports map and the built hosts are ES modules.
import electronLog from 'electron-log/node.js';
import type { LogSink } from './logger';

/** A log file is rotated once it passes this size (5 MB). */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept beside the current one (`desk.1.log` newest … `desk.4.log` oldest). */
export const LOG_KEEP = 4;

export interface FileSinkOptions {
  /** Size after which the file is rotated (default {@link LOG_MAX_BYTES}). */
  maxBytes?: number;
  /** Rotated files kept (default {@link LOG_KEEP}); older ones are deleted. */
  keep?: number;
}

/** The name of rotated file `n` (1 = newest) of `path`: `desk.log` → `desk.1.log`. */
export function rotatedLogPath(path: string, n: number): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${n}${ext}`);
}

/**
 * The log file at `path` and its rotated files that exist, newest first (the current file,
 * then `.1`, `.2` …): what a diagnostics bundle takes.
 */
export function logFilesOf(path: string): string[] {
  const ext = extname(path);
  const stem = basename(path, ext);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{1,3})${escapeRegExp(ext)}$`);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const rotated = names
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1] ?? NaN) }))
    .filter((entry) => Number.isInteger(entry.n) && entry.n > 0)
    .sort((a, b) => a.n - b.n)
    .map((entry) => join(dirname(path), entry.name));
  return [...(existsSync(path) ? [path] : []), ...rotated];
}

/**
 * One JSON object a line, appended to `path` through electron-log's file transport (folder
 * 0700, files 0600), rotated by size: past `maxBytes` the file becomes `<name>.1<ext>`, the
 * older ones move up one, and the `keep`-th is deleted. Writes are synchronous, so a line is on
 * disk before the desk goes on (a crash right after still leaves its last line). Records come
 * already redacted (`createLogger`); nothing here looks at their content.
 */
export function fileSink(path: string, options: FileSinkOptions = {}): LogSink {
  const file = resolve(path);
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? LOG_KEEP);
  const logger = electronLog.create({ logId: `registratura:${file}` });
  // Only the file: no console (stdout is the browser host's ready line), no IPC, no remote.
  for (const transport of Object.values(logger.transports)) {
    if (transport) transport.level = false;
  }
  const transport = logger.transports.file;
  // electron-log names its default folder after the app; we give the path ourselves, but it
  // still asks for the name once, and would drop lines if no package.json told it.
  transport.setAppName('registratura');
  transport.resolvePathFn = () => file;
  transport.level = 'debug';
  transport.maxSize = maxBytes;
  transport.sync = true;
  transport.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  // The line is ours, as it is: electron-log's own format would prefix a date and level.
  transport.transforms = [({ data }) => String(data[0])];
  transport.archiveLogFn = (current) => {
    try {
      rotate(file, keep);
    } catch {
      // Cannot rename (another program holds the file open on Windows): keep the newest quarter
      // (electron-log's File has `crop`, its typings do not say so; `clear` if it ever goes).
      const file = current as typeof current & { crop?: (bytesAfter: number) => void };
      if (file.crop) file.crop(Math.min(Math.round(maxBytes / 4), 256 * 1024));
      else file.clear();
    }
  };
  let ready = false;
  return (record) => {
    if (!ready) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      ready = true;
    }
    logger[record.level](JSON.stringify(record));
  };
}

function rotate(file: string, keep: number): void {
  rmSync(rotatedLogPath(file, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    const from = rotatedLogPath(file, n);
    if (existsSync(from)) renameSync(from, rotatedLogPath(file, n + 1));
  }
  renameSync(file, rotatedLogPath(file, 1));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
