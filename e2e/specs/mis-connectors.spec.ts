import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PATIENTS } from '../../src-main/core/connectors/fhir-r4/testing/fhir-fixture-data';
import { startFhirFixtureServer } from '../../src-main/core/connectors/fhir-r4/testing/fhir-fixture-server';
import { startOnecFixtureServer } from '../../src-main/core/connectors/onec-http/testing/onec-fixture-server';
import { fixtureGuid } from '../../src-main/core/connectors/onec-http/testing/onec-fixture-data';
import { bridgeRequest } from '../support/bridge';
import { freshDataDir, ROOT } from '../support/desk-host';
import { reportFigure } from '../support/figures';
import { expect, screenshot, test } from '../support/fixtures';
import { cachedCards, logLines, openMisDesk, openSelfConfiguredDesk, pbxCall, ring, searchNames, takeCallWithNote } from '../support/mis-desk';

// The desk on real clinic systems (issue 15): 1C:Medicina's HTTP service and its OData interface
// (a fixture server shaped like a 1C publication: windows-1251 bodies, empty dates, GUID
// references), a spreadsheet export dropped in a watched folder, and a third-party plugin that
// crashes, hangs and floods. Each desk is provisioned by `--config` as IT would roll it out, and
// rings come from the demo PBX in CTI mode. Every server is on 127.0.0.1.

const ONEC_USER = 'Регистратура';
const ONEC_PASSWORD = 'пароль-1С';
/** 12 seeded patients: one merged into another, one marked deleted. */
const ONEC_LIVE = 10;

/** The FHIR seed's live, valid patients (12, less the one without a family name, a merged-away and an inactive one), plus synthetic ones for paging. */
const FHIR_SEED_LIVE = 9;
const FHIR_SYNTHETIC = 41;

test('FHIR R4: the first sync follows Bundle.link[next]; search with ё and by the last four digits, the pop, an edit by _lastUpdated delta, one Communication after a timeout and retry, a merged duplicate never a second card', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const fhir = await startFhirFixtureServer({ auth: { user: 'desk', password: 'fhir-pass' }, syntheticPatients: FHIR_SYNTHETIC });
  try {
    const started = Date.now();
    const desk = await openMisDesk(page, launch, {
      id: 'fhir-r4',
      config: { baseUrl: fhir.url, auth: { type: 'basic', user: 'desk', password: 'fhir-pass' }, pageSize: 10, syncIntervalSec: 5, timeoutSec: 2 },
    });
    await expect.poll(() => cachedCards(desk), { timeout: 30_000 }).toBe(FHIR_SEED_LIVE + FHIR_SYNTHETIC);
    reportFigure('fhir-first-sync', Date.now() - started, 30_000, `${FHIR_SEED_LIVE + FHIR_SYNTHETIC} cards in pages of 10`);
    const pages = fhir.control.requests.filter((request) => request.method === 'GET' && request.query.some(([name]) => name === '_getpages'));
    expect(pages.length, 'followed next links').toBeGreaterThanOrEqual(4);
    await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');

    // ё folded; «+7 (916) 123-45-67» found by its last four digits; the merged duplicate is one card.
    expect(await searchNames(desk, 'семенова ал')).toEqual(['Семёнова Алёна Викторовна']);
    expect(await searchNames(desk, '4567')).toEqual(['Семёнова Алёна Викторовна']);
    expect(await searchNames(desk, 'Петрова Анна')).toEqual(['Петрова Анна Сергеевна']);
    expect(await searchNames(desk, 'Сидоров Олег')).toEqual([]);
    const quarantine = (await bridgeRequest(desk, 'cache.quarantine', { limit: 10 })) as { total: number; items: { reason: string }[] };
    expect(quarantine.items.map((item) => item.reason)).toEqual([expect.stringMatching(new RegExp(`card ${FIXTURE_PATIENTS.noFamily}: surname`))]);

    // Her call pops her card; the note's first POST is applied but answered too late: the
    // outbox retries with the same key and the conditional create finds the first one.
    fhir.control.loseNextWriteAnswer({ mode: 'delay', delayMs: 4_000 });
    await takeCallWithNote(page, desk, '+79161234567', 'Семёнова Алёна Викторовна', 'Просит перезвонить после 18:00');
    await expect.poll(() => fhir.control.communications().length, { timeout: 30_000 }).toBe(1);
    const [communication] = fhir.control.communications() as { identifier?: { value?: string }[] }[];
    const key = communication!.identifier![0]!.value!;
    await expect
      .poll(() => fhir.control.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/Communication')).length, { timeout: 30_000, message: 'the timed-out write was retried' })
      .toBeGreaterThanOrEqual(2);
    expect(fhir.control.countWithIdentifier('Communication', key)).toBe(1);
    expect(JSON.stringify(communication)).toContain('Просит перезвонить после 18:00');

    // An edit on the server: the next _lastUpdated delta brings it.
    fhir.control.editPatient(FIXTURE_PATIENTS.kuznetsova, { family: 'Кузнецова-Орлова' });
    await expect.poll(() => searchNames(desk, 'орлова'), { timeout: 20_000 }).toEqual(['Кузнецова-Орлова Ольга Ивановна']);
    // A duplicate merged on the server now: still one card.
    fhir.control.merge(FIXTURE_PATIENTS.yolkin, FIXTURE_PATIENTS.ivanov);
    await expect.poll(() => searchNames(desk, 'Ёлкин'), { timeout: 20_000 }).toEqual([]);
    expect(await searchNames(desk, 'Иванов Пётр')).toEqual(['Иванов Пётр Сергеевич']);
    expect(problems.list).toEqual([]);
  } finally {
    await fhir.close();
  }
});

test('1C:Medicina HTTP service in windows-1251: first sync, search with ё and by the last four digits, the pop, an edit by delta, a note delivered once after a lost answer, a merged duplicate hidden', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const onec = await startOnecFixtureServer({ user: ONEC_USER, password: ONEC_PASSWORD, encoding: 'windows-1251' });
  try {
    // The 1C server answers in windows-1251 and does not say so: the desk must tell by itself.
    onec.control.setEncoding('windows-1251', { declareCharset: false });
    const started = Date.now();
    const desk = await openMisDesk(page, launch, {
      id: 'onec-http',
      config: { baseUrl: onec.url, user: ONEC_USER, password: ONEC_PASSWORD, mode: { type: 'http-service' }, timeoutSec: 1.5, syncIntervalSec: 5 },
    });
    await expect.poll(() => cachedCards(desk), { timeout: 30_000 }).toBe(ONEC_LIVE);
    reportFigure('onec-first-sync', Date.now() - started, 30_000, `${ONEC_LIVE} cards over the HTTP service, windows-1251`);
    await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');

    // ё folded both ways; a phone stored as «+7 (916) 555-01-01» by its last four digits.
    expect(await searchNames(desk, 'елкин петр')).toEqual(['Ёлкин Пётр Семёнович']);
    expect(await searchNames(desk, '0101')).toEqual(['Новосельцева Алёна Викторовна']);
    // The duplicate merged in 1C and the patient marked for deletion are not live cards.
    expect(await searchNames(desk, 'Белова')).toEqual(['Белова Ольга Петровна']);
    expect(await searchNames(desk, 'Тарасов')).toEqual([]);

    // The card the cashier opens: the empty 1C dates are "none", 1C's «Да» a yes.
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill('Новосельцева');
    await page.getByTestId('patient-result').first().click();
    await expect(page.getByTestId('patient-card')).toHaveAttribute('data-mis-id', fixtureGuid(1));
    await screenshot(page, 'onec-patient-card');

    // A call from her mobile: the pop names her from the cache; the wrap-up's note goes to 1C,
    // whose first answer is lost — the outbox retries with the same key and 1C applies it once.
    onec.control.loseNextAnswer();
    await takeCallWithNote(page, desk, '+79165550101', 'Новосельцева Алёна Викторовна', 'Перенести приём на пятницу');
    await expect.poll(() => onec.control.listNotes().filter((note) => note.kind === 'wrapup').length, { timeout: 30_000 }).toBe(1);
    const [note] = onec.control.listNotes().filter((entry) => entry.kind === 'wrapup');
    await expect.poll(() => onec.control.writeRequestsFor(note!.key), { timeout: 30_000, message: 'the lost answer was retried' }).toBeGreaterThanOrEqual(2);
    expect(onec.control.notesFor(note!.key)).toBe(1);
    expect(JSON.stringify(onec.control.noteOf(note!.key)?.payload)).toContain('Перенести приём на пятницу');

    // 1C staff correct a surname: the next delta brings it (sync every 5 s).
    onec.control.editPatient(fixtureGuid(3), { surname: 'Григорьева-Лебедева' });
    await expect.poll(() => searchNames(desk, 'Лебедева'), { timeout: 20_000 }).toEqual(['Григорьева-Лебедева Мария Олеговна']);
    expect(problems.list).toEqual([]);
  } finally {
    await onec.close();
  }
});

test('1C:Medicina read-only OData: catalogs paged with $top/$skip, changes found by comparing passes, merged and deleted patients gone', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const onec = await startOnecFixtureServer({ user: ONEC_USER, password: ONEC_PASSWORD });
  try {
    const desk = await openMisDesk(page, launch, {
      id: 'onec-http',
      config: { baseUrl: onec.url, user: ONEC_USER, password: ONEC_PASSWORD, mode: { type: 'odata', pageSize: 4 }, timeoutSec: 2, syncIntervalSec: 5 },
    });
    await expect.poll(() => cachedCards(desk), { timeout: 30_000 }).toBe(ONEC_LIVE);
    const pages = onec.control.requests.filter((request) => request.path.includes('standard.odata/Catalog_') && request.query.has('$skip'));
    expect(new Set(pages.map((request) => request.query.get('$skip'))).size, 'paged with $skip').toBeGreaterThanOrEqual(3);
    expect(await searchNames(desk, 'семенович')).toEqual(['Ёлкин Пётр Семёнович']);
    expect(await searchNames(desk, 'Белова')).toEqual(['Белова Ольга Петровна']);
    onec.control.editPatient(fixtureGuid(4), { surname: 'Соловьёв-Седой' });
    await expect.poll(() => searchNames(desk, 'седой'), { timeout: 20_000 }).toEqual(['Соловьёв-Седой Артём Ильич']);
    onec.control.markDeleted(fixtureGuid(12));
    await expect.poll(() => searchNames(desk, 'Зайцев'), { timeout: 20_000 }).toEqual([]);
    expect(problems.list).toEqual([]);
  } finally {
    await onec.close();
  }
});

test('a spreadsheet export dropped in the watched folder is searchable within 10 s; a broken row is quarantined with its line number and shown in Settings', async ({ page, launch, problems }) => {
  test.setTimeout(90_000);
  const folder = mkdtempSync(join(tmpdir(), 'registratura-export-'));
  // Polling every minute: only the folder watch can make the 10 s.
  const desk = await openMisDesk(page, launch, { id: 'spreadsheet', config: { folder, syncIntervalSec: 60 } });
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', /.+/);
  const rows = [
    'Код;Фамилия;Имя;Отчество;Дата рождения;Пол;Телефон;СНИЛС',
    '501;Ёжикова;Алёна;Петровна;12.03.1985;ж;8 (916) 700-01-01;112-233-445 95',
    '502;Серебряков;Фёдор;Ильич;01.11.1971;м;+7 916 700-02-02;',
    '503;Громова;Инна;;31.02.1990;ж;+79167000303;',
    '504;Лаптев;Олег;Юрьевич;1999-07-08;м;89167000404, 8 495 700-04-05;',
  ];
  // The clinic's MIS writes windows-1251 (as Excel «CSV (разделители — точки с запятой)» does).
  const cp1251 = encodeWindows1251(rows.join('\r\n') + '\r\n');
  const dropped = Date.now();
  writeFileSync(join(folder, 'patients-2026-12-06.csv'), cp1251);
  await expect.poll(() => searchNames(desk, 'ежикова'), { timeout: 10_000, intervals: [100] }).toEqual(['Ёжикова Алёна Петровна']);
  reportFigure('spreadsheet-drop-to-searchable', Date.now() - dropped, 10_000, 'CSV (windows-1251, ;) dropped in the watched folder → found by search');
  expect(await searchNames(desk, '0404')).toEqual(['Лаптев Олег Юрьевич']);
  // Found first by the source's own search while the cache was still being filled; cached within the same 10 s.
  await expect.poll(() => cachedCards(desk), { timeout: 10_000, intervals: [100] }).toBe(3);

  const quarantine = (await bridgeRequest(desk, 'cache.quarantine', { limit: 10 })) as { total: number; items: { reason: string }[] };
  expect(quarantine.total).toBe(1);
  expect(quarantine.items[0]!.reason).toMatch(/^patients-2026-12-06\.csv line 4: .*birthDate/);
  await page.getByTestId('nav-settings').click();
  const item = page.getByTestId('connector-quarantine-item');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('line 4');
  await item.scrollIntoViewIfNeeded();
  await screenshot(page, 'spreadsheet-quarantine');
  expect(problems.list).toEqual([]);
});

test('a plugin that crashes, hangs or floods is restarted while search and the screen pop keep answering from the cache', async ({ page, launch, problems }) => {
  test.setTimeout(180_000);
  const dataDir = freshDataDir();
  mkdirSync(join(dataDir, 'plugins'), { recursive: true });
  cpSync(join(ROOT, 'resources', 'plugins', 'example-mis'), join(dataDir, 'plugins', 'example-mis'), { recursive: true });
  const desk = await openSelfConfiguredDesk(page, launch, { id: 'example-mis', config: { misbehave: 'none' } }, dataDir);
  await expect.poll(() => cachedCards(desk), { timeout: 30_000 }).toBe(6);
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');
  // Rings show in the call bar over the Patients pane, where the cashier searches.
  await page.getByTestId('nav-patients').click();

  for (const fault of ['crash', 'hang', 'flood'] as const) {
    const before = logLines(desk, 'mis.plugin-state').length;
    // The plugin misbehaves on the pop's caller lookup (the desk asks the MIS while it rings).
    await bridgeRequest(desk, 'settings.update', { connectors: { mis: { id: 'example-mis', config: { misbehave: fault, on: 'findByPhone' } } } });
    await expect.poll(() => logLines(desk, 'mis.link-restarted').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const ringAt = Date.now();
    const { callId } = await ring(desk, '+79990001001');
    const item = page.locator(`[data-testid="call-bar-item"][data-call-id="${callId}"]`);
    await expect(item.getByTestId('call-bar-name')).toHaveText('Веснина Ольга Игоревна');
    const popMs = Date.now() - ringAt;
    // While the plugin is down (crashed, busy-looping, flooding), the cashier searches.
    const searches: number[] = [];
    for (let i = 0; i < 10; i++) {
      const at = Date.now();
      expect(await searchNames(desk, 'кудрявцев')).toEqual(['Кудрявцев Артём Павлович']);
      searches.push(Date.now() - at);
    }
    await expect.poll(() => logLines(desk, 'mis.plugin-state').slice(before).map((line) => (line.context as { state: string }).state), { timeout: 30_000, message: `${fault}: restarted` }).toContain('restarting');
    const second = Date.now();
    const { callId: again } = await ring(desk, '+79990001006');
    await expect(page.locator(`[data-testid="call-bar-item"][data-call-id="${again}"]`).getByTestId('call-bar-name')).toHaveText('Тихомиров Лев Аркадьевич');
    const popDuringMs = Date.now() - second;
    searches.sort((a, b) => a - b);
    reportFigure(`plugin-${fault}-pop`, Math.max(popMs, popDuringMs), 1_000, `ring → name on screen (CTI), first ${popMs} ms, during the restart ${popDuringMs} ms`);
    reportFigure(`plugin-${fault}-search`, searches[Math.floor(searches.length * 0.95) - 1]!, 200, `p95 of 10 searches over the bridge during the fault (median ${searches[5]} ms)`);
    const reasons = logLines(desk, 'mis.plugin-state').slice(before).map((line) => (line.context as { reason: string | null }).reason);
    expect(reasons).toContain(fault === 'crash' ? 'crashed' : fault === 'hang' ? 'hung' : 'flooded');
    await pbxCall(desk, 'pbx-ended', callId);
    await pbxCall(desk, 'pbx-ended', again);
  }
  // Well again: the plugin behaves, the desk syncs and says the MIS is online.
  await bridgeRequest(desk, 'settings.update', { connectors: { mis: { id: 'example-mis', config: { misbehave: 'none' } } } });
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  expect(await cachedCards(desk)).toBe(6);
  expect(problems.list).toEqual([]);
});

test("Settings draws each connector's form from its schema; test connection names the failing step for a wrong password and for an unreachable host", async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const onec = await startOnecFixtureServer({ user: ONEC_USER, password: ONEC_PASSWORD });
  const dataDir = freshDataDir();
  mkdirSync(join(dataDir, 'plugins'), { recursive: true });
  cpSync(join(ROOT, 'resources', 'plugins', 'example-mis'), join(dataDir, 'plugins', 'example-mis'), { recursive: true });
  try {
    await openSelfConfiguredDesk(page, launch, { id: 'onec-http', config: { baseUrl: onec.url, user: ONEC_USER, mode: { type: 'http-service' }, timeoutSec: 2 } }, dataDir);
    await page.getByTestId('nav-settings').click();
    const block = page.getByTestId('connector-block-mis');
    await expect(block.getByTestId('connector-select-mis')).toHaveValue('onec-http');
    // The password is in the secret store, not in the form.
    await expect(block.getByTestId('connector-field-password')).toHaveValue('');

    // Each connector's own form, from its own schema.
    const forms: Record<string, string> = { 'fhir-r4': 'baseUrl', 'onec-http': 'mode.type', spreadsheet: 'folder', 'example-mis': 'misbehave', demo: 'latencyMs' };
    for (const [id, field] of Object.entries(forms)) {
      await block.getByTestId('connector-select-mis').selectOption(id);
      await expect(block.getByTestId(`connector-field-${field}`), `${id} has ${field}`).toBeVisible();
      await block.getByTestId('connector-select-mis').evaluate((select) => select.scrollIntoView({ block: 'start' }));
      await screenshot(page, `connector-form-${id}`);
    }
    await expect(block.getByTestId('connector-plugin-badge-mis')).toHaveCount(0);
    await block.getByTestId('connector-select-mis').selectOption('example-mis');
    await expect(block.getByTestId('connector-plugin-badge-mis')).toBeVisible();

    // Back to 1C, with a wrong password: the run stops at authentication and says what to check.
    await block.getByTestId('connector-select-mis').selectOption('onec-http');
    await block.getByTestId('connector-field-baseUrl').fill(onec.url);
    await block.getByTestId('connector-field-user').fill(ONEC_USER);
    await block.getByTestId('connector-field-password').fill('не-тот-пароль');
    await block.getByTestId('connector-test-mis').click();
    const failed = block.locator('[data-testid="connector-step"][data-status="failed"]');
    await expect(failed).toHaveAttribute('data-step', 'auth', { timeout: 20_000 });
    await expect(block.getByTestId('connector-step-hint')).toBeVisible();
    await expect(block.getByTestId('connector-diagnostics-summary')).toContainText('Аутентификация');
    await block.getByTestId('connector-diagnostics').scrollIntoViewIfNeeded();
    await screenshot(page, 'connector-diagnostics-wrong-password');

    // A host where nothing listens: it stops at reaching the server.
    await onec.close();
    await block.getByTestId('connector-test-mis').click();
    await expect(failed).toHaveAttribute('data-step', 'reach', { timeout: 20_000 });
    await expect(block.getByTestId('connector-diagnostics-summary')).toContainText('Доступность');
    await block.getByTestId('connector-diagnostics').scrollIntoViewIfNeeded();
    await screenshot(page, 'connector-diagnostics-unreachable');
    expect(problems.list).toEqual([]);
  } finally {
    await onec.close().catch(() => undefined);
  }
});

/** Russian text in windows-1251 (the export's encoding), for the letters this file uses. */
function encodeWindows1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x410 && code <= 0x44f) bytes.push(code - 0x410 + 0xc0);
    else if (code === 0x401) bytes.push(0xa8);
    else if (code === 0x451) bytes.push(0xb8);
    else throw new Error(`no windows-1251 byte for ${char}`);
  }
  return Buffer.from(bytes);
}
