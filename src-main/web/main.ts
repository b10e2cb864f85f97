import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/log/logger';
import { acquireDataDirLock } from '../core/startup/data-dir-lock';
import { prepareDataDir } from '../core/startup/data-dir';
import { releaseFreedHeapPages } from '../core/memory/heap-memory';
import { EXIT_REFUSED, StartupError, startupLine } from '../core/startup/startup-error';
import { bindPort } from './bind-port';
import { parseWebHostArgs, UsageError } from './cli-args';

/** Set once the log exists, so an unexpected start failure is written there with its details. */
let startLog: { logger: Logger; file: string } | null = null;

/**
 * The browser host: the same core as the Electron app, the renderer served on 127.0.0.1 and
 * the contract bridged over a WebSocket. Prints exactly one line on stdout when it can serve.
 * What a person starting it can get wrong (arguments, data folder, a second desk on the same
 * folder, the port) is checked first, before the core is even loaded and before anything
 * logs, and refused with one line on stderr and exit code 2.
 */
async function main(): Promise<void> {
  // Freed JS heap pages go back to the system as they are freed, not after a memory-reducing GC.
  releaseFreedHeapPages();
  // Every file the desk writes (databases, WAL, logs, settings) is its user's alone.
  process.umask(0o077);
  const args = parseWebHostArgs(process.argv.slice(2));
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UsageError(`The renderer is not built (${rendererDir} has no index.html): run npm run build.`);
  }
  prepareDataDir(args.dataDir);
  const lock = acquireDataDirLock(args.dataDir, 'web');
  process.on('exit', () => lock.release());
  const bound = await bindPort(args.port);

  const { startDesk } = await import('./start-desk');
  await startDesk({ args, rendererDir, lock, bound, onLogger: (logger, file) => (startLog = { logger, file }) });
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`${startupLine(error.message)}\n`);
    process.exit(EXIT_REFUSED);
  }
  if (error instanceof UsageError) {
    process.stderr.write(`Registratura could not start: ${error.message}\n`);
    process.exit(EXIT_REFUSED);
  }
  if (startLog) {
    startLog.logger.error('web.start-failed', { error });
    process.stderr.write(`${startupLine(`${(error as Error).message} (details in ${startLog.file})`)}\n`);
  } else {
    process.stderr.write(`Registratura could not start: ${(error as Error).message}\n${(error as Error).stack ?? ''}\n`);
  }
  process.exit(1);
});
