#!/usr/bin/env node
// npm start [-- --config FILE --data-dir DIR] — builds the desk, then runs it in Electron.
// Where no Electron binary exists it runs the browser host instead, with the same arguments.
import { join } from 'node:path';
import { buildDesk, explainNoElectron, findElectronBinary, root, runForwardingSignals } from './electron-binary.mjs';

const args = process.argv.slice(2);

// Always rebuild: electron-vite takes a couple of seconds and a stale preload is a security bug.
if (buildDesk() !== 0) {
  process.stderr.write('Registratura could not start: the build failed (see above).\n');
  process.exit(1);
}

const binary = findElectronBinary();
if (binary.ok) {
  await runForwardingSignals(binary.path, ['.', ...args]);
} else {
  console.log(explainNoElectron(binary.reason));
  await runForwardingSignals(process.execPath, [join(root, 'scripts', 'start-web.mjs'), ...args]);
}
