import { Worker } from 'node:worker_threads';
import { PLUGIN_BOOTSTRAP_SOURCE } from './plugin-bootstrap';

/**
 * One running plugin process or thread, as the supervisor sees it: post a text, hear texts
 * (unvalidated: the supervisor measures and checks each), hear it end, end it. The browser host
 * and the tests use {@link workerThreadTransport}; Electron uses its `utilityProcess`
 * (`src-main/electron/plugin-utility-process.ts`). Both run {@link PLUGIN_BOOTSTRAP_SOURCE}.
 */
export interface PluginTransport {
  post(text: string): void;
  /** Every message the plugin side posts, as it arrived (the SDK's messages are strings; anything else is misbehaviour). */
  onMessage(listener: (message: unknown) => void): void;
  /** Output the plugin wrote to stdout / stderr (counted like log lines, so a `console.log` storm is a flood too). */
  onOutput(listener: (text: string) => void): void;
  /** The thread or process ended on its own (an uncaught exception, `process.exit`, out of memory). */
  onExit(listener: (detail: string) => void): void;
  /** Ends it now, whatever it is doing (a busy loop cannot be interrupted any other way); idempotent. */
  terminate(): Promise<void>;
}

/** Makes a fresh transport for each start of a plugin. */
export type PluginTransportFactory = (plugin: { id: string; heapMb: number }) => PluginTransport;

/**
 * A plugin in a `worker_threads` Worker: its own V8 isolate and event loop with a heap limit
 * (`resourceLimits`), an empty `process.env` (the desk's environment is not the plugin's
 * business), its stdout / stderr captured rather than copied to the desk's.
 */
export function workerThreadTransport(): PluginTransportFactory {
  return ({ heapMb }) => {
    const worker = new Worker(PLUGIN_BOOTSTRAP_SOURCE, {
      eval: true,
      env: {},
      argv: [],
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.max(4, Math.round(heapMb / 8)), stackSizeMb: 4 },
    });
    let ended = false;
    let exitListener: ((detail: string) => void) | null = null;
    let lastError: string | null = null;
    worker.on('error', (error) => {
      lastError = `${error.name}: ${error.message}`.slice(0, 300);
    });
    worker.on('exit', (code) => {
      if (ended) return;
      ended = true;
      exitListener?.(lastError ? `${lastError} (exit code ${code})` : `exited with code ${code}`);
    });
    return {
      post: (text) => worker.postMessage(text),
      onMessage: (listener) => worker.on('message', listener),
      onOutput: (listener) => {
        worker.stdout.on('data', (chunk: Buffer) => listener(chunk.toString('utf8')));
        worker.stderr.on('data', (chunk: Buffer) => listener(chunk.toString('utf8')));
      },
      onExit: (listener) => {
        exitListener = listener;
      },
      terminate: async () => {
        ended = true;
        await worker.terminate();
      },
    };
  };
}
