// npm run soak -- [--calls N] [--seed S] [--patients P] [--warm-up W] [--samples K] [--mis-latency-ms L] [--json FILE]
// The shift soak (src-main/core/soak/): builds its TypeScript entry into out/soak/, then runs it
// in a fresh Node process, so the memory it measures is the desk core's own.
import { projectRoot, runTsTool } from './run-ts-tool.mjs';

await runTsTool({ name: 'soak', entry: 'src-main/core/soak/soak-cli.ts', cwd: projectRoot, logLevel: 'warn', failureCode: 1 });
