import { DemoMis } from '../../connectors/demo/demo-mis';
import type { MisSubmission } from '../../connectors/mis/mis-connector';
import { CacheRepository } from '../../db/cache-repository';
import { openJournalDatabase } from '../../journal/open-journal';
import { Outbox, OutboxSender } from '../outbox';
import { PullSyncEngine } from '../pull-sync';
import { NOTES_TABLE, type ReliabilityChildConfig, type SelfKillPoint } from './reliability-config';

/**
 * The process the reliability test SIGKILLs: a desk that syncs the demo clinic into a real
 * encrypted cache.db and drains an outbox of `items` local changes (each a row in a local
 * table plus its outbox row, one transaction) into the demo MIS, whose ledger is a file.
 * It prints one line per step so the parent can kill it at a random step, and `DONE` when
 * every change is delivered and the cache is at the end of the stream.
 *
 * Run by `reliability.test.ts` with Node 22: `node --experimental-transform-types --import
 * ./register-ts.mjs reliability-child.ts '<json config>'`.
 */
const step = (line: string): void => void process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(config: ReliabilityChildConfig): Promise<void> {
  const reached = new Map<SelfKillPoint, number>();
  const checkpoint = (point: SelfKillPoint): void => {
    const count = (reached.get(point) ?? 0) + 1;
    reached.set(point, count);
    if (config.selfKill?.point === point && config.selfKill.occurrence === count) process.kill(process.pid, 'SIGKILL');
  };
  const key = Buffer.from(config.keyHex, 'hex');
  const cache = CacheRepository.open({ path: config.cachePath, key, cacheSizeMb: 8 });
  const journal = openJournalDatabase({ path: config.journalPath, key });
  journal.exec(`CREATE TABLE IF NOT EXISTS ${NOTES_TABLE} (local_id TEXT PRIMARY KEY) STRICT`);
  const mis = new DemoMis({
    patients: config.patients,
    seed: config.seed,
    ledgerPath: config.ledgerPath,
    errorRate: config.errorRate,
    timeoutRate: config.timeoutRate,
    faultSeed: config.faultSeed,
  });
  // The clinic keeps its change log in its ledger file: a restarted child finds the clinic it
  // evolved before (the same as the twin's), and evolves it only on its first run.
  if (mis.lastSequence === config.patients) mis.evolve(config.evolveSteps);
  const outbox = new Outbox(journal);
  outbox.recoverInflight();
  const target = Object.assign(Object.create(cache) as CacheRepository, {
    applyCards: (cards: Parameters<CacheRepository['applyCards']>[0]) => {
      const result = cache.applyCards(cards);
      checkpoint('page-after-cards'); // inside the page's transaction, cursor not yet written
      return result;
    },
  });
  const engine = new PullSyncEngine({ connector: mis, target, pageSize: config.pageSize, yieldBetweenPages: async () => void step('page') });
  const sender = new OutboxSender({
    outbox,
    connector: {
      submit: async (submission: MisSubmission) => {
        const result = await mis.submit(submission);
        checkpoint('submit-before-mark'); // the MIS has it; the outbox row still says inflight
        step('submitted');
        return result;
      },
    },
    batchSize: 5,
    backoff: { baseMs: 1, capMs: 20, jitter: 'full' },
  });
  const countNotes = journal.prepare<[], number>(`SELECT count(*) FROM ${NOTES_TABLE}`).pluck();
  const insertNote = journal.prepare<[string]>(`INSERT INTO ${NOTES_TABLE} (local_id) VALUES (?)`);

  for (;;) {
    const written = countNotes.get() ?? 0;
    if (written < config.items) {
      journal.transaction(() => {
        for (let i = written; i < Math.min(config.items, written + 5); i++) {
          insertNote.run(`L${i}`);
          checkpoint('enqueue-after-note'); // local change written, outbox row not yet
          outbox.enqueue('note', { localId: `L${i}` });
        }
      })();
      step('enqueued');
    }
    let synced = false;
    try {
      await engine.syncOnce();
      synced = true;
    } catch {
      step('sync-failed');
    }
    await sender.drainOnce();
    const undelivered = outbox.listUndelivered();
    if (undelivered.some((item) => item.state === 'failed')) throw new Error('An outbox item failed permanently.');
    if (synced && undelivered.length === 0 && (countNotes.get() ?? 0) >= config.items) break;
    if (undelivered.length > 0 && written >= config.items) await pause(5);
  }
  cache.close();
  journal.close();
  mis.close();
  step('DONE');
}

const raw = process.argv[2];
if (raw === undefined) throw new Error('usage: reliability-child.ts <json config>');
main(JSON.parse(raw) as ReliabilityChildConfig).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
