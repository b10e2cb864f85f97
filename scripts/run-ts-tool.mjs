// Builds one TypeScript command-line entry of the core with vite's build API into out/<name>/
// and runs it in a fresh Node process (its own exit code and peak RSS). Shared by
// `npm run bench` and `npm run audit:verify`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The core's worker-thread programs, built beside every tool as entries of their own (a tool
 * that runs a core — the bench's first sync, the soak — starts them; `bulkLoadWorkerEntry()`
 * finds `bulk-load-worker.mjs` next to the tool or one folder up from a chunk).
 */
const WORKER_ENTRIES = { 'bulk-load-worker': 'src-main/core/sync/first-sync/bulk-load-worker.ts' };

/**
 * @param {{ name: string, entry: string, cwd: string, logLevel: 'error' | 'warn', failureCode: number, extraEntries?: Record<string, string> }} tool
 *   `extraEntries`: more programs the tool spawns (name → source), built beside it as `<name>.mjs`.
 */
export async function runTsTool({ name, entry, cwd, logLevel, failureCode, extraEntries = {} }) {
  const outDir = join(root, 'out', name);
  const file = `${name}.mjs`;
  const input = Object.fromEntries(Object.entries({ [name]: entry, ...WORKER_ENTRIES, ...extraEntries }).map(([key, path]) => [key, join(root, path)]));
  await build({
    root,
    configFile: false,
    logLevel,
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input,
        // Native addon and runtime deps load from node_modules as usual.
        external: ['better-sqlite3-multiple-ciphers', /^libphonenumber-js/, 'zod'],
        output: { entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', format: 'es' },
      },
    },
  });
  const result = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, file), ...process.argv.slice(2)], { stdio: 'inherit', cwd });
  process.exit(result.status ?? failureCode);
}

export const projectRoot = root;
