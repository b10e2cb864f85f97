import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoMis } from '../../connectors/demo/demo-mis';
import { MisError, type MisConnector, type MisFullExport } from '../../connectors/mis/mis-connector';
import { CacheRepository } from '../../db/cache-repository';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { PATIENTS_STREAM } from '../pull-sync';
import { BulkFirstSyncCancelled, BulkLoadFailed, runBulkFirstSync, type BulkFirstSyncProgress } from './bulk-first-sync';
import type { BulkLoadWorkerFactory } from './bulk-load-worker-entry';

// The bulk path end to end with the real worker thread (its TypeScript source run by Node with the
// repo's hooks): the demo MIS's export in pages → validation and the bulk loader on the worker →
// a complete snapshot carrying its cursor and meta rows, or no file at all.

let dir: string;
const key = randomBytes(32);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-bulk-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const meta = () => CacheRepository.snapshotMeta({ state: 'complete', reason: 'new', startedAt: '2026-12-06T10:00:00.000Z', completedAt: '2026-12-06T10:01:00.000Z', setAside: null }, 'demo');

/** A connector whose export is `pages` (raw cards), failing or pausing where a test says. */
function exportOf(pages: unknown[][], options: { cursor?: string; failAt?: number; gate?: Promise<void> } = {}): MisConnector {
  return {
    fullExport: async (): Promise<MisFullExport> => {
      let at = 0;
      return {
        cursor: options.cursor ?? 'test1:99',
        total: pages.reduce((sum, page) => sum + page.length, 0),
        next: async () => {
          if (at === options.failAt) throw new MisError('unreachable', 'The MIS went away mid-export.');
          if (at === 1 && options.gate) await options.gate;
          const cards = pages[at] ?? [];
          at += 1;
          return { cards, done: at >= pages.length };
        },
      };
    },
  } as unknown as MisConnector;
}

describe('runBulkFirstSync', () => {
  it('writes every card of the demo MIS export into a snapshot that carries the export cursor and the fill record, and deltas continue from that cursor', async () => {
    const mis = new DemoMis({ patients: 3_000, seed: 7 });
    mis.editPatient('1000010', { surname: 'Изменённая' });
    const progress: BulkFirstSyncProgress[] = [];
    const path = join(dir, 'cache.db.loading');
    const result = await runBulkFirstSync({ connector: mis, snapshotPath: path, key, meta, pageSize: 500, minCards: 0, onProgress: (p) => progress.push(p) });
    expect(result).not.toBeNull();
    expect(result!.cards).toBe(3_000);
    const repo = CacheRepository.open({ path, key });
    try {
      expect(repo.count()).toBe(3_000);
      expect(repo.getCursor(PATIENTS_STREAM)).toBe(result!.cursor);
      expect(repo.fill()?.state).toBe('complete');
      expect(repo.misIdentity()).toBe('demo');
      // The changed card in its current state; an untouched one found by its phone.
      expect(repo.getCard('1000010')?.surname).toBe('Изменённая');
      const sample = syntheticPatient(2_500, 7);
      expect(repo.byPhone(sample.phones[0]!.e164).map((card) => card.misId)).toContain(sample.misId);
      expect(repo.search(sample.surname, { limit: 50, offset: 0 }).total).toBeGreaterThan(0);
      // The change log after the export's cursor is empty: the deltas start exactly there.
      const after = await mis.changesSince(result!.cursor, 100);
      expect(after.cards).toHaveLength(0);
    } finally {
      repo.close();
      mis.close();
    }
    expect(progress.filter((p) => p.stage === 'loading').map((p) => p.received)).toEqual([500, 1_000, 1_500, 2_000, 2_500, 3_000]);
    expect(progress.at(-1)).toMatchObject({ stage: 'indexing', received: 3_000, total: 3_000 });
  });

  it('keeps a card the schema refuses in the new file\'s quarantine with the reason, and loads the rest', async () => {
    const good = [syntheticPatient(0, 3), syntheticPatient(1, 3)];
    const bad = { ...syntheticPatient(2, 3), birthDate: '31.02.1980' };
    // Not even JSON (a BigInt): refused on its own, never taking its page with it.
    const unreadable = { ...syntheticPatient(3, 3), version: 10n };
    const path = join(dir, 'cache.db.loading');
    const result = await runBulkFirstSync({ connector: exportOf([[good[0], bad], [unreadable, good[1]]]), snapshotPath: path, key, meta, minCards: 0 });
    expect(result).toMatchObject({ cards: 2, quarantined: 2 });
    const repo = CacheRepository.open({ path, key });
    try {
      const refused = repo.quarantined(10);
      expect(refused.total).toBe(2);
      expect(refused.items.map((item) => item.reason).join('\n')).toMatch(/card \d+: birthDate: /);
      expect(refused.items.map((item) => item.reason).join('\n')).not.toContain('31.02.1980');
    } finally {
      repo.close();
    }
  });

  it('leaves no file and changes nothing when the MIS fails mid-export, when cancelled, or when the worker dies', async () => {
    const pages = [[syntheticPatient(0, 3)], [syntheticPatient(1, 3)], [syntheticPatient(2, 3)]];
    const path = join(dir, 'cache.db.loading');
    await expect(runBulkFirstSync({ connector: exportOf(pages, { failAt: 2 }), snapshotPath: path, key, meta, minCards: 0 })).rejects.toMatchObject({ kind: 'unreachable' });
    expect(existsSync(path)).toBe(false);

    const abort = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cancelled = runBulkFirstSync({ connector: exportOf(pages, { gate }), snapshotPath: path, key, meta, minCards: 0, signal: abort.signal });
    await expect.poll(() => existsSync(path), { timeout: 20_000 }).toBe(true);
    abort.abort();
    release();
    await expect(cancelled).rejects.toBeInstanceOf(BulkFirstSyncCancelled);
    expect(existsSync(path)).toBe(false);

    const dying: BulkLoadWorkerFactory = () => {
      let exit: (detail: string) => void = () => undefined;
      return {
        post: () => queueMicrotask(() => exit('exit code 1')),
        onMessage: () => undefined,
        onExit: (listener) => (exit = listener),
        terminate: async () => undefined,
      };
    };
    await expect(runBulkFirstSync({ connector: exportOf(pages), snapshotPath: path, key, meta, minCards: 0, worker: dying })).rejects.toBeInstanceOf(BulkLoadFailed);
    expect(existsSync(path)).toBe(false);
  });

  it('closes a small export unread and answers null: a small clinic pages instead', async () => {
    let closed = false;
    const connector = {
      fullExport: async () => ({ cursor: 'x', total: 10, next: async () => ({ cards: [], done: true }), close: () => (closed = true) }),
    } as unknown as MisConnector;
    expect(await runBulkFirstSync({ connector, snapshotPath: join(dir, 'x.loading'), key, meta, minCards: 50_000 })).toBeNull();
    expect(closed).toBe(true);
  });
});
