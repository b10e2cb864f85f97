// npm run bench -- --cards N [--json FILE] [--seed S] [--queries Q]
// Builds the TypeScript bench (src-main/core/db/bench/bench-cli.ts) into out/bench/, then runs
// it in a fresh Node process so its peak RSS is the bench's own.
import { projectRoot, runTsTool } from './run-ts-tool.mjs';

// The first sync's desk process runs beside it (its RSS is the desk's, not the bench's).
await runTsTool({
  name: 'bench',
  entry: 'src-main/core/db/bench/bench-cli.ts',
  extraEntries: { 'first-sync-host': 'src-main/core/sync/first-sync/first-sync-bench-host.ts' },
  cwd: projectRoot,
  logLevel: 'warn',
  failureCode: 1,
});
