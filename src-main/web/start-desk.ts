import { join } from 'node:path';
import { createCore } from '../core/core';
import { childProcessBulkLoader } from '../core/sync/first-sync/bulk-load-worker-entry';
import { createHostLogger } from '../core/host-logger';
import type { Logger } from '../core/log/logger';
import { loadProvisioningFile, ProvisioningError } from '../core/provisioning/load-provisioning';
import { KeyFileSecretStore } from '../core/secrets/key-file-secret-store';
import { JsonFileSettingsStorage } from '../core/settings/settings-storage';
import type { DataDirLock } from '../core/startup/data-dir-lock';
import { StartupError } from '../core/startup/startup-error';
import { APP_VERSION } from '../core/version';
import type { BoundPort } from './bind-port';
import type { WebHostArgs } from './cli-args';
import { hostToken } from './host-token';
import { serveOn } from './web-server';

const SHUTDOWN_DEADLINE_MS = 1800;

export interface StartDeskOptions {
  args: WebHostArgs;
  rendererDir: string;
  /** The data folder's lock, taken by main; replaced-stale is logged here. */
  lock: DataDirLock;
  /** The port, already taken by main. */
  bound: BoundPort;
  /** Told the log's whereabouts as soon as it exists (for an unexpected failure later on). */
  onLogger(logger: Logger, file: string): void;
}

/**
 * The heavy half of the browser host (the core, SQLite, the bridge), loaded only once the
 * checks that refuse a start (arguments, data folder, lock, port) have passed. Prints the
 * ready line when it serves.
 */
export async function startDesk({ args, rendererDir, lock, bound, onLogger }: StartDeskOptions): Promise<void> {
  let provisioning;
  try {
    provisioning = args.configPath ? loadProvisioningFile(args.configPath) : {};
  } catch (error) {
    if (error instanceof ProvisioningError) throw new StartupError(error.message);
    throw error;
  }

  const logger = createHostLogger(args.dataDir);
  onLogger(logger, join(args.dataDir, 'logs', 'desk.log'));
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
    // The first sync's bulk load in a process of its own: its memory leaves with it.
    bulkLoadWorker: childProcessBulkLoader,
  });
  await core.start();

  const token = hostToken({ fixedPort: args.port !== 0, renew: args.newToken, secrets, logger });
  const host = serveOn(bound, { core, rendererDir, token, logger, role: () => core.session.role() });
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
