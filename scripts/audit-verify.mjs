// npm run audit:verify -- --data-dir DIR
// Builds the TypeScript verifier (src-main/core/audit/verify-cli.ts) with vite's build API into
// out/audit-verify/, the way scripts/bench.mjs does, then runs it in a fresh Node process so its
// exit code (0 intact, 1 broken, 2 not verifiable) is the command's.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'out', 'audit-verify');

await build({
  root,
  configFile: false,
  // Only errors: the command's output is the one verdict line.
  logLevel: 'error',
  build: {
    ssr: join(root, 'src-main/core/audit/verify-cli.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      // Native addon and runtime deps load from node_modules as usual.
      external: ['better-sqlite3-multiple-ciphers', /^libphonenumber-js/, 'zod'],
      output: { entryFileNames: 'verify-cli.mjs', format: 'es' },
    },
  },
});

const result = spawnSync(process.execPath, ['--enable-source-maps', join(outDir, 'verify-cli.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  // npm runs scripts from the package root; a relative --data-dir means the caller's folder.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exit(result.status ?? 2);
