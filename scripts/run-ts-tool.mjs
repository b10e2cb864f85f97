// Builds one TypeScript command-line entry of the core with vite's build API into out/<name>/
// and runs it in a fresh Node process (its own exit code and peak RSS). Shared by
// `npm run bench` and `npm run audit:verify`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ name: string, entry: string, cwd: string, logLevel: 'error' | 'warn', failureCode: number }} tool
 */
export async function runTsTool({ name, entry, cwd, logLevel, failureCode }) {
  const outDir = join(root, 'out', name);
  const file = `${name}.mjs`;
  await build({
    root,
    configFile: false,
    logLevel,
    build: {
      ssr: join(root, entry),
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        // Native addon and runtime deps load from node_modules as usual.
        external: ['better-sqlite3-multiple-ciphers', /^libphonenumber-js/, 'zod'],
        output: { entryFileNames: file, format: 'es' },
      },
    },
  });
  const result = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, file), ...process.argv.slice(2)], { stdio: 'inherit', cwd });
  process.exit(result.status ?? failureCode);
}

export const projectRoot = root;
