import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CACHE_PAGE_SIZE } from '../db/cache-bulk-load';
import { DEFAULT_CIPHER, keyPragmas } from '../db/open-database';

/** What a background check of cache.db found. */
export type IntegrityVerdict =
  /** SQLite's `quick_check` read every b-tree page and found nothing wrong. */
  | { verdict: 'ok'; ms: number }
  /** A page failed its MAC or a b-tree is inconsistent: the file must be set aside and rebuilt. */
  | { verdict: 'damaged'; ms: number; detail: string }
  /** The check could not run to the end (file busy or gone, timed out, stopped); says nothing about the file. */
  | { verdict: 'not-checked'; ms: number; reason: string };

/** Runs one check of the cache file at `path` with `key`; never rejects. */
export type IntegrityCheck = (request: { path: string; key: Buffer; signal?: AbortSignal }) => Promise<IntegrityVerdict>;

/** Longest a check may run before it is abandoned (a million-card file takes a few seconds here). */
export const INTEGRITY_CHECK_TIMEOUT_MS = 10 * 60_000;

/**
 * The worker's whole program, run with `eval` so it needs no file of its own in either host's
 * bundle: it opens its own read-only connection (the driver's path and the key pragmas come as
 * data, so nothing is duplicated), runs `PRAGMA quick_check` and posts the verdict. It runs on
 * another thread because `quick_check` reads the whole file — at a million cards that is seconds
 * the screen pop must never wait for.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const started = Date.now();
const post = (message) => parentPort.postMessage({ ...message, ms: Date.now() - started });
let db;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: 5000 });
  for (const pragma of workerData.pragmas) db.pragma(pragma);
  db.pragma('temp_store = MEMORY');
  const rows = db.pragma('quick_check(5)');
  const problems = rows.map((row) => String(Object.values(row)[0])).filter((text) => text !== 'ok');
  if (problems.length === 0) post({ verdict: 'ok' });
  else post({ verdict: 'damaged', detail: 'quick_check: ' + problems.length + ' problem(s)' });
} catch (error) {
  const code = error && typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') post({ verdict: 'damaged', detail: code });
  else post({ verdict: 'not-checked', reason: code || String((error && error.message) || error).slice(0, 120) });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

/**
 * The production check: `quick_check` on a worker thread with its own read-only connection (WAL
 * lets it read beside the desk's writer). A verdict of `damaged` comes only from SQLite itself
 * (a failed page MAC, `SQLITE_CORRUPT`/`SQLITE_NOTADB`, or problems listed by the check).
 */
export function createWorkerIntegrityCheck(options: { timeoutMs?: number } = {}): IntegrityCheck {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
  const timeoutMs = options.timeoutMs ?? INTEGRITY_CHECK_TIMEOUT_MS;
  return ({ path, key, signal }) =>
    new Promise<IntegrityVerdict>((resolve) => {
      const started = Date.now();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver, path, pragmas: keyPragmas(key, DEFAULT_CIPHER, CACHE_PAGE_SIZE) },
      });
      let settled = false;
      const finish = (verdict: IntegrityVerdict) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        void worker.terminate();
        resolve(verdict);
      };
      const onAbort = () => finish({ verdict: 'not-checked', ms: Date.now() - started, reason: 'stopped' });
      const timer = setTimeout(() => finish({ verdict: 'not-checked', ms: Date.now() - started, reason: 'timed out' }), timeoutMs);
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      worker.once('message', (message: IntegrityVerdict) => finish(message));
      worker.once('error', (error) => finish({ verdict: 'not-checked', ms: Date.now() - started, reason: error.name }));
      worker.once('exit', (code) => finish({ verdict: 'not-checked', ms: Date.now() - started, reason: `worker exited (${code})` }));
    });
}
