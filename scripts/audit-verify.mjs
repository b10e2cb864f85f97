// npm run audit:verify -- --data-dir DIR [--entries N] [--card MISID]
// Builds the TypeScript verifier (src-main/core/audit/verify-cli.ts) into out/audit-verify/ and
// runs it, so its exit code (0 intact, 1 broken, 2 not verifiable) is the command's. Vite logs
// only errors: the command's output is the verdict line, then the entries asked for (one a line).
import { runTsTool } from './run-ts-tool.mjs';

// npm runs scripts from the package root; a relative --data-dir means the caller's folder.
await runTsTool({ name: 'audit-verify', entry: 'src-main/core/audit/verify-cli.ts', cwd: process.env.INIT_CWD ?? process.cwd(), logLevel: 'error', failureCode: 2 });
