import { writeFileSync } from 'node:fs';
import { DEFAULT_CIPHER } from '../open-database';
import { benchBooking } from '../../booking/booking-bench';
import { formatQueueBench, runQueueBench } from '../../queue/queue-bench';
import { formatReport, runBench } from './run-bench';

/**
 * `npm run bench -- --cards N [--json FILE] [--seed S] [--queries Q] [--cipher C] [--compare-cards M] [--mis-latency-ms L]`:
 * entry point built by scripts/bench.mjs. Prints progress and the table on stdout; writes the
 * JSON when asked. `--compare-cards 0` skips the cipher comparison.
 */
function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

function positiveInt(name: string, fallback: number): number {
  const raw = argument(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

/** `--mis-latency-ms L` (0 allowed), or nothing: the demo MIS's default latency. */
function misLatency(): { misLatencyMs?: number } {
  const raw = argument('mis-latency-ms');
  if (raw === undefined) return {};
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new Error(`--mis-latency-ms must be an integer 0–60000, got ${raw}`);
  return { misLatencyMs: value };
}

async function main(): Promise<void> {
  const cards = positiveInt('cards', 1_000_000);
  const jsonPath = argument('json');
  const cipher = argument('cipher') ?? DEFAULT_CIPHER;
  if (cipher !== 'chacha20' && cipher !== 'sqlcipher' && cipher !== 'aegis') throw new Error(`--cipher must be chacha20, sqlcipher or aegis, got ${cipher}`);
  const compare = argument('compare-cards');
  const report = await runBench({
    cards,
    cipher,
    ...(compare === undefined ? {} : { cipherCompareCards: Number(compare) }),
    seed: positiveInt('seed', 20_261_101),
    queries: positiveInt('queries', 2_000),
    ...misLatency(),
    // "Book in cache to the outbox row" on the bench's cache.db with its schedule (core/booking/booking-bench.ts).
    booking: ({ schedule, dir }) => benchBooking({ dataDir: dir, reader: schedule, iterations: 300 }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write('queue: the board applying a 200-agent, 500-caller load …\n');
  const queue = await runQueueBench({ seed: positiveInt('seed', 20_261_101) });
  process.stdout.write(`\n${formatReport(report)}\n${formatQueueBench(queue)}\n`);
  const result = { ...report.result, queue: { eventsPerSec: queue.eventsPerSec, applyP95Ms: queue.applyP95Ms, viewP95Ms: queue.viewP95Ms, agents: queue.agents, waitingCallers: queue.waitingCallers } };
  // The machine-readable result on the last line too, so a run's log alone can be quoted.
  process.stdout.write(`\njson ${JSON.stringify(result)}\n`);
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify(result)}\n`);
    process.stdout.write(`\nwrote ${jsonPath}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
