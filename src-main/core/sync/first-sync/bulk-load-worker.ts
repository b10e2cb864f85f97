import { parentPort, workerData } from 'node:worker_threads';
import { PatientCardSchema } from '../../../../src-shared/patients/patient-card';
import { CacheSnapshotWriter } from '../../db/cache-bulk-load';
import { CARD_RULE, PATIENTS_STREAM, quarantineEntry } from '../pull-sync';
import type { BulkLoadWorkerData, FromWorker, ToWorker } from './bulk-load-protocol';

/**
 * The bulk-load worker's program (an entry of its own in both hosts' bundles, run as a
 * `worker_threads` worker, or as a forked child process by the browser host):
 * validates each card of the MIS's export with the same schema and quarantine rule as the paging
 * engine, and writes it into a fresh snapshot file with the bulk loader
 * (`CacheSnapshotWriter`). Everything heavy of a first sync — validation, inserts, the index
 * and FTS builds — runs here, never on the desk's thread, where the screen pop and the search
 * answer. Pages are written in order, one at a time; each is acknowledged so the desk bounds
 * what is in flight.
 */

/** The program's end of the line: a worker thread's port, or a child process's IPC channel. */
interface Channel {
  post(message: FromWorker): void;
  /** Posts the last message, then lets the program end. */
  end(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

function run(channel: Channel, data: BulkLoadWorkerData): void {
  let writer: CacheSnapshotWriter | null = null;
  let quarantined = 0;
  let rejected = 0;

  const fail = (error: unknown) => {
    try {
      writer?.abort();
    } catch {
      // Already failing; the message below says why.
    }
    writer = null;
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : null;
    channel.end({ type: 'failed', message: error instanceof Error ? error.message : String(error), code });
  };

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

  channel.onMessage((message) => {
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
        channel.post({ type: 'page-done', id: message.id, loaded: target.loaded, quarantined, rejected });
      } else if (message.type === 'finish') {
        channel.post({ type: 'indexing' });
        const report = target.finish({ cursor: message.cursor, meta: message.meta });
        writer = null;
        channel.end({ type: 'done', cards: report.cards, quarantined, rejected: report.rejectedCount, duplicatesDropped: report.duplicatesDropped, insertMs: report.insertMs, indexMs: report.indexMs });
      } else if (message.type === 'abort') {
        target.abort();
        writer = null;
        channel.end({ type: 'aborted' });
      }
    } catch (error) {
      fail(error);
    }
  });
}

if (parentPort) {
  // A worker thread: started with its data; ends when its port closes.
  const port = parentPort;
  run(
    {
      post: (message) => port.postMessage(message),
      end: (message) => {
        port.postMessage(message);
        port.close();
      },
      onMessage: (listener) => port.on('message', listener),
    },
    workerData as BulkLoadWorkerData,
  );
} else if (typeof process.send === 'function') {
  // A child process (`childProcessBulkLoader`): its data is the first message, never argv or the
  // environment (the key is in it). When the desk is gone — killed, crashed — the channel closes
  // and the program ends at once: no writer outlives its desk (its partial file is replaced by
  // the next desk's first sync, as a killed worker thread's is).
  const send = process.send.bind(process);
  process.on('disconnect', () => process.exit(0));
  const listeners: ((message: ToWorker) => void)[] = [];
  const channel: Channel = {
    post: (message) => send(message),
    end: (message) => send(message, undefined, undefined, () => process.disconnect()),
    onMessage: (listener) => listeners.push(listener),
  };
  process.on('message', (message: { type?: string; data?: BulkLoadWorkerData }) => {
    if (message.type === 'start' && message.data) run(channel, message.data);
    else for (const listener of listeners) listener(message as ToWorker);
  });
} else {
  throw new Error('bulk-load-worker runs as a worker thread or a forked child process only.');
}
