import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/core';
import { createHostLogger } from '../core/host-logger';
import type { Logger } from '../core/log/logger';
import { loadProvisioningFile, ProvisioningError } from '../core/provisioning/load-provisioning';
import { KeyFileSecretStore } from '../core/secrets/key-file-secret-store';
import { JsonFileSettingsStorage } from '../core/settings/settings-storage';
import { acquireDataDirLock } from '../core/startup/data-dir-lock';
import { prepareDataDir } from '../core/startup/data-dir';
import { EXIT_REFUSED, StartupError, startupLine } from '../core/startup/startup-error';
import { APP_VERSION } from '../core/version';
import { parseWebHostArgs, UsageError } from './cli-args';
import { hostToken } from './host-token';
import { bindWebHost } from './web-server';

const SHUTDOWN_DEADLINE_MS = 1800;

/** Set once the log exists, so an unexpected start failure is written there with its details. */
let startLog: { logger: Logger; file: string } | null = null;

/**
 * The browser host: the same core as the Electron app, the renderer served on 127.0.0.1 and
 * the contract bridged over a WebSocket. Prints exactly one line on stdout when it can serve.
 * Everything a person starting it can get wrong (arguments, data folder, a second desk on the
 * same folder, the port) is checked first, before anything logs, and refused with one line.
 */
async function main(): Promise<void> {
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
  const provisioning = args.configPath ? loadProvisioningFile(args.configPath) : {};
  const bound = await bindWebHost(args.port);

  const logger = createHostLogger(args.dataDir);
  startLog = { logger, file: join(args.dataDir, 'logs', 'desk.log') };
  if (lock.replacedStale) {
    const stale = lock.replacedStale;
    logger.warn('data-dir.stale-lock-replaced', stale === 'unreadable' ? { unreadable: true } : { pid: stale.pid, host: stale.host });
  }
  const secrets = new KeyFileSecretStore(join(args.dataDir, 'secrets'), logger);
  const core = createCore({
    host: 'web',
    version: APP_VERSION,
    dataDir: args.dataDir,
    settingsStorage: new JsonFileSettingsStorage(join(args.dataDir, 'settings.json')),
    secrets,
    logger,
    provisioning,
    demo: { patients: args.demoPatients ?? undefined, offline: args.misOffline || undefined },
  });
  await core.start();

  const token = hostToken({ fixedPort: args.port !== 0, renew: args.newToken, secrets, logger });
  const host = bound.serve({ core, rendererDir, token, logger });
  logger.info('web.listening', { port: host.port, dataDir: args.dataDir, provisioned: args.configPath !== null, fixedPort: args.port !== 0 });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('web.stopping', { signal });
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    void Promise.allSettled([host.close(), core.stop()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  process.stdout.write(`Registratura ready: ${host.url}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`${startupLine(error.message)}\n`);
    process.exit(EXIT_REFUSED);
  }
  if (error instanceof UsageError || error instanceof ProvisioningError) {
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
