import { closeSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDatabaseKey } from '../../src-main/core/cache/database-key';
import { DEMO_PHONE_INDEX_FILE, DemoMis } from '../../src-main/core/connectors/demo/demo-mis';
import { writeCacheSnapshot } from '../../src-main/core/db/cache-bulk-load';
import { syntheticPatients } from '../../src-main/core/demo/synthetic-patients';
import type { Logger } from '../../src-main/core/log/logger';
import { KeyFileSecretStore } from '../../src-main/core/secrets/key-file-secret-store';
import { PATIENTS_STREAM } from '../../src-main/core/sync/pull-sync';
import { freshDataDir } from './desk-host';

// A desk data folder whose cache.db already holds the whole demo clinic, exactly as a finished
// first sync would leave it: the same encrypted file format, written by the same bulk loader,
// under the key the browser host keeps in <dataDir>/secrets, with the patients stream's cursor
// at the demo MIS's last sequence (`demo1:N`), so the desk starts "up to date"; and the demo
// MIS's saved caller index, as a previous start of that desk would have left it. A first sync of
// a million cards over the demo connector takes longer than a spec may; this takes ~30 s.

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface PrebuiltClinic {
  dataDir: string;
  cards: number;
  buildMs: number;
}

/** Builds the cache of a still demo clinic of `patients` cards (seed 1, the demo's default). */
export function prebuildClinicCache(patients: number): PrebuiltClinic {
  const started = Date.now();
  const dataDir = freshDataDir();
  const { key } = loadOrCreateDatabaseKey(new KeyFileSecretStore(join(dataDir, 'secrets'), quiet));
  const report = writeCacheSnapshot({
    path: join(dataDir, 'cache.db'),
    key,
    cards: syntheticPatients({ count: patients, seed: 1 }),
    cursor: { stream: PATIENTS_STREAM, cursor: `demo1:${patients}` },
  });
  const demo = new DemoMis({ patients, seed: 1, phoneIndexPath: join(dataDir, 'demo-mis', DEMO_PHONE_INDEX_FILE) });
  demo.warmPhoneIndex();
  demo.close();
  // Flush the ~700 MB just written before the desk starts: otherwise the kernel writes it back
  // during the first seconds of the test, competing with the rings being measured (a desk's
  // real cache was written long before its calls).
  for (const file of [join(dataDir, 'cache.db'), join(dataDir, 'demo-mis', DEMO_PHONE_INDEX_FILE)]) {
    const fd = openSync(file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { dataDir, cards: report.cards, buildMs: Date.now() - started };
}
