import { afterEach, describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientCard } from '../../../../src-shared/patients/patient-card';
import { SlotSchema } from '../../../../src-shared/schedule/schedule-model';
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

async function setup(options: { encoding?: 'utf-8' | 'windows-1251'; password?: string; timeoutSec?: number; mode?: Record<string, unknown> } = {}): Promise<{ fixture: OnecFixtureServer; mis: MisConnector }> {
  const fixture = await startOnecFixtureServer({ user: FIXTURE_USER, password: FIXTURE_PASSWORD, ...(options.encoding && { encoding: options.encoding }) });
  cleanups.push(() => fixture.close());
  const made = onecTestConnector(fixture.url, 'http-service', { ...(options.password !== undefined && { password: options.password }), timeoutSec: options.timeoutSec ?? 5, ...(options.mode && { mode: options.mode }) });
  cleanups.push(made.dispose);
  return { fixture, mis: made.connector };
}

const drain = drainChanges;

const cards = (pages: MisChangesPage[]) => pages.flatMap((page) => page.cards).map((card) => PatientCardSchema.parse(card));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('onec-http, HTTP service', () => {
  it('a first sync pages by 1C change number to the end: every live patient once, the merged pair and the deleted one named', async () => {
    const { fixture, mis } = await setup();
    const { pages } = await drain(mis, null, 5);
    expect(pages.length).toBe(3);
    expect(pages[0]!.total).toBe(12);
    const since = fixture.control.requests.filter((r) => r.path.endsWith('patients/changes')).map((r) => r.query.get('since'));
    expect(since).toEqual(['0', '5', '10']);
    expect(cards(pages)).toHaveLength(10);
    expect(pages.flatMap((p) => p.merges)).toEqual([{ from: fixtureGuid(7), into: fixtureGuid(8) }]);
    expect(pages.flatMap((p) => p.deletions)).toEqual([fixtureGuid(9)]);
  });

  for (const declareCharset of [true, false]) {
    it(`reads windows-1251 bodies ${declareCharset ? 'with charset=windows-1251' : 'without a charset (guessed)'}: ё, empty dates, Да/Нет`, async () => {
      const { fixture, mis } = await setup({ encoding: 'windows-1251' });
      fixture.control.setEncoding('windows-1251', { declareCharset });
      const all = cards((await drain(mis, null, 50)).pages);
      const byId = new Map(all.map((card) => [card.misId, card]));
      expect(byId.get(fixtureGuid(2))).toMatchObject({ surname: 'Ёлкин', givenName: 'Пётр', patronymic: 'Семёнович', lastVisit: '2026-10-01' });
      const alena = byId.get(fixtureGuid(1))!;
      expect(alena).toMatchObject({ surname: 'Новосельцева', givenName: 'Алёна', lastVisit: null, snils: '11223344595', omsPolicy: '7755123456789012' });
      expect(alena.flags).toMatchObject({ vip: true, consentSms: true, consentCalls: false });
      expect(alena.appointments[0]).toMatchObject({ startsAt: '2026-12-10T09:30:00+03:00', doctor: 'Смирнова Ольга Петровна', status: 'booked' });
      expect(byId.get(fixtureGuid(10))).toMatchObject({ patronymic: null, sex: 'unknown' });
    });
  }

  it('an edit, a deletion and a merge in 1C arrive after the cursor, and nothing else', async () => {
    const { fixture, mis } = await setup();
    const { cursor } = await drain(mis, null, 50);
    expect((await mis.changesSince(cursor, 50)).cards).toEqual([]);
    fixture.control.editPatient(fixtureGuid(3), { surname: 'Григорьева-Новикова' });
    fixture.control.markDeleted(fixtureGuid(12));
    fixture.control.markDeleted(fixtureGuid(6), fixtureGuid(5));
    const delta = await mis.changesSince(cursor, 50);
    expect(cards([delta]).map((card) => [card.misId, card.surname, card.version])).toEqual([[fixtureGuid(3), 'Григорьева-Новикова', 2]]);
    expect(delta.deletions).toEqual([fixtureGuid(12)]);
    expect(delta.merges).toEqual([{ from: fixtureGuid(6), into: fixtureGuid(5) }]);
  });

  it('finds callers by any form of the number, a family sharing one, and by name with ё or е', async () => {
    const { fixture, mis } = await setup();
    const ids = async (promise: Promise<unknown[]>) => (await promise).map((card) => PatientCardSchema.parse(card).misId).sort();
    expect(await ids(mis.findByPhone('8 (916) 555-05-05'))).toEqual([fixtureGuid(5), fixtureGuid(6)]);
    expect(fixture.control.requests.at(-1)!.query.get('phone')).toBe('+79165550505');
    expect(await ids(mis.findByPhone('+79165550909'))).toEqual([]);
    expect(await mis.findByPhone('12')).toEqual([]);
    expect(await ids(mis.search('елкин пётр'))).toEqual([fixtureGuid(2)]);
    expect(await mis.search('   ')).toEqual([]);
  });

  it('reads one card, and null for a patient 1C does not know', async () => {
    const { mis } = await setup();
    expect(PatientCardSchema.parse(await mis.getCard(fixtureGuid(11))).surname).toBe('Фёдорова');
    expect(await mis.getCard(fixtureGuid(999))).toBeNull();
  });

  it('sends a note once per key: a retry is a duplicate, a lost answer is a timeout and the retry finds it applied', async () => {
    const { fixture, mis } = await setup({ timeoutSec: 0.3 });
    const note = (key: string) => ({ idempotencyKey: key, kind: 'callback-outcome', payload: { number: '+79165550101', outcome: 'reached', reasons: [], count: 1, firstAt: '2026-12-06T09:00:00+03:00', at: '2026-12-06T09:20:00+03:00', agent: '101' } });
    const first = await mis.submit(note('k-1'));
    const again = await mis.submit(note('k-1'));
    expect(first.status).toBe('applied');
    expect(again).toEqual({ status: 'duplicate', ref: first.ref });
    fixture.control.loseNextAnswer();
    const lost = await failure(mis.submit(note('k-2')));
    expect(isMisError(lost) && lost.kind === 'timeout' && !lost.permanent).toBe(true);
    expect((await mis.submit(note('k-2'))).status).toBe('duplicate');
    expect([fixture.control.notesFor('k-2'), fixture.control.writeRequestsFor('k-2')]).toEqual([1, 2]);
    expect(fixture.control.noteOf('k-1')?.kind).toBe('callback-outcome');
  });

  it('books a slot; a slot taken meanwhile is refused as slot-taken; a broken booking payload is never sent', async () => {
    const { fixture, mis } = await setup();
    const booking = (key: string, slot: number) => ({
      idempotencyKey: key,
      kind: 'booking.create',
      payload: { localId: key, patientMisId: fixtureGuid(1), slotId: fixtureGuid(slot), doctorId: fixtureGuid(4101), serviceId: fixtureGuid(4201), startsAt: '2026-12-07T09:00:00+03:00', callId: null },
    });
    const made = await mis.submit(booking('b-1', 5001));
    expect(made).toMatchObject({ status: 'applied', appointmentId: expect.any(String) as string });
    fixture.control.takeSlot(fixtureGuid(5002));
    const taken = await failure(mis.submit(booking('b-2', 5002)));
    expect(isMisError(taken) && taken.permanent && taken.rejection).toBe('slot-taken');
    const broken = await failure(mis.submit({ idempotencyKey: 'b-3', kind: 'booking.create', payload: { slotId: 'x' } }));
    expect(isMisError(broken) && broken.kind).toBe('rejected');
    expect(fixture.control.writeRequestsFor('b-3')).toBe(0);
  });

  it('reads the schedule: 1C times on the clinic clock, empty references as none', async () => {
    const { mis } = await setup();
    const page = await mis.streamChangesSince!('slots', null, 50, { today: '2026-12-07', horizonDays: 14 });
    const slots = page.records.map((record) => SlotSchema.parse(record));
    expect(slots[0]).toMatchObject({ startsAt: '2026-12-07T09:00:00+03:00', state: 'free', patientMisId: null, appointmentId: null, serviceId: null });
    expect(page.hasMore).toBe(false);
  });

  it('turns 1C failures into error kinds the desk acts on: 401 auth, 500 unreachable, a broken body protocol, a foreign cursor rejected', async () => {
    const { fixture, mis } = await setup();
    const kinds: unknown[] = [];
    for (const fault of [401, 500, 'malformed'] as const) {
      fixture.control.failNext(1, fault);
      const error = await failure(mis.changesSince(null, 5));
      kinds.push(isMisError(error) ? error.kind : error);
    }
    kinds.push(((await failure(mis.changesSince('hs1:999', 5))) as { kind?: string }).kind);
    kinds.push(((await failure(mis.changesSince('odata-cursor', 5))) as { kind?: string }).kind);
    expect(kinds).toEqual(['auth', 'unreachable', 'protocol', 'rejected', 'rejected']);
    const malformed = await (fixture.control.failNext(1, 'malformed'), failure(mis.search('Ёлкин')));
    expect(String((malformed as Error).message)).not.toMatch(/Ёлкин|9b2f/);
  });

  it('"test connection": every step passes; a wrong password fails at auth; an unpublished service at auth with checkPublication', async () => {
    const { fixture, mis } = await setup();
    const ok = await runDiagnostics(mis.diagnostics!());
    expect(ok.steps.map((s) => [s.step, s.status])).toEqual([
      ['reach', 'ok'],
      ['tls', 'warning'],
      ['auth', 'ok'],
      ['metadata', 'ok'],
      ['read-patient', 'ok'],
      ['read-schedule', 'ok'],
      ['write-permission', 'ok'],
    ]);
    const wrong = onecTestConnector(fixture.url, 'http-service', { password: 'не тот' });
    cleanups.push(wrong.dispose);
    expect((await runDiagnostics(wrong.connector.diagnostics!())).steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials' });
    const unpublished = onecTestConnector(fixture.url, 'http-service', { mode: { servicePath: 'hs/other/v1' } });
    cleanups.push(unpublished.dispose);
    expect((await runDiagnostics(unpublished.connector.diagnostics!())).steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkPublication' });
  });

  it('an unreachable 1C server: "test connection" fails at reach, calls fail as unreachable', async () => {
    const { fixture } = await setup();
    const url = fixture.url;
    await fixture.close();
    const gone = onecTestConnector(url, 'http-service');
    cleanups.push(gone.dispose);
    expect((await runDiagnostics(gone.connector.diagnostics!())).steps[0]).toMatchObject({ step: 'reach', status: 'failed', hint: 'checkHostAndPort' });
    const error = await failure(gone.connector.changesSince(null, 5));
    expect(isMisError(error) && error.kind).toBe('unreachable');
  });

  it('keeps versions growing per card as 1C changes it', async () => {
    const { fixture, mis } = await setup();
    const { cursor } = await drain(mis, null, 50);
    fixture.control.editPatient(fixtureGuid(4), { name: 'Артемий' });
    const first = cards([await mis.changesSince(cursor, 50)])[0] as PatientCard;
    fixture.control.editPatient(fixtureGuid(4), { name: 'Артём' });
    const second = cards([await mis.changesSince(cursor, 50)])[0] as PatientCard;
    expect(second.version).toBeGreaterThan(first.version);
  });
});
