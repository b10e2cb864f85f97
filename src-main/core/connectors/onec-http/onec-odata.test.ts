import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PatientCardSchema } from '../../../../src-shared/patients/patient-card';
import type { Clock } from '../../../../src-shared/time/clock';
import { runDiagnostics } from '../mis/diagnostics';
import { isMisError, type MisChangesPage, type MisConnector } from '../mis/mis-connector';
import { fixtureGuid } from './testing/onec-fixture-data';
import { startOnecFixtureServer, type OnecFixtureServer } from './testing/onec-fixture-server';
import { FIXTURE_PASSWORD, FIXTURE_USER, onecTestConnector } from './testing/onec-test-connector';
import { drainChanges } from '../mis/testing/drain-changes';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clock that stands still unless a test moves it: versions made from it are predictable. */
function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, setTimeout: () => null, clearTimeout: () => undefined, advance: (ms) => void (now += ms) };
}

async function setup(options: { stateDir?: string; mode?: Record<string, unknown>; clock?: Clock; fixture?: OnecFixtureServer } = {}): Promise<{ fixture: OnecFixtureServer; mis: MisConnector; stateDir: string }> {
  const fixture = options.fixture ?? (await startOnecFixtureServer({ user: FIXTURE_USER, password: FIXTURE_PASSWORD }));
  if (!options.fixture) cleanups.push(() => fixture.close());
  const made = onecTestConnector(fixture.url, 'odata', { ...(options.stateDir && { stateDir: options.stateDir }), ...(options.mode && { mode: options.mode }), ...(options.clock && { clock: options.clock }) });
  if (!options.stateDir) cleanups.push(made.dispose);
  return { fixture, mis: made.connector, stateDir: made.stateDir };
}

const drain = drainChanges;

const cards = (pages: MisChangesPage[]) => pages.flatMap((page) => page.cards).map((card) => PatientCardSchema.parse(card));

describe('onec-http, OData (read only)', () => {
  it('declares itself read only and pulling whole passes', async () => {
    const { mis } = await setup();
    expect(mis.manifest).toMatchObject({ id: 'onec-http', pull: 'full', push: 'none' });
    expect(mis.manifest.capabilities).not.toContain('submit');
  });

  it('a first pass pages with $top/$skip in Ref_Key order and maps the catalog by the configured fields', async () => {
    const clock = manualClock(1_800_000_000_000);
    const { fixture, mis } = await setup({ clock });
    const { pages } = await drain(mis, null, 5);
    const queries = fixture.control.requests.filter((r) => r.path.endsWith('Catalog_Пациенты')).map((r) => [r.query.get('$top'), r.query.get('$skip'), r.query.get('$orderby'), r.query.get('$format')]);
    expect(queries).toEqual([
      ['5', '0', 'Ref_Key', 'json'],
      ['5', '5', 'Ref_Key', 'json'],
      ['5', '10', 'Ref_Key', 'json'],
    ]);
    const all = cards(pages);
    expect(all).toHaveLength(10);
    const alena = all.find((card) => card.misId === fixtureGuid(1))!;
    expect(alena).toMatchObject({ version: 1_800_000_000_000, surname: 'Новосельцева', givenName: 'Алёна', birthDate: '1988-04-17', sex: 'female', email: 'alena.n@example.ru', snils: '11223344595', omsPolicy: '7755123456789012' });
    expect(alena.phones).toEqual([{ e164: '+79165550101', national10: '9165550101', kind: 'mobile' }]);
    expect(all.find((card) => card.misId === fixtureGuid(2))!.phones.map((p) => p.kind)).toEqual(['mobile', 'home']);
    expect(pages.flatMap((p) => p.merges)).toEqual([{ from: fixtureGuid(7), into: fixtureGuid(8) }]);
    expect(pages.flatMap((p) => p.deletions)).toEqual([fixtureGuid(9)]);
  });

  it('reads a windows-1251 answer that names no charset', async () => {
    const { fixture, mis } = await setup();
    fixture.control.setEncoding('windows-1251', { declareCharset: false });
    const all = cards((await drain(mis, null, 50)).pages);
    expect(all.find((card) => card.misId === fixtureGuid(2))).toMatchObject({ surname: 'Ёлкин', patronymic: 'Семёнович' });
  });

  it('a later pass returns only what changed since the last one: an edit with a higher version, a deletion, a merge', async () => {
    const clock = manualClock(1_800_000_000_000);
    const { fixture, mis } = await setup({ clock });
    const first = await drain(mis, null, 4);
    const unchanged = await drain(mis, first.cursor, 4);
    expect(cards(unchanged.pages)).toEqual([]);
    expect(unchanged.pages.flatMap((p) => [...p.deletions, ...p.merges])).toEqual([]);
    fixture.control.editPatient(fixtureGuid(3), { surname: 'Григорьева-Новикова' });
    fixture.control.markDeleted(fixtureGuid(12));
    fixture.control.markDeleted(fixtureGuid(6), fixtureGuid(5));
    clock.advance(1_000);
    const delta = await drain(mis, unchanged.cursor, 4);
    expect(cards(delta.pages).map((card) => [card.misId, card.surname, card.version])).toEqual([[fixtureGuid(3), 'Григорьева-Новикова', 1_800_000_001_000]]);
    expect(delta.pages.flatMap((p) => p.deletions)).toEqual([fixtureGuid(12)]);
    expect(delta.pages.flatMap((p) => p.merges)).toEqual([{ from: fixtureGuid(6), into: fixtureGuid(5) }]);
  });

  it('the version still grows when the clock has not moved (or went back)', async () => {
    const clock = manualClock(1_800_000_000_000);
    const { fixture, mis } = await setup({ clock });
    const first = await drain(mis, null, 50);
    fixture.control.editPatient(fixtureGuid(4), { name: 'Артемий' });
    clock.advance(-60_000);
    const delta = await drain(mis, first.cursor, 50);
    expect(cards(delta.pages)[0]!.version).toBe(1_800_000_000_001);
  });

  it('a restarted desk resumes from its stored position (the pass is in the state folder); a lost folder makes it start over', async () => {
    const first = await setup();
    const { cursor } = await drain(first.mis, null, 50);
    expect(readdirSync(first.stateDir).filter((name) => name.startsWith('odata-pass-'))).toHaveLength(1);
    first.fixture.control.editPatient(fixtureGuid(11), { surname: 'Фёдорова-Ким' });
    const restarted = await setup({ fixture: first.fixture, stateDir: first.stateDir });
    const delta = await drain(restarted.mis, cursor, 50);
    expect(cards(delta.pages).map((card) => card.surname)).toEqual(['Фёдорова-Ким']);
    const fresh = await setup({ fixture: first.fixture });
    const error = await fresh.mis.changesSince(cursor, 50).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMisError(error) && error.kind).toBe('rejected');
  });

  it('a page retried after a failure is served again, and the pass still completes with the right deletions', async () => {
    const { fixture, mis } = await setup();
    const first = await drain(mis, null, 50);
    const page1 = await mis.changesSince(first.cursor, 5);
    fixture.control.failNext(1, 500);
    const failed = await mis.changesSince(page1.nextCursor, 5).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMisError(failed) && failed.kind).toBe('unreachable');
    const rest = await drain(mis, page1.nextCursor, 5);
    expect(rest.pages.flatMap((p) => [...p.cards, ...p.deletions, ...p.merges])).toEqual([]);
  });

  it('reads one card by guid literal; null for an unknown, a deleted or a non-GUID id', async () => {
    const { fixture, mis } = await setup();
    expect(PatientCardSchema.parse(await mis.getCard(fixtureGuid(11).toUpperCase())).surname).toBe('Фёдорова');
    expect(fixture.control.requests.at(-1)!.path).toBe(`odata/standard.odata/Catalog_Пациенты(guid'${fixtureGuid(11)}')`);
    expect(await mis.getCard(fixtureGuid(999))).toBeNull();
    expect(await mis.getCard(fixtureGuid(9))).toBeNull();
    expect(await mis.getCard("x') or true")).toBeNull();
  });

  it('finds a caller whose number staff typed with punctuation, and a family sharing a number', async () => {
    const { mis } = await setup();
    const ids = async (raw: string) => (await mis.findByPhone(raw)).map((card) => PatientCardSchema.parse(card).misId).sort();
    expect(await ids('+79165550101')).toEqual([fixtureGuid(1)]);
    expect(await ids('89165550505')).toEqual([fixtureGuid(5), fixtureGuid(6)]);
    expect(await ids('+74955550203')).toEqual([fixtureGuid(2)]);
    expect(await ids('+79165550707')).toEqual([fixtureGuid(8)]);
    expect(await ids('нет номера')).toEqual([]);
  });

  it('searches the full name with substringof (lower-case input too) and a birth date as datetime', async () => {
    const { fixture, mis } = await setup();
    const ids = async (query: string) => (await mis.search(query)).map((card) => PatientCardSchema.parse(card).misId).sort();
    expect(await ids('кузнецов')).toEqual([fixtureGuid(5), fixtureGuid(6)]);
    expect(await ids("Кузнецов О'Нил")).toEqual([]);
    expect(await ids('Белова')).toEqual([fixtureGuid(8)]);
    expect(await ids('17.04.1988')).toEqual([fixtureGuid(1)]);
    expect(fixture.control.requests.at(-1)!.query.get('$filter')).toBe("DeletionMark eq false and ДатаРождения eq datetime'1988-04-17T00:00:00'");
  });

  it('refuses writes for good, saying why, so the undelivered list tells IT', async () => {
    const { mis } = await setup();
    const error = await mis.submit({ idempotencyKey: 'k', kind: 'wrapup', payload: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMisError(error) && error.kind === 'rejected' && error.permanent).toBe(true);
    expect((error as Error).message).toMatch(/read only/);
  });

  it('"test connection" reads $metadata: all set → ok with a read-only warning; nothing published → a warning at metadata', async () => {
    const { fixture, mis } = await setup();
    const ok = await runDiagnostics(mis.diagnostics!());
    expect(ok.steps.map((s) => [s.step, s.status])).toEqual([
      ['reach', 'ok'],
      ['tls', 'warning'],
      ['auth', 'ok'],
      ['metadata', 'ok'],
      ['read-patient', 'ok'],
      ['write-permission', 'warning'],
    ]);
    fixture.control.publishNothing(true);
    const nothing = await runDiagnostics(mis.diagnostics!());
    expect(nothing.ok).toBe(true);
    expect(nothing.steps.find((s) => s.step === 'metadata')).toMatchObject({ status: 'warning', detail: expect.stringContaining('published nothing') as string });
    expect(nothing.steps.find((s) => s.step === 'read-patient')?.status).toBe('warning');
  });

  it('"test connection" names an unpublished entity (listing what is published) and a field the mapping names but 1C lacks', async () => {
    const { fixture } = await setup();
    const wrongEntity = await setup({ fixture, mode: { entity: 'Catalog_Клиенты' } });
    const failedEntity = (await runDiagnostics(wrongEntity.mis.diagnostics!())).steps.find((s) => s.status === 'failed');
    expect(failedEntity).toMatchObject({ step: 'metadata', hint: 'checkPublication' });
    expect(failedEntity?.detail).toContain('Catalog_Пациенты');
    const wrongField = await setup({ fixture, mode: { fields: { snils: 'СтраховойНомер' } } });
    const failedField = (await runDiagnostics(wrongField.mis.diagnostics!())).steps.find((s) => s.status === 'failed');
    expect(failedField).toMatchObject({ step: 'metadata', hint: 'checkPublication', detail: expect.stringContaining('СтраховойНомер') as string });
  });

  it('a wrong password fails at auth; 1C answering garbage is a protocol error', async () => {
    const { fixture, mis } = await setup();
    const wrong = onecTestConnector(fixture.url, 'odata', { password: 'не тот' });
    cleanups.push(wrong.dispose);
    expect((await runDiagnostics(wrong.connector.diagnostics!())).steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials' });
    fixture.control.failNext(1, 'malformed');
    const error = await mis.changesSince(null, 5).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMisError(error) && error.kind).toBe('protocol');
  });
});
