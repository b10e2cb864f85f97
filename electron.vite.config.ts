import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json' with { type: 'json' };

const define = { __APP_VERSION__: JSON.stringify(pkg.version) };

// One build for both hosts: out/main/index.js is the Electron main process,
// out/main/web.js the browser host; both bundle the same src-main/core, and
// out/main/bulk-load-worker.js is the first sync's bulk loader: a worker thread in Electron, a child process in the browser host.
export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          web: resolve(__dirname, 'src-main/web/main.ts'),
          // The first sync's bulk loader runs on a worker thread of either host (found beside them).
          'bulk-load-worker': resolve(__dirname, 'src-main/core/sync/first-sync/bulk-load-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        // A sandboxed renderer cannot run ESM preloads and may only require
        // 'electron': one CommonJS file with zod and the contract inlined.
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
      externalizeDeps: false,
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
