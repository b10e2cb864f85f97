import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, systemProcessProbe, type LockInfo } from './data-dir-lock';
import { EXIT_REFUSED, StartupError } from './startup-error';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockPath = () => join(dir, LOCK_FILE);
const readLock = () => JSON.parse(readFileSync(lockPath(), 'utf8')) as LockInfo;

function writeLock(info: Partial<LockInfo>): void {
  const base: LockInfo = {
    pid: process.pid,
    host: 'web',
    startedAt: '2026-12-05T08:00:00.000Z',
    processStart: systemProcessProbe.startTime(process.pid),
    bootId: systemProcessProbe.bootId(),
  };
  writeFileSync(lockPath(), JSON.stringify({ ...base, ...info }));
}

/** The PID of a process that has just exited (a desk killed with -9). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('acquireDataDirLock', () => {
  it('writes the desk.lock with this PID and host, private to the user, and removes it on release', () => {
    const lock = acquireDataDirLock(dir, 'web');
    expect(readLock()).toMatchObject({ pid: process.pid, host: 'web' });
    expect(statSync(lockPath()).mode & 0o077).toBe(0);
    expect(lock.replacedStale).toBeNull();
    lock.release();
    expect(existsSync(lockPath())).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a second desk on the same folder with a line naming the holder and what to do', () => {
    const first = acquireDataDirLock(dir, 'electron', { now: () => new Date(2026, 11, 5, 8, 30) });
    let refused: unknown;
    try {
      acquireDataDirLock(dir, 'web');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as StartupError).exitCode).toBe(EXIT_REFUSED);
    expect((refused as Error).message).toBe(
      `the data folder ${dir} is already in use by another desk (the desktop app, PID ${process.pid}, started 2026-12-05 08:30). ` +
        'Close that desk first, or start this one with another --data-dir.',
    );
    // The refused desk left the holder's lock as it was.
    expect(readLock()).toMatchObject({ pid: process.pid, host: 'electron' });
    first.release();
    const again = acquireDataDirLock(dir, 'web');
    expect(readLock().host).toBe('web');
    again.release();
  });

  it('replaces the lock of a desk that was killed (its PID is gone)', async () => {
    const pid = await deadPid();
    writeLock({ pid, processStart: null });
    const lock = acquireDataDirLock(dir, 'web');
    expect(lock.replacedStale).toMatchObject({ pid });
    expect(readLock().pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    lock.release();
  });

  it('replaces a lock whose PID now belongs to another program (start time differs)', () => {
    writeLock({ processStart: 'started-at-another-time' });
    const lock = acquireDataDirLock(dir, 'web', {
      probe: { ...systemProcessProbe, startTime: (pid) => (pid === process.pid ? 'now' : null), bootId: () => 'boot-1' },
    });
    expect(lock.replacedStale).toMatchObject({ pid: process.pid, processStart: 'started-at-another-time' });
    lock.release();
  });

  it('replaces a lock taken before a reboot, even if its PID is alive again', () => {
    writeLock({ bootId: 'the-boot-before' });
    const lock = acquireDataDirLock(dir, 'web', { probe: { isAlive: () => true, startTime: () => null, bootId: () => 'this-boot' } });
    expect(lock.replacedStale).toMatchObject({ bootId: 'the-boot-before' });
    lock.release();
  });

  it('replaces an unreadable lock file instead of refusing forever', () => {
    writeFileSync(lockPath(), '{"pid": 12');
    const lock = acquireDataDirLock(dir, 'web');
    expect(lock.replacedStale).toBe('unreadable');
    expect(readLock().pid).toBe(process.pid);
    lock.release();
  });

  it('never probes PID 0 or a negative PID from a tampered lock (that would signal a process group): unreadable, replaced', () => {
    for (const pid of [0, -1]) {
      writeLock({ pid });
      const lock = acquireDataDirLock(dir, 'web', { probe: { isAlive: () => true, startTime: () => null, bootId: () => null } });
      expect(lock.replacedStale).toBe('unreadable');
      lock.release();
    }
  });

  it('does not remove a lock that is no longer its own on release', () => {
    const lock = acquireDataDirLock(dir, 'web');
    writeLock({ host: 'electron', startedAt: '2026-12-05T09:00:00.000Z' });
    lock.release();
    expect(readLock().host).toBe('electron');
  });

  it('says which folder refuses the lock file when the data folder is not writable', () => {
    let refused: unknown;
    try {
      acquireDataDirLock('/proc', 'web');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StartupError);
    expect(refused).not.toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain('the data folder /proc does not accept new files');
  });
});
