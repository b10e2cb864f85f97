#!/usr/bin/env node
// npm run start:web -- [--port N] [--data-dir DIR] [--config FILE]
// Builds the desk when the build is missing or older than the sources, then runs the browser
// host in this very process (so signals reach it directly). Build output goes to stderr:
// stdout carries only the host's one "Registratura ready: URL" line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out', 'main', 'web.js');
const renderer = join(root, 'out', 'renderer', 'index.html');

function newestSourceTime() {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      if (item.name === 'node_modules' || item.name.startsWith('.')) continue;
      const path = join(dir, item.name);
      if (item.isDirectory()) walk(path);
      else if (!item.name.includes('.test.')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['src-shared', 'src-main', 'src-preload', 'src-renderer']) walk(join(root, dir));
  return newest;
}

const built = existsSync(entry) && existsSync(renderer);
if (!built || statSync(entry).mtimeMs < newestSourceTime()) {
  process.stderr.write(built ? 'Sources changed since the last build; rebuilding…\n' : 'Building the desk (first start)…\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) {
    process.stderr.write('Registratura could not start: the build failed (see above).\n');
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
