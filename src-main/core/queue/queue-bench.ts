import { PbxSnapshotSchema } from '../../../src-shared/pbx/pbx-model';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import type { PbxEvent } from '../connectors/pbx/pbx-connector';
import { createDemoPbxConnector, DemoPbxConfigSchema } from '../connectors/demo/demo-pbx-connector';
import { DEMO_SWITCHBOARD_LOAD_TEST } from '../connectors/demo/demo-switchboard';
import { percentiles } from '../db/bench/run-bench';
import { QueueBoard } from './queue-board';

export interface QueueBenchResult {
  agents: number;
  waitingCallers: number;
  events: number;
  /** Domain events the board applies per second (one core, back to back). */
  eventsPerSec: number;
  /** One event applied to the board. */
  applyP50Ms: number;
  applyP95Ms: number;
  /** What a push costs: the board's snapshot built and checked against the contract (5 pushes a second at most). */
  viewP50Ms: number;
  viewP95Ms: number;
  /** The same snapshot only serialised (the reference: what any push costs at least). */
  stringifyP50Ms: number;
  /** Simulated event rate of the load (events/s of PBX time). */
  offeredEventsPerSec: number;
}

/**
 * The queue's event-to-snapshot path under a contact centre's worst hour: the demo switchboard
 * in its load-test shape (200 agents, 500 callers waiting, thousands of arrivals an hour) on a
 * manual clock produces `simulatedSec` of events; then the board applies them one by one
 * (timed each) and builds the pushed view every 200 ms of PBX time (timed too).
 */
export async function runQueueBench(options: { simulatedSec?: number; seed?: number } = {}): Promise<QueueBenchResult> {
  const simulatedSec = options.simulatedSec ?? 120;
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 7, 30));
  const connector = createDemoPbxConnector(
    { config: DemoPbxConfigSchema.parse({ ...DEMO_SWITCHBOARD_LOAD_TEST, arrivalsPerHour: 60_000, talkSec: 10, seed: options.seed ?? 20_261_205, openingAbandons: 0 }), secret: null, agent: { extension: '101', name: '' }, slaSeconds: 20, now: () => clock.now() },
    { clock },
  );
  const events: PbxEvent[] = [];
  connector.onEvent((event) => events.push(event));
  await connector.connect();
  const start = await connector.snapshot();
  for (let t = 0; t < simulatedSec * 10; t++) clock.advance(100);
  await connector.close();

  const board = new QueueBoard(() => 20);
  board.reset(start);
  const applyMs: number[] = [];
  const viewMs: number[] = [];
  const stringifyMs: number[] = [];
  let nextView = start.at + 200;
  const began = performance.now();
  for (const event of events) {
    const t0 = performance.now();
    board.apply(event);
    applyMs.push(performance.now() - t0);
    if (event.at >= nextView) {
      nextView = event.at + 200;
      const t1 = performance.now();
      const snapshot = PbxSnapshotSchema.parse(board.snapshot());
      viewMs.push(performance.now() - t1);
      const t2 = performance.now();
      JSON.stringify(snapshot);
      stringifyMs.push(performance.now() - t2);
    }
  }
  const totalMs = performance.now() - began;
  const final = board.snapshot();
  const apply = percentiles(applyMs);
  const view = percentiles(viewMs);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    agents: final.agents.length,
    waitingCallers: start.callers.length,
    events: events.length,
    eventsPerSec: Math.round(events.length / (totalMs / 1000)),
    applyP50Ms: round(apply.p50),
    applyP95Ms: round(apply.p95),
    viewP50Ms: round(view.p50),
    viewP95Ms: round(view.p95),
    stringifyP50Ms: round(percentiles(stringifyMs).p50),
    offeredEventsPerSec: Math.round(events.length / simulatedSec),
  };
}

/** The bench table's queue lines. */
export function formatQueueBench(r: QueueBenchResult): string {
  return [
    '',
    `queue board (${r.agents} agents, ${r.waitingCallers} callers waiting at start, ${r.events} events at ${r.offeredEventsPerSec}/s of PBX time):`,
    `  apply p50 / p95      ${r.applyP50Ms} / ${r.applyP95Ms} ms per event   → ${r.eventsPerSec.toLocaleString('en-US')} events/s on one core (the load needs ≥ 50/s)`,
    `  push view p50 / p95  ${r.viewP50Ms} / ${r.viewP95Ms} ms (snapshot + contract check); JSON.stringify alone p50 ${r.stringifyP50Ms} ms`,
  ].join('\n');
}
