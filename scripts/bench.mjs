// npm run bench -- --cards N [--json FILE] [--seed S] [--queries Q]
// Builds the TypeScript bench (src-main/core/db/bench/bench-cli.ts) with vite's build API into
// out/bench/, then runs it in a fresh Node process so its peak RSS is the bench's own.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'out', 'bench');

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: join(root, 'src-main/core/db/bench/bench-cli.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      // Native addon and runtime deps load from node_modules as usual.
      external: ['better-sqlite3-multiple-ciphers', /^libphonenumber-js/, 'zod'],
      output: { entryFileNames: 'bench-cli.mjs', format: 'es' },
    },
  },
});

const result = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, 'bench-cli.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
