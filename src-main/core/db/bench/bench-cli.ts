import { writeFileSync } from 'node:fs';
import { cliArgument, cliInteger } from '../../testing/cli-arguments';
import { DEFAULT_CIPHER } from '../open-database';
import { benchBooking } from '../../booking/booking-bench';
import { formatQueueBench, runQueueBench } from '../../queue/queue-bench';
import { formatFirstSyncBench, runFirstSyncBench, type FirstSyncBench } from '../../sync/first-sync/first-sync-bench';
import { formatIngestReport, formatReport, INGEST_RUNS, runBench, runIngestBench, type IngestBenchReport } from './run-bench';

/**
 * `npm run bench -- --cards N [--json FILE] [--seed S] [--queries Q] [--cipher C] [--compare-cards M] [--mis-latency-ms L] [--ingest-runs R] [--only ingest|first-sync]`:
 * entry point built by scripts/bench.mjs. Prints progress and the table on stdout; writes the
 * JSON when asked. `--compare-cards 0` skips the cipher comparison; `--only ingest` measures
 * only the bulk load and its raw-insert reference (its JSON is the list of those reports). The
 * ingest is measured `--ingest-runs` times (default 3), every run printed. `--only first-sync`
 * runs just the end-to-end first sync of a fresh desk process and its RSS.
 */
/** `--mis-latency-ms L` (0 allowed), or nothing: the demo MIS's default latency. */
function misLatency(): { misLatencyMs?: number } {
  const raw = cliArgument('mis-latency-ms');
  if (raw === undefined) return {};
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new Error(`--mis-latency-ms must be an integer 0–60000, got ${raw}`);
  return { misLatencyMs: value };
}

/** The JSON's `firstSync`: the issue's `{ cardsPerSec, wallMs }` and what was answered during it. */
function firstSyncFigures(firstSync: FirstSyncBench) {
  return { cardsPerSec: firstSync.cardsPerSec, wallMs: firstSync.wallMs, cards: firstSync.cards, popP95Ms: firstSync.during.popP95Ms, searchP95Ms: firstSync.during.searchP95Ms, eventLoopDelayMaxMs: firstSync.during.eventLoopDelayMaxMs };
}

async function main(): Promise<void> {
  const cards = cliInteger('cards', 1_000_000, 1);
  const jsonPath = cliArgument('json');
  const cipher = cliArgument('cipher') ?? DEFAULT_CIPHER;
  if (cipher !== 'chacha20' && cipher !== 'sqlcipher' && cipher !== 'aegis') throw new Error(`--cipher must be chacha20, sqlcipher or aegis, got ${cipher}`);
  const compare = cliArgument('compare-cards');
  const only = cliArgument('only');
  if (only !== undefined && only !== 'ingest' && only !== 'first-sync') throw new Error(`--only must be ingest or first-sync, got ${only}`);
  if (only === 'first-sync') {
    process.stdout.write(`first sync: a fresh desk process on the demo clinic of ${cards.toLocaleString('en')} patients, start to a complete cache …\n`);
    const firstSync = await runFirstSyncBench({ cards, seed: cliInteger('seed', 20_261_101, 1) });
    const result = { firstSync: firstSyncFigures(firstSync), rss: firstSync.rssBytes };
    process.stdout.write(`\n${formatFirstSyncBench(firstSync)}\n\njson ${JSON.stringify(result)}\n`);
    if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(result)}\n`);
    return;
  }
  const ingestRuns = cliInteger('ingest-runs', INGEST_RUNS, 1);
  if (only === 'ingest') {
    const runs: IngestBenchReport[] = [];
    for (let run = 1; run <= ingestRuns; run++) {
      process.stdout.write(`ingest run ${run} of ${ingestRuns}:\n`);
      const ingest = runIngestBench({ cards, cipher, seed: cliInteger('seed', 20_261_101, 1), log: (line) => process.stdout.write(`${line}\n`) });
      process.stdout.write(`\n${formatIngestReport(ingest)}\n\n`);
      runs.push(ingest);
    }
    process.stdout.write(`ingest runs: ${runs.map((run) => `${run.ingestCardsPerSec.toLocaleString('en')} cards/s (${run.ratioToRaw}× raw)`).join(' / ')}\n\njson ${JSON.stringify(runs)}\n`);
    if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(runs)}\n`);
    return;
  }
  const report = await runBench({
    cards,
    cipher,
    ingestRuns,
    ...(compare === undefined ? {} : { cipherCompareCards: Number(compare) }),
    seed: cliInteger('seed', 20_261_101, 1),
    queries: cliInteger('queries', 2_000, 1),
    ...misLatency(),
    // "Book in cache to the outbox row" on the bench's cache.db with its schedule (core/booking/booking-bench.ts).
    booking: ({ schedule, dir }) => benchBooking({ dataDir: dir, reader: schedule, iterations: 300 }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write('queue: the board applying a 200-agent, 500-caller load …\n');
  const queue = await runQueueBench({ seed: cliInteger('seed', 20_261_101, 1) });
  // The first sync end to end (demo MIS → a desk process's cache), and that process's memory after it.
  const firstSyncCards = cliInteger('first-sync-cards', cards, 0);
  let firstSync: FirstSyncBench | null = null;
  if (firstSyncCards > 0) {
    process.stdout.write(`first sync: a fresh desk process on the demo clinic of ${firstSyncCards.toLocaleString('en')} patients, start to a complete cache …\n`);
    firstSync = await runFirstSyncBench({ cards: firstSyncCards, seed: cliInteger('seed', 20_261_101, 1) });
  }
  process.stdout.write(`\n${formatReport(report)}\n${formatQueueBench(queue)}\n${firstSync ? `${formatFirstSyncBench(firstSync)}\n` : ''}`);
  const result = {
    ...report.result,
    queue: { eventsPerSec: queue.eventsPerSec, applyP95Ms: queue.applyP95Ms, viewP95Ms: queue.viewP95Ms, agents: queue.agents, waitingCallers: queue.waitingCallers },
    ...(firstSync
      ? {
          firstSync: firstSyncFigures(firstSync),
          // The desk process's RSS after the first sync (settled), not the bench's own.
          rss: firstSync.rssBytes,
        }
      : {}),
  };
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
