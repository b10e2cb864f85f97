import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../src-shared/random/seeded-random';
import { DatabaseKeySource } from '../../cache/database-key';
import { CacheRepository } from '../../db/cache-repository';
import { checkIntegrity } from '../../db/open-database';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { createLogger } from '../../log/logger';
import { KeyFileSecretStore } from '../../secrets/key-file-secret-store';
import { BULK_KILL_POINTS, type BulkChildConfig } from './reliability-config';
import { runChild } from './reliability-runner';

// A new desk's first sync through the bulk path, SIGKILLed at random moments: after a page the
// worker wrote, in the index phase, just before and just after the swap, and from outside at a
// random step. After every kill cache.db is either the old file (being filled, no cursor, no
// cards) or the complete new one (every card, the export's cursor) — never a mix — and the next
// start finishes the job and removes the partial file.

const CHILD = fileURLToPath(new URL('./bulk-first-sync-child.ts', import.meta.url));
/** Kills in the fast subset (`npm test`); `RELIABILITY_KILLS=N` asks for more. */
const KILLS = Math.max(BULK_KILL_POINTS.length + 2, Math.round(Number(process.env.RELIABILITY_KILLS ?? 0) / 3));
const SEED = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PATIENTS = 12_000;
const CLINIC_SEED = 5;

describe('reliability: SIGKILL during a bulk first sync', () => {
  it(`leaves the old cache or the new one after each of ${KILLS} runs killed at random points, never a mix, and the next start completes it`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-bulk-reliability-'));
    console.warn(`bulk first sync reliability seed ${SEED} (replay with RELIABILITY_SEED=${SEED})`);
    const schedule = seededRandom(SEED);
    const base: Omit<BulkChildConfig, 'selfKill' | 'loader'> = { dataDir, patients: PATIENTS, seed: CLINIC_SEED };
    const states = { old: 0, new: 0 };

    /** What a kill left: exactly one of the two files, whole. */
    const check = (): 'old' | 'new' => {
      const { key } = new DatabaseKeySource(new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]))).load();
      const cache = CacheRepository.open({ path: join(dataDir, 'cache.db'), key, cacheSizeMb: 8 });
      try {
        checkIntegrity(cache.connection, 'cache', 'full');
        const cursor = cache.getCursor('patients');
        const fill = cache.fill();
        if (cursor === null) {
          expect({ cards: cache.count(), fill: fill?.state }).toEqual({ cards: 0, fill: 'filling' });
          return 'old';
        }
        expect({ cursor, cards: cache.count(), fill: fill?.state }).toEqual({ cursor: `demo1:${PATIENTS}`, cards: PATIENTS, fill: 'complete' });
        for (const index of [0, PATIENTS - 1, ...Array.from({ length: 20 }, () => Math.floor(schedule() * PATIENTS))]) {
          const card = syntheticPatient(index, CLINIC_SEED);
          expect(cache.getCard(card.misId)).toEqual(card);
          expect(cache.byPhone(card.phones[0]!.e164).map((found) => found.misId)).toContain(card.misId);
        }
        expect(cache.search(syntheticPatient(7, CLINIC_SEED).surname, { limit: 5, offset: 0 }).total).toBeGreaterThan(0);
        return 'new';
      } finally {
        cache.close();
      }
    };

    let kills = 0;
    const loaders = { thread: 0, process: 0 };
    const pointKills = new Map<string, number>();
    // Each point once (in a random order), then kills alternating from outside (at a random step)
    // and at a random point: `KILLS` in all.
    const order = [...BULK_KILL_POINTS].sort(() => schedule() - 0.5);
    const plan = Array.from({ length: KILLS }, (_, i) =>
      i < order.length ? order[i]! : i % 2 === 0 ? 'outside' : BULK_KILL_POINTS[Math.floor(schedule() * BULK_KILL_POINTS.length)]!,
    );
    try {
      for (const [runIndex, point] of plan.entries()) {
        // After a kill that left the new file, start over from an empty desk: the bulk path is what is under test.
        if (runIndex > 0 && states.new > 0) for (const name of ['cache.db', 'cache.db-wal', 'cache.db-shm']) rmSync(join(dataDir, name), { force: true });
        const selfKill =
          point === 'outside' ? null : { point, occurrence: point === 'bulk-page' ? 1 + Math.floor(schedule() * 2) : 1, delayMs: point === 'bulk-indexing' ? Math.floor(schedule() * 200) : 0 };
        // Either host's loader, at random: Electron's worker thread, the browser host's child process.
        const loader = schedule() < 0.5 ? 'thread' : 'process';
        loaders[loader] += 1;
        const run = await runChild(CHILD, { ...base, selfKill, loader }, point === 'outside' ? 1 + Math.floor(schedule() * 4) : null);
        expect(run.stderr).toBe('');
        if (run.code === null) {
          expect(run.done).toBe(false);
          kills += 1;
          if (selfKill) pointKills.set(selfKill.point, (pointKills.get(selfKill.point) ?? 0) + 1);
        } else {
          // A kill scheduled after the end (a page that never came twice, a step past DONE): a clean run.
          expect([run.code, run.done]).toEqual([0, true]);
        }
        states[check()] += 1;
      }
      const final = await runChild(CHILD, { ...base, selfKill: null, loader: 'process' }, null);
      expect([final.code, final.done, final.stderr]).toEqual([0, true, '']);
      expect(check()).toBe('new');
      expect(existsSync(join(dataDir, 'cache.db.loading'))).toBe(false);
      console.warn(`bulk first sync reliability: seed=${SEED} kills=${kills} of ${KILLS} runs (${[...pointKills].map(([p, n]) => `${p}=${n}`).join(' ')}; loader thread ${loaders.thread}×, process ${loaders.process}×); after each run: old file ${states.old}×, new file ${states.new}×, never a mix`);
      // Every point was reached and killed at (a kill is certain at each but a second page).
      for (const point of BULK_KILL_POINTS.filter((name) => name !== 'bulk-page')) expect(pointKills.get(point), point).toBeGreaterThan(0);
      expect(states.old).toBeGreaterThan(0);
      expect(states.new).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
