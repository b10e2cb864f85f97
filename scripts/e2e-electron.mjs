#!/usr/bin/env node
// npm run test:e2e:electron — the Electron end-to-end run. Where no Electron binary exists (no
// GitHub downloads here), it says so in one line and exits 0: the browser-host e2e covers the
// desk. Otherwise: build, then Playwright with the Electron config, exiting with its code.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildDesk, findElectronBinary, root, runForwardingSignals } from './electron-binary.mjs';

const binary = findElectronBinary();
if (!binary.ok) {
  console.log(
    `Electron e2e skipped: no Electron binary on this machine (${binary.reason}); the browser-host e2e (npm run test:e2e) covers the desk.`,
  );
  process.exit(0);
}

if (buildDesk() !== 0) {
  console.error('Electron e2e: the build failed (see above).');
  process.exit(1);
}

const playwright = [join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '-c', 'e2e/electron/playwright.electron.config.ts', ...process.argv.slice(2)];
// Electron needs a display; on a headless Linux box run it under xvfb-run when there is one.
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const hasXvfb = headless && spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
if (hasXvfb) await runForwardingSignals('xvfb-run', ['-a', process.execPath, ...playwright]);
else await runForwardingSignals(process.execPath, playwright);
