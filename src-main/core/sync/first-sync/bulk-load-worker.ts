import { parentPort, workerData } from 'node:worker_threads';
import { PatientCardSchema } from '../../../../src-shared/patients/patient-card';
import { CacheSnapshotWriter } from '../../db/cache-bulk-load';
import { CARD_RULE, PATIENTS_STREAM, quarantineEntry } from '../pull-sync';
import type { BulkLoadWorkerData, FromWorker, ToWorker } from './bulk-load-protocol';

/**
 * The bulk-load worker's program (a `worker_threads` entry of its own in both hosts' bundles):
 * validates each card of the MIS's export with the same schema and quarantine rule as the paging
 * engine, and writes it into a fresh snapshot file with the bulk loader
 * (`CacheSnapshotWriter`). Everything heavy of a first sync — validation, inserts, the index
 * and FTS builds — runs here, never on the desk's thread, where the screen pop and the search
 * answer. Pages are written in order, one at a time; each is acknowledged so the desk bounds
 * what is in flight.
 */

if (!parentPort) throw new Error('bulk-load-worker.ts runs as a worker thread only.');
const port = parentPort;
const data = workerData as BulkLoadWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

let writer: CacheSnapshotWriter | null = null;
let quarantined = 0;
let rejected = 0;

function fail(error: unknown): void {
  try {
    writer?.abort();
  } catch {
    // Already failing; the message below says why.
  }
  writer = null;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : null;
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error), code });
  port.close();
}

try {
  writer = CacheSnapshotWriter.open({
    path: data.path,
    key: Buffer.from(data.key),
    now: () => data.syncedAt,
    ...(data.cipher ? { cipher: data.cipher } : {}),
    ...(data.cacheSizeMb ? { cacheSizeMb: data.cacheSizeMb } : {}),
  });
} catch (error) {
  fail(error);
}

port.on('message', (message: ToWorker) => {
  const target = writer;
  if (!target) return;
  try {
    if (message.type === 'page') {
      const cards = JSON.parse(message.json) as unknown;
      if (!Array.isArray(cards)) throw new TypeError('A page of the export is not a list of cards.');
      for (const raw of cards) {
        const parsed = PatientCardSchema.safeParse(raw);
        if (!parsed.success) {
          target.quarantine(quarantineEntry(PATIENTS_STREAM, raw, parsed.error, CARD_RULE));
          quarantined += 1;
        } else if (!target.add(parsed.data)) {
          rejected += 1;
        }
      }
      post({ type: 'page-done', id: message.id, loaded: target.loaded, quarantined, rejected });
    } else if (message.type === 'finish') {
      post({ type: 'indexing' });
      const report = target.finish({ cursor: message.cursor, meta: message.meta });
      writer = null;
      post({ type: 'done', cards: report.cards, quarantined, rejected: report.rejectedCount, duplicatesDropped: report.duplicatesDropped, insertMs: report.insertMs, indexMs: report.indexMs });
      port.close();
    } else if (message.type === 'abort') {
      target.abort();
      writer = null;
      post({ type: 'aborted' });
      port.close();
    }
  } catch (error) {
    fail(error);
  }
});
