import { join } from 'node:path';
import { PatientCacheService } from '../../cache/patient-cache-service';
import { DemoMis } from '../../connectors/demo/demo-mis';
import { EventBus } from '../../events/event-bus';
import type { JournalService } from '../../journal/journal-service';
import { createLogger } from '../../log/logger';
import { KeyFileSecretStore } from '../../secrets/key-file-secret-store';
import { StatusService } from '../../status/status-service';
import { MisLinkService } from '../mis-link-service';
import { childProcessBulkLoader, workerThreadBulkLoader } from '../first-sync/bulk-load-worker-entry';
import type { BulkChildConfig, BulkKillPoint } from './reliability-config';

/**
 * The process `bulk-first-sync-reliability.test.ts` SIGKILLs: the desk's cache and MIS link as
 * the core wires them (on the demo clinic of `patients`, which does not change by itself; no
 * journal, no rest of the core, so a run starts fast) whose first sync takes the bulk path
 * (a worker thread or a child process, as `loader` says, writes `cache.db.loading`, then it is
 * renamed over cache.db; a killed desk's loader process ends by itself). Prints `page` for every
 * page the worker wrote, `indexing`, `installing`, `installed`, and `DONE` once the cache in use
 * is complete. It kills itself at `selfKill` when given (a page, the index phase after
 * `delayMs`, just before or just after the swap).
 */
const step = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(config: BulkChildConfig): Promise<void> {
  const reached = new Map<BulkKillPoint, number>();
  const checkpoint = (point: BulkKillPoint): void => {
    const count = (reached.get(point) ?? 0) + 1;
    reached.set(point, count);
    if (config.selfKill?.point !== point || config.selfKill.occurrence !== count) return;
    if (config.selfKill.delayMs > 0) setTimeout(() => process.kill(process.pid, 'SIGKILL'), config.selfKill.delayMs);
    else process.kill(process.pid, 'SIGKILL');
  };
  const logger = createLogger([]);
  const cache = new PatientCacheService({ dataDir: config.dataDir, secrets: new KeyFileSecretStore(join(config.dataDir, 'secrets'), logger), logger, cacheSizeMb: 8, integrityCheck: null, purgeDelayMs: null, misIdentity: 'demo' });
  const events = new EventBus();
  const mis = new DemoMis({ patients: config.patients, seed: config.seed });
  // The desk's services as the core wires them, without the rest of the core (a faster child).
  const journal = { stores: null, changed: () => undefined } as unknown as JournalService;
  const link = new MisLinkService({
    connector: () => mis,
    cache,
    journal,
    logger,
    status: new StatusService(),
    events,
    bulkFirstSyncMinCards: 0,
    bulkLoadWorker: config.loader === 'process' ? childProcessBulkLoader : workerThreadBulkLoader,
  });
  events.subscribeInternal((name, payload) => {
    if (name !== 'sync:progress') return;
    const progress = payload as { bulk?: string; done: boolean };
    if (progress.bulk === 'loading') {
      step('page');
      checkpoint('bulk-page');
    } else if (progress.bulk === 'indexing') {
      step('indexing');
      checkpoint('bulk-indexing');
    }
  });
  const install = cache.installSnapshot.bind(cache);
  cache.installSnapshot = async (path?: string) => {
    step('installing');
    checkpoint('install-before');
    await install(path);
    step('installed');
    checkpoint('install-after');
  };
  cache.start();
  link.start();
  const deadline = Date.now() + 60_000;
  while (cache.fill?.state !== 'complete') {
    if (Date.now() > deadline) throw new Error('the first sync did not complete within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await link.stop();
  await cache.stop();
  mis.close();
  step('DONE');
}

const raw = process.argv[2];
if (raw === undefined) throw new Error('usage: bulk-first-sync-child.ts <json config>');
main(JSON.parse(raw) as BulkChildConfig).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
