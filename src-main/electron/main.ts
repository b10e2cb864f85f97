import { fileURLToPath } from 'node:url';
import { bootstrap } from './desk-app';

// The Electron entry (out/main/index.js). Paths are resolved from the built file, so the
// preload and the renderer are always the ones built with it.
// Every file the desk writes (databases, WAL, logs, settings) is its user's alone.
process.umask(0o077);
bootstrap({
  argv: process.argv,
  preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
});
