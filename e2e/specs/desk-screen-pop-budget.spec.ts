import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import { bridgeRequest } from '../support/bridge';
import { deskSipArgs } from '../support/desk-phone';
import { reportFigure, reportValue } from '../support/figures';
import { prebuildClinicCache } from '../support/prebuilt-clinic';
import { processMemory } from '../support/process-memory';
import { callAs, fullName, openSyncedDesk } from '../support/screen-pop';
import { expect, test } from '../support/sip';

// Issue 5's budget: INVITE received → card painted ≤ 50 ms p95, with 1,000,000 cards cached,
// over the real SIP path. The renderer measures itself (performance marks: the SIP adapter's
// onInvite → the pop's layout effect). The harness stays out of the measured window: no
// Playwright trace recording (it snapshots the DOM on every mutation) and a 100 ms poll of one
// cheap expression instead of locator assertions (each retry walks the accessibility tree).

test.use({ permissions: ['microphone'], trace: 'off' });

const PATIENTS = 1_000_000;
/** Twenty rings: a p95 of ten samples would be their maximum. */
const RINGS = 20;

const measuresSoFar = (page: Page) => page.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('screen-pop:')).length);

/** The desk's first background integrity check that ran to the end (`cache.integrity-check` in its log), or null. */
function finishedIntegrityCheck(dataDir: string): { verdict: string; ms: number } | null {
  const line = readFileSync(join(dataDir, 'logs', 'desk.log'), 'utf8')
    .split('\n')
    .find((entry) => entry.includes('"cache.integrity-check"') && !entry.includes('"not-checked"'));
  return line ? (JSON.parse(line) as { context: { verdict: string; ms: number } }).context : null;
}

test('screen-pop budget: INVITE received → card painted, 1,000,000 cards cached, twenty rings (p50 and p95 printed)', async ({ page, launch, sip, patientPhone, problems }) => {
  test.setTimeout(360_000);
  const clinic = prebuildClinicCache(PATIENTS);
  expect(clinic.cards).toBe(PATIENTS);
  // Callers from across the clinic (a cache hit deep in a million-card index, not one hot row).
  const callers = Array.from({ length: RINGS }, (_, i) => syntheticPatient(Math.floor(((i + 0.5) * PATIENTS) / RINGS), 1)).filter(
    (card) => card.phones[0]?.kind === 'mobile',
  );
  const desk = await launch({ dataDir: clinic.dataDir, args: deskSipArgs(sip, { clinic: { patients: PATIENTS, evolveIntervalMs: 0 } }) });
  try {
    await openSyncedDesk(page, desk);
    expect(((await bridgeRequest(desk, 'cache.status', {})) as { cards: number }).cards, 'cards in the desk cache').toBe(PATIENTS);
    const patient = await patientPhone();
    await patient.register(sip.users.patient1);
    // The desk's start-up work is over before the first caller: the background integrity check of
    // the million-card file starts 5 s after the host and reads the whole file on a worker thread
    // for seconds; a ring stops it, but until then it holds one of the two cores and the disk —
    // that, not the pop, made the first rings of a run slow (100–300 ms). Its figure comes with it.
    await expect.poll(() => finishedIntegrityCheck(clinic.dataDir), { message: 'the start-up integrity check', timeout: 90_000, intervals: [250] }).not.toBeNull();
    const check = finishedIntegrityCheck(clinic.dataDir)!;
    expect(check.verdict).toBe('ok');
    console.log(`figure cache quick_check (worker thread, at start, before the rings): ${check.ms} ms at ${PATIENTS.toLocaleString('en')} cards`);
    // The desk has rehearsed a ring and warmed its softphone since it registered (a second or
    // so; a first caller that early pays for cold code). The wait also lets Playwright inject its
    // helper script into the page (~150 ms of the page's thread) before the first ring rather than during it.
    await page.waitForFunction(() => ['screen-pop:rehearsed', 'softphone:warmed-up'].every((mark) => performance.getEntriesByName(mark).length > 0));
    const samples: number[] = [];
    for (let i = 0; i < RINGS; i++) {
      const caller = callers[i % callers.length]!;
      const before = await measuresSoFar(page);
      await callAs(patient, sip.users.desk.user, caller.phones[0]!.e164);
      await page.waitForFunction((count) => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('screen-pop:')).length > count, before, {
        polling: 100,
      });
      const ringing = page.getByTestId('incoming-call');
      const callId = (await ringing.getAttribute('data-call-id'))!;
      samples.push(await page.evaluate((id) => performance.getEntriesByName(`screen-pop:${id}`, 'measure').at(-1)?.duration ?? Number.NaN, callId));
      // The measured paint shows the caller (their card, or the chooser when relatives share the
      // number) while the call still rings.
      await expect(page.getByTestId('screen-pop')).toContainText(fullName(caller));
      await expect(ringing).toBeVisible();
      await page.getByTestId('reject-button').click();
      await expect(page.getByTestId('incoming-call')).toHaveCount(0);
      await expect.poll(async () => (await patient.state()).call, { message: 'caller told busy' }).toBe('ended');
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    const list = samples.map(Math.round).join(', ');
    reportFigure('screen-pop INVITE→painted p50', at(0.5), 50, `${RINGS} rings, ${PATIENTS.toLocaleString('en')} cards cached (built in ${clinic.buildMs} ms); samples ${list} ms`);
    reportFigure('screen-pop INVITE→painted p95', at(0.95), 50, 'same rings');
    // The host process serving the million-card desk, after its rings (worker threads included:
    // they live in its address space).
    const memory = processMemory(desk.pid);
    reportValue(`host RSS at ${PATIENTS.toLocaleString('en')} cards`, memory.rssMb, 'MB', 400, `after ${RINGS} rings; peak ${Math.round(memory.peakRssMb)} MB`);
    expect(problems.list).toEqual([]);
  } finally {
    await desk.stop();
    rmSync(clinic.dataDir, { recursive: true, force: true });
  }
});
