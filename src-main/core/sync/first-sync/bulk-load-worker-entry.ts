import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BulkLoadWorkerData } from './bulk-load-protocol';

/** The bulk-load worker as the first sync drives it: post, hear, end. */
export interface BulkLoadWorker {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The worker ended (after its last message, or on its own: a crash, out of memory). */
  onExit(listener: (detail: string) => void): void;
  terminate(): Promise<void>;
}

/** Starts one bulk-load worker. Hosts and tests may give their own (Electron could use a utility process). */
export type BulkLoadWorkerFactory = (data: BulkLoadWorkerData) => BulkLoadWorker;

/** The worker's file name in a host's bundle (an entry of its own, beside the host's entry or one folder up from the chunk that holds this code). */
export const BULK_LOAD_WORKER_BUNDLE_NAMES = ['bulk-load-worker.js', 'bulk-load-worker.mjs'] as const;

/**
 * Where the worker's program is: the bundled entry (`out/main/bulk-load-worker.js` in both hosts,
 * `out/bench/bulk-load-worker.mjs` for the bench), or — running from the sources (vitest, the
 * reliability child) — `bulk-load-worker.ts` with Node's own TypeScript support and the repo's
 * resolve hooks (`sync/reliability/register-ts.mjs`).
 */
export function bulkLoadWorkerEntry(moduleUrl: string = import.meta.url): { file: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(moduleUrl));
  for (const folder of [here, dirname(here)]) {
    for (const name of BULK_LOAD_WORKER_BUNDLE_NAMES) {
      const file = join(folder, name);
      if (existsSync(file)) return { file, execArgv: [] };
    }
  }
  const source = join(here, 'bulk-load-worker.ts');
  const hooks = join(here, '..', 'reliability', 'register-ts.mjs');
  if (existsSync(source) && existsSync(hooks)) return { file: source, execArgv: ['--experimental-transform-types', '--no-warnings', '--import', hooks] };
  throw new Error(`The bulk-load worker is missing from this build (looked for ${BULK_LOAD_WORKER_BUNDLE_NAMES.join(' / ')} near ${here}).`);
}

/** The production factory: a `worker_threads` Worker running {@link bulkLoadWorkerEntry}. */
export const workerThreadBulkLoader: BulkLoadWorkerFactory = (data) => {
  const entry = bulkLoadWorkerEntry();
  const worker = new Worker(entry.file, { workerData: data, execArgv: entry.execArgv, env: {}, stdout: false, stderr: false });
  let lastError: string | null = null;
  worker.on('error', (error) => {
    lastError = `${error.name}: ${error.message}`.slice(0, 300);
  });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => worker.on('exit', (code) => listener(lastError ? `${lastError} (exit code ${code})` : `exit code ${code}`)),
    terminate: async () => {
      await worker.terminate();
    },
  };
};
