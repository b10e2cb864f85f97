import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import { countVerdict, memoryVerdict, RESOURCE_SLACK, type SeriesVerdict } from '../../src-main/core/soak/soak-verdict';
import { MARKED_CALLS_KEPT } from '../../src-renderer/features/phone/call-work';
import { writeConfig, type DeskHost } from '../support/desk-host';
import { expect, openDesk, test } from '../support/fixtures';
import { reportValue } from '../support/figures';

// The renderer's half of the shift soak (issue 17; the core's is `npm run soak`): the real desk
// page takes calls in a loop — the demo PBX rings the desk phone (CTI), the pop paints the card,
// the call is talked and put down, the operator saves the wrap-up, the journal reloads, and now
// and then a search opens a card or the journal is filtered — while the demo switchboard's living
// queue and the demo clinic's changes flow in. After warm-up it samples through CDP (GC, then the
// JS heap and the DOM counters) and the host's RSS, and holds them to the core soak's rules.
// SOAK_CALLS sets the calls (default 28: CI's e2e must stay cheap); SOAK_CALLS=2000 is a shift.

const CALLS = Number(process.env.SOAK_CALLS ?? 28);
/** The page settles in ~16 calls (three visits to the Patients pane's results and card, the journal's rows); then the baseline. */
const WARM_UP = Math.min(200, Math.max(16, Math.round(CALLS / 10)));
/** Samples after warm-up, the first being the baseline. */
const SAMPLES = Math.min(40, Math.max(8, Math.floor((CALLS - WARM_UP) / 2)));
/** A folder for the page's heap snapshots at the baseline and the end (local runs: finding what grew). */
const HEAP_SNAPSHOTS = process.env.SOAK_HEAP_SNAPSHOTS;
/** A still, seeded clinic besides its changes: the test knows whose numbers ring. */
const CLINIC = { patients: 1000, seed: 1, evolveIntervalMs: 3_000 };

/** Numbers of exactly one clinic patient (the pop shows their card, no chooser), and every fifth caller unknown to the clinic. */
function callers(count: number): string[] {
  const owners = new Map<string, number>();
  for (let i = 0; i < CLINIC.patients; i++) for (const phone of syntheticPatient(i, CLINIC.seed).phones) owners.set(phone.e164, (owners.get(phone.e164) ?? 0) + 1);
  const known = [...owners].filter(([, n]) => n === 1).map(([e164]) => e164);
  return Array.from({ length: count }, (_, i) => (i % 5 === 4 ? `+7999${String(1_000_000 + i).slice(-7)}` : known[(i * 7919) % known.length]!));
}

interface Sample {
  calls: number;
  heapMb: number;
  nodes: number;
  jsEventListeners: number;
  documents: number;
  hostRssMb: number;
  /** User marks and measures in the page's performance timeline (the browser bounds its own kinds, not these). */
  userTimings: number;
}

/** Writes the page's V8 heap snapshot (after a GC) to `path`. */
async function writeHeapSnapshot(cdp: CDPSession, path: string): Promise<void> {
  const chunks: string[] = [];
  const collect = (event: { chunk: string }) => chunks.push(event.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
  writeFileSync(path, chunks.join(''));
}

function hostRssMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function takeSample(cdp: CDPSession, page: Page, desk: DeskHost, calls: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const userTimings = await page.evaluate(() => performance.getEntriesByType('mark').length + performance.getEntriesByType('measure').length);
  return { calls, heapMb: heap.usedSize / 1024 / 1024, nodes: dom.nodes, jsEventListeners: dom.jsEventListeners, documents: dom.documents, hostRssMb: hostRssMb(desk.pid), userTimings };
}

/**
 * The contract over one WebSocket to the host's bridge, kept open for the whole shift (a
 * connection per request would cost more than the call it drives): the demo PBX's controls, and
 * the journal's earlier calls.
 */
async function openBridge(desk: DeskHost) {
  const ws = new WebSocket(`ws://127.0.0.1:${desk.port}/bridge?token=${desk.token}`, { origin: desk.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; id?: number; ok?: boolean; value?: unknown; error?: { message: string } };
    const answer = frame.type === 'response' && frame.id !== undefined ? waiting.get(frame.id) : undefined;
    if (!answer) return;
    waiting.delete(frame.id!);
    if (frame.ok) answer.resolve(frame.value);
    else answer.reject(new Error(frame.error?.message ?? 'refused'));
  });
  let id = 0;
  const request = (name: string, input: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const mine = ++id;
      const timer = setTimeout(() => reject(new Error(`${name}: no answer in 10 s`)), 10_000);
      waiting.set(mine, { resolve: (value) => (clearTimeout(timer), resolve(value)), reject: (error) => (clearTimeout(timer), reject(error)) });
      ws.send(JSON.stringify({ type: 'request', id: mine, name, input }));
    });
  return {
    request,
    ring: async (number: string) => (await request('demo.simulate', { action: 'pbx-ringing', number, extension: '101' })) as { callId: string },
    answered: (callId: string) => request('demo.simulate', { action: 'pbx-answered', callId }),
    ended: (callId: string) => request('demo.simulate', { action: 'pbx-ended', callId }),
    close: () => ws.close(),
  };
}

/**
 * A desk mid-shift: the journal already holds its 200 latest calls (what its list shows at most),
 * so the list's rows and items are at their steady size before warm-up ends.
 */
async function earlierCalls(bridge: Awaited<ReturnType<typeof openBridge>>, numbers: readonly string[]): Promise<void> {
  const first = Date.now() - 4 * 3_600_000;
  for (let i = 0; i < 200; i++) {
    const startedAt = first + i * 60_000;
    await bridge.request('calls.record', {
      id: `earlier-${i}`,
      direction: 'incoming',
      number: numbers[i % numbers.length]!,
      displayName: '',
      startedAt: new Date(startedAt).toISOString(),
      answeredAt: new Date(startedAt + 5_000).toISOString(),
      endedAt: new Date(startedAt + 95_000).toISOString(),
      outcome: 'answered',
    });
  }
}

/** What the page's performance timeline holds, by kind (`mark screen-pop:invite`, `resource` …). */
async function timelineByKind(page: Page): Promise<Record<string, number>> {
  return await page.evaluate(() => {
    const kinds: Record<string, number> = {};
    for (const entry of performance.getEntries()) {
      const kind = entry.entryType === 'mark' || entry.entryType === 'measure' ? `${entry.entryType} ${entry.name.replace(/:[^:]*$/, '')}` : entry.entryType;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    return kinds;
  });
}

test('a shift of calls on the real page: the JS heap, the DOM, its listeners and the host\'s RSS level off after warm-up', async ({ page, launch, problems }) => {
  // Generous: a loaded machine takes ~3 s a call through the UI, an idle one ~1 s.
  test.setTimeout(Math.max(180_000, CALLS * 6_000));
  const config = writeConfig({ language: 'ru', connectors: { mis: { id: 'demo', config: CLINIC }, pbx: { id: 'demo', config: {} } } });
  const desk = await launch({ args: ['--config', config, '--demo-patients', String(CLINIC.patients)] });
  const numbers = callers(CALLS);
  const phone = await openBridge(desk);
  await earlierCalls(phone, numbers);
  await openDesk(page, desk.url);
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online');
  const cdp = await page.context().newCDPSession(page);
  // What the page writes to its console (errors fail the test through `problems`; the rest is counted).
  const consoleByType: Record<string, number> = {};
  page.on('console', (message) => (consoleByType[message.type()] = (consoleByType[message.type()] ?? 0) + 1));
  const samples: Sample[] = [];
  const sampleEvery = (CALLS - WARM_UP) / (SAMPLES - 1);
  let nextSample = WARM_UP;
  const started = Date.now();

  /** Wall time per phase of the loop (where a call's seconds go), ms. */
  const phases: Record<string, number> = { 'ring to pop': 0, 'talk and hang up': 0, 'wrap-up': 0, 'search and filters': 0, sampling: 0 };
  let phaseStart = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = (phases[name] ?? 0) + now - phaseStart;
    phaseStart = now;
  };
  for (let n = 0; n < CALLS; n++) {
    const number = numbers[n]!;
    phaseStart = Date.now();
    const { callId } = await phone.ring(number);
    // The card (or the new-patient draft) painted and refreshed from the MIS; then picked up and put down on the desk phone.
    await expect(page.locator(`[data-testid="screen-pop"][data-call-id="${callId}"]`)).toHaveAttribute('data-state', 'updated');
    phase('ring to pop');
    await phone.answered(callId);
    await phone.ended(callId);
    phase('talk and hang up');
    const wrapUp = page.locator(`[data-testid="wrap-up"][data-call-id="${callId}"]`);
    await wrapUp.getByTestId('wrap-up-category').selectOption({ index: 1 + (n % 4) });
    await wrapUp.getByTestId('wrap-up-outcome').selectOption(n % 3 === 0 ? 'booked' : 'information');
    if (n % 2 === 0) await wrapUp.getByTestId('wrap-up-note').fill(`Звонок ${n + 1}: уточнил время приёма.`);
    await wrapUp.getByTestId('wrap-up-save').click();
    await expect(wrapUp).toHaveCount(0);
    phase('wrap-up');

    if (n % 6 === 2) {
      // The cashier's box between calls: a patient found and opened, then back to the phone.
      await page.getByTestId('nav-patients').click();
      const patient = syntheticPatient((n * 131) % CLINIC.patients, CLINIC.seed);
      await page.getByTestId('patient-search').fill(patient.surname);
      await page.getByTestId('patient-result').first().click();
      await expect(page.getByTestId('patient-card')).toBeVisible();
      await page.getByTestId('nav-phone').click();
    }
    if (n % 10 === 3) {
      await page.getByTestId('call-journal-filter-today').click();
      await expect(page.getByTestId('call-journal')).toHaveAttribute('data-filter', 'today');
      await page.getByTestId('call-journal-filter-all').click();
      await expect(page.getByTestId('call-journal')).toHaveAttribute('data-state', 'ready');
    }
    phase('search and filters');

    const done = n + 1;
    if (done >= nextSample) {
      // The same screen at every sample: the Phone pane, no call, the journal loaded.
      await expect(page.getByTestId('call-journal')).toHaveAttribute('data-state', 'ready');
      samples.push(await takeSample(cdp, page, desk, done));
      if (HEAP_SNAPSHOTS && (samples.length === 1 || done === CALLS)) await writeHeapSnapshot(cdp, join(HEAP_SNAPSHOTS, samples.length === 1 ? 'page-baseline.heapsnapshot' : 'page-end.heapsnapshot'));
      nextSample = Math.round(WARM_UP + sampleEvery * samples.length);
      phase('sampling');
    }
  }
  const wallMs = Date.now() - started;
  phone.close();

  const series = (name: string, value: (sample: Sample) => number) => ({ name, values: samples.map(value) });
  const memory: SeriesVerdict[] = [memoryVerdict(series('page JS heap', (s) => s.heapMb)), memoryVerdict(series('host RSS', (s) => s.hostRssMb))];
  const counts: SeriesVerdict[] = [
    countVerdict(series('DOM documents', (s) => s.documents)),
    countVerdict(series('DOM nodes', (s) => s.nodes), 50),
    countVerdict(series('JS event listeners', (s) => s.jsEventListeners), RESOURCE_SLACK),
  ];
  // Bounded by design, not flat: three per call for the latest calls, plus the page's own few.
  const userTimingsCeiling = 3 * MARKED_CALLS_KEPT + RESOURCE_SLACK;
  const mostUserTimings = Math.max(...samples.map((sample) => sample.userTimings));
  counts.push({ name: 'user marks and measures', baseline: samples[0]!.userTimings, end: mostUserTimings, growth: 0, ok: mostUserTimings <= userTimingsCeiling, rule: `never above ${userTimingsCeiling}` });
  for (const sample of samples) {
    console.log(
      `soak sample calls=${sample.calls} heap=${sample.heapMb.toFixed(2)}MB nodes=${sample.nodes} listeners=${sample.jsEventListeners} documents=${sample.documents} userTimings=${sample.userTimings} hostRss=${sample.hostRssMb.toFixed(1)}MB`,
    );
  }
  console.log(`figure soak renderer console messages: ${JSON.stringify(consoleByType)}`);
  console.log(`figure soak renderer timeline at the end: ${Object.entries(await timelineByKind(page)).map(([kind, n]) => `${kind}=${n}`).join(', ')}`);
  for (const verdict of [...memory, ...counts]) {
    console.log(`figure soak renderer ${verdict.name}: baseline ${verdict.baseline.toFixed(2)} end ${verdict.end.toFixed(2)} (${(verdict.growth * 100).toFixed(1)} %, ${verdict.rule}) ${verdict.ok ? 'ok' : 'GREW'}`);
  }
  reportValue('soak renderer JS heap growth after warm-up', memory[0]!.growth * 100, '%', 10, `${CALLS} calls, warm-up ${WARM_UP}`, 1);
  reportValue('soak host RSS growth after warm-up', memory[1]!.growth * 100, '%', 10, `${CALLS} calls, warm-up ${WARM_UP}`, 1);
  reportValue('soak renderer ms per call', wallMs / CALLS, 'ms', 2_000, 'ring → pop → talk → wrap-up saved, through the UI');
  console.log(`figure soak renderer ms per call by phase: ${Object.entries(phases).map(([name, ms]) => `${name}=${Math.round(ms / CALLS)}`).join(', ')}`);
  expect([...memory, ...counts].filter((verdict) => !verdict.ok).map((verdict) => `${verdict.name}: ${verdict.baseline} → ${verdict.end}`)).toEqual([]);
  expect(problems.list).toEqual([]);
});
