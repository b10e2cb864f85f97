import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoMis } from '../../connectors/demo/demo-mis';
import { CacheRepository } from '../../db/cache-repository';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { PATIENTS_STREAM } from '../pull-sync';
import { BulkFirstSyncCancelled, runBulkFirstSync } from './bulk-first-sync';
import { childProcessBulkLoader } from './bulk-load-worker-entry';

// The browser host's bulk loader: the same program as the worker thread's, in a child process of
// its own (its TypeScript source run by Node with the repo's hooks), so the load's memory leaves
// with it. What a desk needs from it: the same complete file, a cancel that leaves nothing, and
// no writer left behind when the desk itself is killed.

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
const key = randomBytes(32);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-bulk-child-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const meta = () => CacheRepository.snapshotMeta({ state: 'complete', reason: 'new', startedAt: '2026-12-06T10:00:00.000Z', completedAt: '2026-12-06T10:01:00.000Z', setAside: null }, 'demo');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the bulk loader in a child process', () => {
  it('writes the whole export into a snapshot carrying its cursor, and the process is gone after it', async () => {
    const mis = new DemoMis({ patients: 2_000, seed: 11 });
    const path = join(dir, 'cache.db.loading');
    const pids: number[] = [];
    try {
      const result = await runBulkFirstSync({
        connector: mis,
        snapshotPath: path,
        key,
        meta,
        pageSize: 500,
        minCards: 0,
        worker: (data) => {
          const worker = childProcessBulkLoader(data);
          if (worker.pid !== undefined) pids.push(worker.pid);
          return worker;
        },
      });
      expect(result).toMatchObject({ cards: 2_000, quarantined: 0 });
      const repo = CacheRepository.open({ path, key });
      try {
        expect(repo.count()).toBe(2_000);
        expect(repo.getCursor(PATIENTS_STREAM)).toBe(result!.cursor);
        const sample = syntheticPatient(1_500, 11);
        expect(repo.byPhone(sample.phones[0]!.e164).map((card) => card.misId)).toContain(sample.misId);
      } finally {
        repo.close();
      }
    } finally {
      mis.close();
    }
    expect(pids).toHaveLength(1);
    await expect.poll(() => alive(pids[0]!), { timeout: 10_000 }).toBe(false);
  });

  it('cancelled: the partial file is removed and the process ends', async () => {
    const path = join(dir, 'cache.db.loading');
    const pages = [[syntheticPatient(0, 3)], [syntheticPatient(1, 3)]];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let at = 0;
    const connector = {
      fullExport: async () => ({
        cursor: 'test1:9',
        total: 2,
        next: async () => {
          if (at === 1) await gate;
          return { cards: pages[at] ?? [], done: ++at >= pages.length };
        },
      }),
    } as unknown as Parameters<typeof runBulkFirstSync>[0]['connector'];
    const abort = new AbortController();
    const pids: number[] = [];
    const run = runBulkFirstSync({
      connector,
      snapshotPath: path,
      key,
      meta,
      minCards: 0,
      signal: abort.signal,
      worker: (data) => {
        const worker = childProcessBulkLoader(data);
        if (worker.pid !== undefined) pids.push(worker.pid);
        return worker;
      },
    });
    await expect.poll(() => existsSync(path), { timeout: 20_000 }).toBe(true);
    abort.abort();
    release();
    await expect(run).rejects.toBeInstanceOf(BulkFirstSyncCancelled);
    expect(existsSync(path)).toBe(false);
    await expect.poll(() => alive(pids[0]!), { timeout: 10_000 }).toBe(false);
  });

  it('ends by itself when its desk is killed mid-load: no writer outlives the desk', async () => {
    // A desk (a Node process with the repo's hooks) starts a load and reports the loader's PID;
    // then it is killed with SIGKILL, as the reliability suite kills desks.
    const desk = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', join(here, '..', 'reliability', 'register-ts.mjs'), join(here, 'bulk-load-child-desk.fixture.ts'), join(dir, 'cache.db.loading')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    desk.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    desk.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    try {
      await expect.poll(() => /loader (\d+) loading/.test(out) || err.length > 0, { timeout: 30_000 }).toBe(true);
      expect(err).toBe('');
      const loader = Number(/loader (\d+)/.exec(out)![1]);
      expect(alive(loader)).toBe(true);
      desk.kill('SIGKILL');
      await expect.poll(() => alive(loader), { timeout: 10_000 }).toBe(false);
    } finally {
      if (desk.exitCode === null && desk.signalCode === null) desk.kill('SIGKILL');
    }
  });
});
