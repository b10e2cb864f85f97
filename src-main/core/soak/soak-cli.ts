import { writeFileSync } from 'node:fs';
import { HEAP_PAGE_FLAGS, releaseFreedHeapPages, v8Gc } from '../memory/heap-memory';
import { cliArgument, cliFlag, cliInteger } from '../testing/cli-arguments';
import { formatSoakReport, runShiftSoak } from './shift-soak';

/**
 * `npm run soak -- [--calls N] [--seed S] [--patients P] [--warm-up W] [--samples K] [--mis-latency-ms L] [--json FILE] [--data-dir DIR] [--heap-snapshots DIR] [--plant-leak listeners|timers|bytes] [--node-default-sweeping]`:
 * entry point built by scripts/soak.mjs. Prints every sample, the `figure soak …` lines and the
 * verdict; exits 1 when the shift grew (or a request failed), so CI or a person can run it as a check.
 */

/** A full GC for the samples; the soak cannot judge memory without one. */
function fullGc(): () => void {
  const gc = v8Gc();
  if (!gc) throw new Error('V8 did not hand out gc: the soak needs it to sample memory.');
  return () => gc();
}

async function main(): Promise<void> {
  const calls = cliInteger('calls', 2_000, 2);
  const seed = cliInteger('seed', Math.floor(Math.random() * 1_000_000), 0);
  const warmUp = cliArgument('warm-up');
  const samples = cliArgument('samples');
  const latency = cliArgument('mis-latency-ms');
  const jsonPath = cliArgument('json');
  const dataDir = cliArgument('data-dir');
  const heapSnapshots = cliArgument('heap-snapshots');
  // Proves the rules on this machine: a leak planted per call must fail the run.
  const planted = cliArgument('plant-leak');
  if (planted !== undefined && planted !== 'listeners' && planted !== 'timers' && planted !== 'bytes') throw new Error(`--plant-leak must be listeners, timers or bytes, got ${planted}`);
  const leak = planted === 'listeners' ? { listenersPerCall: 1 } : planted === 'timers' ? { timersPerCall: 1 } : planted === 'bytes' ? { bytesPerCall: 20_000 } : undefined;
  // The desk's hosts run with HEAP_PAGE_FLAGS; --node-default-sweeping runs Node's default, to compare.
  const nodeDefault = cliFlag('node-default-sweeping');
  if (!nodeDefault) releaseFreedHeapPages();
  process.stdout.write(`soak: seed ${seed} (repeat with --seed ${seed}), V8 ${nodeDefault ? "Node's default sweeping" : HEAP_PAGE_FLAGS}\n`);
  const report = await runShiftSoak({
    calls,
    seed,
    patients: cliInteger('patients', 20_000, 100),
    ...(warmUp === undefined ? {} : { warmUpCalls: cliInteger('warm-up', 0, 1) }),
    ...(samples === undefined ? {} : { samples: cliInteger('samples', 0, 4) }),
    ...(latency === undefined ? {} : { misLatencyMs: cliInteger('mis-latency-ms', 0, 0) }),
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(heapSnapshots === undefined ? {} : { heapSnapshots }),
    ...(leak === undefined ? {} : { leak }),
    gc: fullGc(),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${formatSoakReport(report)}\n`);
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify(report)}\n`);
    process.stdout.write(`wrote ${jsonPath}\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
