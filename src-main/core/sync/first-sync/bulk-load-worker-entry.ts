import { fork } from 'node:child_process';
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
  /** The process the load runs in, when it has one of its own. */
  readonly pid?: number;
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

/**
 * The browser host's factory: the same program in a child process of its own (Node's `fork`,
 * structured-clone messages), so what the load allocates — SQLite sorts a million rows' indexes
 * in memory (`temp_store = MEMORY`: no clear-text temp files), some 300 MB — leaves with the
 * process. In a worker thread the desk's process kept a varying part of it after the load
 * (native memory 170–340 MB, desk RSS 382–494 MiB at a million cards). The data, key included,
 * travels as the first message, never on the command line or in the environment; the child ends
 * when its desk is gone. (Electron's main process cannot fork Node: its `RunAsNode` fuse is off.)
 */
export const childProcessBulkLoader: BulkLoadWorkerFactory = (data) => {
  const entry = bulkLoadWorkerEntry();
  const child = fork(entry.file, [], {
    execArgv: entry.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {},
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-300);
  });
  // 'close', not 'exit': it comes after the channel's last message has been read.
  let exited = false;
  child.once('exit', () => (exited = true));
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const post = (message: unknown) => {
    if (!exited && child.connected) child.send(message as object);
  };
  post({ type: 'start', data });
  return {
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    post,
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) =>
      child.once('close', (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const said = stderr.trim().split('\n').at(-1);
        listener(said ? `${said} (${how})` : how);
      }),
    terminate: async () => {
      if (!exited) child.kill('SIGKILL');
      await ended;
    },
  };
};
