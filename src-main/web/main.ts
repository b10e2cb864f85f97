import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/core';
import { createHostLogger } from '../core/host-logger';
import { loadProvisioningFile, ProvisioningError } from '../core/provisioning/load-provisioning';
import { KeyFileSecretStore } from '../core/secrets/key-file-secret-store';
import { JsonFileSettingsStorage } from '../core/settings/settings-storage';
import { APP_VERSION } from '../core/version';
import { parseWebHostArgs, UsageError } from './cli-args';
import { startWebHost } from './web-server';

const SHUTDOWN_DEADLINE_MS = 1800;

/**
 * The browser host: the same core as the Electron app, the renderer served on 127.0.0.1 and
 * the contract bridged over a WebSocket. Prints exactly one line on stdout when it can serve.
 */
async function main(): Promise<void> {
  // Every file the desk writes (databases, WAL, logs, settings) is its user's alone.
  process.umask(0o077);
  const args = parseWebHostArgs(process.argv.slice(2));
  mkdirSync(args.dataDir, { recursive: true, mode: 0o700 });
  const logger = createHostLogger(args.dataDir);
  const provisioning = args.configPath ? loadProvisioningFile(args.configPath) : {};
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UsageError(`The renderer is not built (${rendererDir} has no index.html): run npm run build.`);
  }

  const core = createCore({
    host: 'web',
    version: APP_VERSION,
    dataDir: args.dataDir,
    settingsStorage: new JsonFileSettingsStorage(join(args.dataDir, 'settings.json')),
    secrets: new KeyFileSecretStore(join(args.dataDir, 'secrets'), logger),
    logger,
    provisioning,
    demo: { patients: args.demoPatients ?? undefined, offline: args.misOffline || undefined },
  });
  await core.start();

  const token = randomBytes(24).toString('base64url');
  const host = await startWebHost({ core, rendererDir, port: args.port, token, logger });
  logger.info('web.listening', { port: host.port, dataDir: args.dataDir, provisioned: args.configPath !== null });

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
  const known = error instanceof UsageError || error instanceof ProvisioningError;
  process.stderr.write(`Registratura could not start: ${(error as Error).message}\n`);
  if (!known) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  process.exit(known ? 2 : 1);
});
