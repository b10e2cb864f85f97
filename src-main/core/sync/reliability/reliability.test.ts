import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../../src-shared/patients/patient-card';
import { seededRandom } from '../../../../src-shared/random/seeded-random';
import { DemoMis } from '../../connectors/demo/demo-mis';
import { CacheRepository } from '../../db/cache-repository';
import { checkIntegrity } from '../../db/open-database';
import { openJournalDatabase } from '../../journal/open-journal';
import { NOTES_TABLE, SELF_KILL_POINTS, type ReliabilityChildConfig } from './reliability-config';
import { runChild as runReliabilityChild, type ChildRun } from './reliability-runner';

const CHILD = fileURLToPath(new URL('./reliability-child.ts', import.meta.url));
/** Kills in this fast subset; a longer run can ask for more (the issue's full suite: 200). */
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 20);
/** The kill schedule's seed (when each run is killed); printed, so a failing schedule can be run again. */
const SEED = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Runs the child; SIGKILLs it (by PID) when it has printed `killAfterLines` step lines. */
const runChild = (config: ReliabilityChildConfig, killAfterLines: number | null): Promise<ChildRun> => runReliabilityChild(CHILD, config, killAfterLines);

/** The cache state a cursor stands for: every change up to it, replayed from a twin clinic. */
async function stateAt(twin: DemoMis, cursor: string | null): Promise<Map<string, PatientCard>> {
  const state = new Map<string, PatientCard>();
  if (cursor === null) return state;
  const seq = Number(/^demo1:(\d+)$/.exec(cursor)?.[1]);
  if (seq === 0) return state;
  const page = await twin.changesSince(null, seq);
  expect(page.nextCursor).toBe(cursor);
  for (const card of page.cards as PatientCard[]) if ((state.get(card.misId)?.version ?? -1) < card.version) state.set(card.misId, card);
  for (const id of [...page.deletions, ...page.merges.map((m) => m.from)]) state.delete(id);
  return state;
}

describe('reliability: SIGKILL while syncing and draining the outbox', () => {
  it(`survives ${KILLS} kills: both files intact, cursor never ahead of the data, every change delivered exactly once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-reliability-'));
    const key = randomBytes(32);
    const base: Omit<ReliabilityChildConfig, 'faultSeed' | 'selfKill'> = {
      cachePath: join(dir, 'cache.db'),
      journalPath: join(dir, 'journal.db'),
      ledgerPath: join(dir, 'demo-mis-ledger.db'),
      keyHex: key.toString('hex'),
      patients: 1_500,
      seed: 11,
      evolveSteps: 200,
      items: Math.max(200, KILLS * 10),
      pageSize: 50,
      errorRate: 0.05,
      timeoutRate: 0.05,
    };
    console.warn(`reliability seed ${SEED} (replay with RELIABILITY_SEED=${SEED})`);
    const schedule = seededRandom(SEED);
    const twin = new DemoMis({ patients: base.patients, seed: base.seed });
    twin.evolve(base.evolveSteps);

    const checkAfterKill = async (): Promise<string | null> => {
      let cursor: string | null;
      const cache = CacheRepository.open({ path: base.cachePath, key, cacheSizeMb: 8 });
      try {
        checkIntegrity(cache.connection, 'cache', 'full');
        cursor = cache.getCursor('patients');
        const expected = await stateAt(twin, cursor);
        // Exactly the state of the cursor: not behind it (data lost) nor ahead (cursor lagging).
        expect(cache.count()).toBe(expected.size);
        for (const [id, card] of expected) expect(cache.getCard(id)).toEqual(card);
      } finally {
        cache.close();
      }
      const journal = openJournalDatabase({ path: base.journalPath, key });
      try {
        checkIntegrity(journal, 'journal', 'full');
        journal.exec(`CREATE TABLE IF NOT EXISTS ${NOTES_TABLE} (local_id TEXT PRIMARY KEY) STRICT`);
        // Every local change has exactly one outbox row, and no outbox row lacks its change.
        const notes = journal.prepare(`SELECT count(*) FROM ${NOTES_TABLE}`).pluck().get();
        const rows = journal.prepare('SELECT count(*) FROM outbox').pluck().get();
        const orphans = journal
          .prepare(`SELECT count(*) FROM ${NOTES_TABLE} n WHERE (SELECT count(*) FROM outbox o WHERE json_extract(o.payload, '$.localId') = n.local_id) <> 1`)
          .pluck()
          .get();
        expect([rows, orphans]).toEqual([notes, 0]);
      } finally {
        journal.close();
      }
      return cursor;
    };

    let kills = 0;
    let runs = 0;
    let synced = false;
    const pointKills = new Map<string, number>();
    const covered = () => SELF_KILL_POINTS.every((point) => (pointKills.get(point) ?? 0) > 0);
    while ((kills < KILLS || !covered()) && runs < KILLS * 4) {
      runs += 1;
      // Odd runs are killed from outside at a step drawn from the schedule; even runs kill themselves inside a
      // critical section (a page's transaction, an enqueue, between submit and delivered).
      // While the first sync runs, self-kills land inside page transactions; afterwards in the outbox.
      const [inPage, inEnqueue, inSubmit] = SELF_KILL_POINTS;
      const point = synced ? [inEnqueue, inSubmit][(runs / 2) % 2]! : inPage;
      const selfKill = runs % 2 === 0 ? { point, occurrence: 1 + Math.floor(schedule() * 3) } : null;
      const run = await runChild({ ...base, faultSeed: runs, selfKill }, selfKill ? null : 1 + Math.floor(schedule() * 25));
      expect(run.stderr).toBe('');
      if (run.killed || run.code === null) {
        expect([run.code, run.done]).toEqual([null, false]);
        kills += 1;
        if (selfKill) pointKills.set(selfKill.point, (pointKills.get(selfKill.point) ?? 0) + 1);
      } else {
        expect(run.code).toBe(0);
        break; // finished before the chosen kill step
      }
      const c = await checkAfterKill();
      synced = c === `demo1:${twin.lastSequence}`;
    }

    const final = await runChild({ ...base, faultSeed: 10_000, selfKill: null }, null);
    expect([final.code, final.done, final.stderr]).toEqual([0, true, '']);
    await checkAfterKill();

    const mis = new DemoMis({ patients: 1, ledgerPath: base.ledgerPath });
    const report = mis.ledgerReport(Array.from({ length: base.items }, (_, i) => `L${i}`));
    mis.close();
    console.warn(`reliability: seed=${SEED} kills=${kills} (inside: ${[...pointKills].map(([p, n]) => `${p}=${n}`).join(' ')}) runs=${runs + 1} items=${base.items} delivered=${report.delivered} lost=${report.lost.length} duplicated=${report.duplicated.length} retries absorbed=${report.duplicateReceipts}`);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    for (const point of SELF_KILL_POINTS) expect(pointKills.get(point), point).toBeGreaterThan(0);
    expect(report).toMatchObject({ delivered: base.items, lost: [], duplicated: [] });
    // The final cache is the whole (evolved) clinic.
    const cache = CacheRepository.open({ path: base.cachePath, key, cacheSizeMb: 8 });
    expect(cache.getCursor('patients')).toBe(`demo1:${twin.lastSequence}`);
    cache.close();
    twin.close();
  }, Math.max(180_000, KILLS * 3_000));
});
