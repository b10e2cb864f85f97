import { randomBytes } from 'node:crypto';
import { linkSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirError } from './data-dir';
import { errnoCode, StartupError } from './startup-error';

/** The lock file in every data folder a desk runs on. */
export const LOCK_FILE = 'desk.lock';

export type DeskHostKind = 'web' | 'electron';

/** What desk.lock holds (JSON). Checked by hand: start-up refusals load no schema library. */
export interface LockInfo {
  pid: number;
  host: DeskHostKind;
  startedAt: string;
  /** The holder's start time as the kernel counts it (Linux `/proc/PID/stat` field 22): tells a reused PID apart. */
  processStart: string | null;
  /** `/proc/sys/kernel/random/boot_id` when the lock was taken: a lock from before a reboot is always stale. */
  bootId: string | null;
}

function asLockInfo(value: unknown): LockInfo | null {
  if (typeof value !== 'object' || value === null) return null;
  const { pid, host, startedAt, processStart, bootId } = value as Record<string, unknown>;
  const nullableString = (field: unknown) => field === null || typeof field === 'string';
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (host !== 'web' && host !== 'electron') return null;
  if (typeof startedAt !== 'string' || !nullableString(processStart) || !nullableString(bootId)) return null;
  return { pid, host, startedAt, processStart: processStart as string | null, bootId: bootId as string | null };
}

/** What the lock needs to know about processes (tests pass a fake). */
export interface ProcessProbe {
  /** True while a process with this PID exists (whoever owns it). */
  isAlive(pid: number): boolean;
  /** The process's start time in the kernel's own units, or null where it cannot be read. */
  startTime(pid: number): string | null;
  /** This boot's id, or null where there is none. */
  bootId(): string | null;
}

export const systemProcessProbe: ProcessProbe = {
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to another user. Anything but ESRCH counts as alive.
      return errnoCode(error) !== 'ESRCH';
    }
  },
  startTime(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields after it start at #3.
      const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
      return fields[22 - 3] ?? null;
    } catch {
      return null;
    }
  },
  bootId() {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      return null;
    }
  },
};

export interface DataDirLock {
  readonly path: string;
  /** The holder of a lock left behind by a desk that died (kill -9, power cut) and was replaced. */
  readonly replacedStale: LockInfo | 'unreadable' | null;
  /** Removes the lock if it is still this desk's. Never throws; safe to call twice. */
  release(): void;
}

const HOST_LABEL: Record<DeskHostKind, string> = { web: 'the browser host', electron: 'the desktop app' };

/** Another desk runs on this data folder. */
export class DataDirLockedError extends StartupError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `the data folder ${dataDir} is already in use by another desk (${HOST_LABEL[holder.host]}, PID ${holder.pid}, started ${localTime(holder.startedAt)}). ` +
        'Close that desk first, or start this one with another --data-dir.',
      'ELOCKED',
    );
    this.name = 'DataDirLockedError';
  }
}

const MAX_ATTEMPTS = 3;

/**
 * Takes `<dataDir>/desk.lock` for this process, so two desks (either host) never run on one
 * data folder. The lock file appears complete or not at all (written aside, then hard-linked
 * into place, which fails if one exists). A lock whose process is gone (kill -9, crash, a
 * reboot, or its PID now belongs to another program) is stale and replaced, so a crash never
 * blocks the next start. Throws DataDirLockedError when a live desk holds it, or a
 * StartupError when the folder refuses the file.
 */
export function acquireDataDirLock(
  dataDir: string,
  host: DeskHostKind,
  options: { probe?: ProcessProbe; now?: () => Date } = {},
): DataDirLock {
  const probe = options.probe ?? systemProcessProbe;
  const path = join(dataDir, LOCK_FILE);
  const mine: LockInfo = {
    pid: process.pid,
    host,
    startedAt: (options.now?.() ?? new Date()).toISOString(),
    processStart: probe.startTime(process.pid),
    bootId: probe.bootId(),
  };
  const content = `${JSON.stringify(mine)}\n`;
  let replacedStale: DataDirLock['replacedStale'] = null;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (createExclusive(dataDir, path, content)) {
      let released = false;
      return {
        path,
        replacedStale,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8') === content) unlinkSync(path);
          } catch {
            // Already gone, or the folder went away: nothing left to release.
          }
        },
      };
    }
    const existing = readExisting(dataDir, path);
    if (existing === null) continue; // removed between our attempt and the read: try again
    if (existing.info && holdsLive(existing.info, probe)) throw new DataDirLockedError(dataDir, existing.info);
    if (setAsideStale(path, existing.raw)) replacedStale = existing.info ?? 'unreadable';
  }
  throw new StartupError(`the data folder ${dataDir} is being locked by other desks starting at the same moment. Start this desk again in a few seconds.`, 'ELOCKED');
}

/** True if the lock file was created with `content`; false if one exists already. */
function createExclusive(dataDir: string, path: string, content: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(aside, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw dataDirError(dataDir, dataDir, error);
  }
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createWithoutLink(dataDir, path, content);
    throw dataDirError(dataDir, path, error);
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Nothing to clean.
    }
  }
}

/** File systems without hard links: O_EXCL create, then write (a crash in between leaves an unreadable, hence stale, lock). */
function createWithoutLink(dataDir: string, path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw dataDirError(dataDir, path, error);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readExisting(dataDir: string, path: string): { raw: string; info: LockInfo | null } | null {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw dataDirError(dataDir, path, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { raw, info: null };
  }
  return { raw, info: asLockInfo(parsed) };
}

function holdsLive(info: LockInfo, probe: ProcessProbe): boolean {
  const boot = probe.bootId();
  if (info.bootId !== null && boot !== null && info.bootId !== boot) return false;
  if (!probe.isAlive(info.pid)) return false;
  if (info.processStart !== null) {
    const started = probe.startTime(info.pid);
    if (started !== null && started !== info.processStart) return false;
  }
  return true;
}

/**
 * Moves a stale lock out of the way (rename is atomic, so two desks breaking the same stale
 * lock cannot both succeed). If what was moved is not the stale lock that was judged (a desk
 * took the lock in between), it is put back. True when the stale lock is gone.
 */
function setAsideStale(path: string, judged: string): boolean {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // gone already (another desk broke it): the next attempt sees the new state
  }
  try {
    if (readFileSync(aside, 'utf8') === judged) return true;
    try {
      linkSync(aside, path);
    } catch {
      // A third desk took the lock meanwhile; it stands.
    }
    return false;
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Nothing to clean.
    }
  }
}

/** `2026-12-05 17:30` in local time, or the raw text if it is not a date. */
function localTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
