import { randomBytes } from 'node:crypto';
import { childProcessBulkLoader } from './bulk-load-worker-entry';
import { syntheticPatient } from '../../demo/synthetic-patients';

// For bulk-load-child-process.test.ts: a desk that starts a bulk load in a child process, feeds it
// a page and prints the loader's PID once the page is written; then it waits to be killed.
const path = process.argv[2];
if (!path) throw new Error('usage: bulk-load-child-desk.fixture.ts <snapshot path>');
const loader = childProcessBulkLoader({ path, key: new Uint8Array(randomBytes(32)), syncedAt: Date.now() });
loader.onMessage((message) => {
  if ((message as { type?: string }).type === 'page-done') process.stdout.write(`loader ${loader.pid} loading\n`);
});
loader.onExit((detail) => process.stderr.write(`loader ended: ${detail}\n`));
loader.post({ type: 'page', id: 1, json: JSON.stringify([syntheticPatient(0, 5), syntheticPatient(1, 5)]) });
setInterval(() => undefined, 60_000);
