import { afterEach, describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientCard } from '../../../../src-shared/patients/patient-card';
import { runDiagnostics } from '../mis/diagnostics';
import { isMisError, type MisChangesPage, type MisConnector, type MisErrorKind } from '../mis/mis-connector';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { systemClock } from '../../../../src-shared/time/clock';
import { silentLogger } from '../../log/logger';
import { HttpClient } from '../http/http-client';
import { configJsonSchema, secretPaths } from '../mis/mis-connectors';
import { FhirApi } from './fhir-api';
import { FhirR4ConfigSchema } from './fhir-config';
import { fhirR4Registration } from './index';
import { FIXTURE_PATIENTS, seedPatients } from './testing/fhir-fixture-data';
import { startFhirFixtureServer, type FhirFixtureOptions, type FhirFixtureServer } from './testing/fhir-fixture-server';
import { FIXTURE_PASSWORD, FIXTURE_USER, fhirTestConnector } from './testing/fhir-test-connector';
import { closedPort } from '../../testing/closed-port';

const servers: FhirFixtureServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fixture(options: FhirFixtureOptions = {}): Promise<FhirFixtureServer> {
  const server = await startFhirFixtureServer({ auth: { user: FIXTURE_USER, password: FIXTURE_PASSWORD }, ...options });
  servers.push(server);
  return server;
}

async function drain(connector: MisConnector, cursor: string | null, limit: number) {
  const pages: MisChangesPage[] = [];
  let position = cursor;
  for (let i = 0; i < 1_000; i++) {
    const page = await connector.changesSince(position, limit);
    pages.push(page);
    position = page.nextCursor;
    if (!page.hasMore) break;
  }
  return {
    pages,
    cursor: position!,
    ids: pages.flatMap((p) => p.cards.map((c) => (c as PatientCard).misId)),
    deletions: pages.flatMap((p) => p.deletions),
    merges: pages.flatMap((p) => p.merges),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

function kindOf(error: unknown): MisErrorKind | null {
  return isMisError(error) ? error.kind : null;
}


const wrapup = (key: string, misId: string | null = FIXTURE_PATIENTS.semenova) => ({
  idempotencyKey: key,
  kind: 'wrapup',
  payload: { localId: `wrapup:${key}`, callId: `call-${key}`, misId, category: 'Запись', outcome: 'resolved', note: 'Записана к терапевту на пятницу', acwSec: 20, savedAt: '2026-12-06T08:00:00.000Z' },
});

describe('fhir-r4: patient sync', () => {
  it('pages with _count and next links; every live patient once; inactive and merged as deletion and merge; the tie across pages kept', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const { pages, ids, deletions, merges } = await drain(connector, null, 1);
    expect(pages.length).toBeGreaterThan(10);
    const live = seedPatients()
      .filter((p) => p.active !== false)
      .map((p) => p.id);
    expect([...ids].sort()).toEqual([...live].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(deletions).toEqual([FIXTURE_PATIENTS.inactive]);
    expect(merges).toEqual([{ from: FIXTURE_PATIENTS.mergedFrom, into: FIXTURE_PATIENTS.mergedInto }]);
    // First request: the whole list by _lastUpdated; then the server's own next links.
    const searches = server.control.requests.filter((r) => r.path === '/fhir/Patient');
    expect(searches).toHaveLength(1);
    expect(searches[0]!.query).toEqual(expect.arrayContaining([['_count', '1'], ['_sort', '_lastUpdated']]));
    expect(server.control.requests.filter((r) => r.query.some(([k]) => k === '_getpages')).length).toBe(pages.length - 1);
    expect(pages[0]!.total).toBe(seedPatients().length);
    expect(pages[0]!.origins).toEqual([`Patient/${ids[0]}`]);
  });

  it('a delta asks _lastUpdated=ge the newest instant and does not deliver again the patients tied at it', async () => {
    // 1003 and 1004 share the newest lastUpdated.
    const server = await fixture({ patients: seedPatients().filter((p) => ['1001', '1002', '1003', '1004'].includes(p.id!)) });
    const connector = fhirTestConnector(server.url);
    const first = await drain(connector, null, 1);
    expect(first.ids).toHaveLength(4);
    const tie = server.control.read('Patient', '1003')!.meta!.lastUpdated;
    expect(server.control.read('Patient', '1004')!.meta!.lastUpdated).toBe(tie);
    server.control.clearRequests();
    const quiet = await drain(connector, first.cursor, 10);
    expect(quiet.ids).toEqual([]);
    expect(server.control.requests[0]!.query).toContainEqual(['_lastUpdated', `ge${tie}`]);
    // An edit arrives, with a higher version, and only it.
    server.control.editPatient('1002', { family: 'Иванов-Петров' });
    const delta = await drain(connector, quiet.cursor, 10);
    expect(delta.ids).toEqual(['1002']);
    const card = PatientCardSchema.parse(delta.pages[0]!.cards[0]);
    expect(card.surname).toBe('Иванов-Петров');
    expect(card.version).toBeGreaterThan(PatientCardSchema.parse(first.pages.flatMap((p) => p.cards).find((c) => (c as PatientCard).misId === '1002')).version);
  });

  it('a merge done in the MIS after the first sync arrives as a merge', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const first = await drain(connector, null, 50);
    server.control.merge(FIXTURE_PATIENTS.smirnova, FIXTURE_PATIENTS.kuznetsova);
    const delta = await drain(connector, first.cursor, 50);
    expect(delta.merges).toEqual([{ from: FIXTURE_PATIENTS.smirnova, into: FIXTURE_PATIENTS.kuznetsova }]);
    expect(delta.ids).toEqual([FIXTURE_PATIENTS.kuznetsova]);
  });

  it('a paged search the server forgot (410) starts its scan again instead of failing; nobody is lost', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const page1 = await connector.changesSince(null, 3);
    server.control.expirePages();
    const rest = await drain(connector, page1.nextCursor, 3);
    const all = new Set([...page1.cards.map((c) => (c as PatientCard).misId), ...rest.ids]);
    expect(all.size).toBe(seedPatients().filter((p) => p.active !== false).length);
  });

  it('follows paging over a hundred synthetic patients', async () => {
    const server = await fixture({ syntheticPatients: 120 });
    const connector = fhirTestConnector(server.url, { pageSize: 50 });
    const { ids, pages } = await drain(connector, null, 250);
    expect(pages).toHaveLength(3);
    expect(ids.filter((id) => id.startsWith('syn-'))).toHaveLength(120);
    expect(pages.flatMap((p) => p.cards).every((card) => PatientCardSchema.safeParse(card).success || (card as PatientCard).misId === FIXTURE_PATIENTS.noFamily)).toBe(true);
  });

  it('a cursor it did not issue is rejected', async () => {
    const server = await fixture();
    const error = await failureOf(fhirTestConnector(server.url).changesSince('demo1:42', 10));
    expect(kindOf(error)).toBe('rejected');
  });

  it('getCard: a live card; null for an unknown, inactive or merged-away id', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    expect(PatientCardSchema.parse(await connector.getCard(FIXTURE_PATIENTS.yolkin)).surname).toBe('Ёлкин');
    expect(await connector.getCard('nope')).toBeNull();
    expect(await connector.getCard(FIXTURE_PATIENTS.inactive)).toBeNull();
    expect(await connector.getCard(FIXTURE_PATIENTS.mergedFrom)).toBeNull();
    expect(await connector.getCard('../metadata')).toBeNull();
  });
});

describe('fhir-r4: lookups', () => {
  it('findByPhone asks the canonical forms in one OR request and finds a number stored without +', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    server.control.clearRequests();
    const found = (await connector.findByPhone('+79031112233')).map((c) => PatientCardSchema.parse(c).misId);
    expect(found).toEqual([FIXTURE_PATIENTS.ivanov]);
    expect(server.control.requests.map((r) => r.query.find(([k]) => k === 'phone')?.[1])).toEqual(['+79031112233,79031112233,89031112233,9031112233']);
  });

  it('a number stored with punctuation is found by the second try, whatever form the caller id has', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    for (const raw of ['+79161234567', '89161234567', '9161234567']) {
      server.control.clearRequests();
      expect((await connector.findByPhone(raw)).map((c) => (c as PatientCard).misId), raw).toEqual([FIXTURE_PATIENTS.semenova]);
      expect(server.control.requests).toHaveLength(2);
    }
  });

  it('a merged duplicate is never a second card: the number shared by the pair finds the survivor only; an inactive patient is not found', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    expect((await connector.findByPhone('+79057778899')).map((c) => (c as PatientCard).misId)).toEqual([FIXTURE_PATIENTS.mergedInto]);
    expect(await connector.findByPhone('+79163334455')).toEqual([]);
  });

  it('a merged-away patient found alone leads to the survivor', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    server.control.editPatient(FIXTURE_PATIENTS.mergedInto, { phone: '+79000000000' });
    expect((await connector.findByPhone('+79057778899')).map((c) => (c as PatientCard).misId)).toEqual([FIXTURE_PATIENTS.mergedInto]);
  });

  it('a server that ignores the phone parameter cannot make every patient a caller', async () => {
    const server = await fixture({ ignoreParams: ['phone'] });
    const connector = fhirTestConnector(server.url);
    expect((await connector.findByPhone('+79031112233')).map((c) => (c as PatientCard).misId)).toEqual([FIXTURE_PATIENTS.ivanov]);
    expect(await connector.findByPhone('+79990001122')).toEqual([]);
    expect(await connector.findByPhone('not a phone')).toEqual([]);
  });

  it('a server that ignores _lastUpdated: a delta still delivers only what changed', async () => {
    const server = await fixture({ ignoreParams: ['_lastUpdated'] });
    const connector = fhirTestConnector(server.url);
    const first = await drain(connector, null, 100);
    expect((await drain(connector, first.cursor, 100)).ids).toEqual([]);
    server.control.editPatient(FIXTURE_PATIENTS.yolkin, { phone: '+79160000000' });
    expect((await drain(connector, first.cursor, 100)).ids).toEqual([FIXTURE_PATIENTS.yolkin]);
  });

  it('search: a surname with ё or е, name words, a birth date, an ОМС policy, a СНИЛС printed or bare; never the inactive or merged', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const ids = async (query: string) => (await connector.search(query)).map((c) => (c as PatientCard).misId).sort();
    expect(await ids('Семенова')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('семёнова алёна')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('Елкин')).toEqual([FIXTURE_PATIENTS.yolkin]);
    expect(await ids('12.03.1985')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('Семенова 1985-03-12')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('Семенова 1990-01-01')).toEqual([]);
    expect(await ids('7799 0000 1111 2222')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('112-233-445 95')).toEqual([FIXTURE_PATIENTS.semenova]);
    expect(await ids('22334455600')).toEqual([]);
    expect(await ids('Петрова')).toEqual([FIXTURE_PATIENTS.mergedInto]);
    expect(await ids('Сидоров')).toEqual([]);
    expect(await ids('')).toEqual([]);
  });
});

describe('fhir-r4: writes', () => {
  it('a wrap-up is one Communication (conditional create): applied, then duplicate with the same ref', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const first = await connector.submit(wrapup('wrapup-k1'));
    const second = await connector.submit(wrapup('wrapup-k1'));
    expect(first.status).toBe('applied');
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(first.ref).toMatch(/^Communication\/\w+/);
    const [note, ...more] = server.control.communications();
    expect(more).toEqual([]);
    expect(note).toMatchObject({
      status: 'completed',
      identifier: [{ system: 'urn:registratura:outbox', value: 'wrapup-k1' }],
      subject: { reference: `Patient/${FIXTURE_PATIENTS.semenova}` },
      sent: '2026-12-06T08:00:00.000Z',
      payload: [{ contentString: 'Запись: Записана к терапевту на пятницу' }],
    });
    const post = server.control.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/fhir/Communication');
  });

  it('a lost answer (the connection dropped after the write) is unreachable; the retry finds the first one', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    server.control.loseNextWriteAnswer({ mode: 'drop' });
    expect(kindOf(await failureOf(connector.submit(wrapup('wrapup-k2'))))).toBe('unreachable');
    expect((await connector.submit(wrapup('wrapup-k2'))).status).toBe('duplicate');
    expect(server.control.countWithIdentifier('Communication', 'wrapup-k2')).toBe(1);
  });

  it('an answer later than the timeout is a timeout; the retry is a duplicate; exactly one Communication', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url, { timeoutSec: 0.3 });
    server.control.loseNextWriteAnswer({ mode: 'delay', delayMs: 1_000 });
    expect(kindOf(await failureOf(connector.submit(wrapup('wrapup-k3'))))).toBe('timeout');
    expect((await connector.submit(wrapup('wrapup-k3'))).status).toBe('duplicate');
    expect(server.control.countWithIdentifier('Communication', 'wrapup-k3')).toBe(1);
  });

  it('a callback outcome is a Task; a new patient a Patient that the next sync brings', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const first = await drain(connector, null, 100);
    const task = await connector.submit({ idempotencyKey: 'callback:1:1:2', kind: 'callback-outcome', payload: { number: '+79161234567', outcome: 'reached', reasons: ['missed'], count: 2, firstAt: 1_765_000_000_000, at: 1_765_000_100_000, agent: '101' } });
    expect(task.ref).toMatch(/^Task\//);
    expect(server.control.resources('Task')[0]).toMatchObject({ status: 'completed', description: 'Перезвон на +79161234567: дозвонились', owner: { display: 'оператор 101' } });
    const made = await connector.submit({
      idempotencyKey: 'new-patient-1',
      kind: 'new-patient',
      payload: { localId: 'draft-1', callId: 'c1', phone: '+79265550000', surname: 'Новикова', givenName: 'Дарья', patronymic: 'Андреевна', birthDate: '2000-02-29', note: null, createdAt: '2026-12-06T08:00:00Z' },
    });
    expect(made.status).toBe('applied');
    expect((await connector.submit({ idempotencyKey: 'new-patient-1', kind: 'new-patient', payload: { localId: 'draft-1', phone: '+79265550000', surname: 'Новикова', givenName: 'Дарья' } })).status).toBe('duplicate');
    const delta = await drain(connector, first.cursor, 100);
    const card = PatientCardSchema.parse(delta.pages.flatMap((p) => p.cards)[0]);
    expect(card).toMatchObject({ misId: made.ref.slice('Patient/'.length), surname: 'Новикова', givenName: 'Дарья', patronymic: 'Андреевна', birthDate: '2000-02-29' });
    expect(card.phones).toEqual([{ e164: '+79265550000', national10: '9265550000', kind: 'mobile' }]);
  });

  it('an invalid payload or an unknown kind is rejected (permanent), naming fields, never values', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    const bad = await failureOf(connector.submit({ idempotencyKey: 'k', kind: 'wrapup', payload: { callId: 'c', note: 'Секрет пациента', savedAt: null } }));
    expect(kindOf(bad)).toBe('rejected');
    expect((bad as Error).message).toContain('savedAt');
    expect((bad as Error).message).not.toContain('Секрет');
    expect(kindOf(await failureOf(connector.submit({ idempotencyKey: 'k', kind: 'note', payload: {} })))).toBe('rejected');
    expect(kindOf(await failureOf(connector.submit({ idempotencyKey: '', kind: 'wrapup', payload: {} })))).toBe('rejected');
  });

  it('writes turned off in the settings are kept on the desk: applied without a request; bookings off hide booking', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url, { writes: { notes: false, callbacks: true, newPatients: true, bookings: false, callListOutcomes: true } });
    expect(await connector.submit(wrapup('wrapup-off'))).toEqual({ status: 'applied', ref: 'not-sent' });
    expect(server.control.communications()).toEqual([]);
    expect(connector.manifest.capabilities).not.toContain('booking');
    expect(connector.manifest.capabilities).toContain('submit');
    const none = fhirTestConnector(server.url, { writes: { notes: false, callbacks: false, newPatients: false, bookings: false, callListOutcomes: false } });
    expect(none.manifest.push).toBe('none');
    expect(none.manifest.capabilities).not.toContain('submit');
  });
});

describe('fhir-r4: failures', () => {
  const cases: [Parameters<FhirFixtureServer['control']['failNext']>[0], MisErrorKind, RegExp | null][] = [
    [401, 'auth', /401/],
    [403, 'auth', /Доступ запрещён/],
    [429, 'unreachable', /429.*retry after 1/],
    [500, 'unreachable', /NullPointerException/],
    ['malformed-json', 'protocol', /not JSON/],
    ['html', 'protocol', /not JSON.*text\/html/],
    ['drop', 'unreachable', null],
    ['hang', 'timeout', /did not answer/],
  ];
  for (const [fault, kind, message] of cases) {
    it(`${fault} → ${kind}${message ? ', with the server’s words' : ''}`, async () => {
      const server = await fixture();
      const connector = fhirTestConnector(server.url, { timeoutSec: 0.3 });
      server.control.failNext(fault);
      const error = await failureOf(connector.changesSince(null, 10));
      expect(kindOf(error)).toBe(kind);
      if (message) expect((error as Error).message).toMatch(message);
      // The next request goes through.
      expect((await connector.changesSince(null, 10)).cards.length).toBeGreaterThan(0);
    });
  }

  it('the message never carries a patient’s data from a malformed body', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    server.control.failNext('malformed-json');
    const error = (await failureOf(connector.findByPhone('+79161234567'))) as Error;
    expect(error.message).not.toContain('1001');
  });

  it('a refused write reads the OperationOutcome into the message, and 5xx on a write is transient', async () => {
    const server = await fixture();
    const connector = fhirTestConnector(server.url);
    server.control.failNext(500, 1, { method: 'POST' });
    const error = await failureOf(connector.submit(wrapup('wrapup-k5')));
    expect(isMisError(error) && error.kind === 'unreachable' && !error.permanent).toBe(true);
    expect((error as Error).message).toContain('fatal: Internal server error');
  });
});

describe('fhir-r4: authentication and test connection', () => {
  it('"test connection" passes every step on the fixture (plain http is a warning)', async () => {
    const server = await fixture();
    const result = await runDiagnostics(fhirTestConnector(server.url).diagnostics());
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['reach', 'ok'],
      ['tls', 'warning'],
      ['auth', 'ok'],
      ['read-patient', 'ok'],
      ['read-schedule', 'ok'],
      ['write-permission', 'ok'],
    ]);
    expect(result.steps.find((s) => s.step === 'read-patient')!.detail).toMatch(/Read 1 patient of 12; server FHIR 4\.0\.1/);
  });

  it('a wrong password fails at auth with checkCredentials; no credentials where the server wants some too', async () => {
    const server = await fixture();
    const wrong = await runDiagnostics(fhirTestConnector(server.url, { auth: { type: 'basic', user: FIXTURE_USER, password: 'x' } }).diagnostics());
    expect(wrong.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials' });
    expect(wrong.steps.filter((s) => s.status === 'skipped').map((s) => s.step)).toEqual(['read-patient', 'read-schedule', 'write-permission']);
    const none = await runDiagnostics(fhirTestConnector(server.url, { auth: { type: 'none' } }).diagnostics());
    expect(none.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials', detail: expect.stringContaining('none are configured') });
  });

  it('a closed port fails at reach', async () => {
    const port = await closedPort();
    const result = await runDiagnostics(fhirTestConnector(`http://127.0.0.1:${port}/fhir`).diagnostics());
    expect(result.steps[0]).toMatchObject({ step: 'reach', status: 'failed', hint: 'checkHostAndPort' });
  });

  it('without a CapabilityStatement: auth still checked; write permission is a warning', async () => {
    const server = await fixture({ noCapabilityStatement: true });
    const result = await runDiagnostics(fhirTestConnector(server.url).diagnostics());
    expect(result.ok).toBe(true);
    expect(result.steps.find((s) => s.step === 'auth')!.detail).toContain('no CapabilityStatement');
    expect(result.steps.find((s) => s.step === 'write-permission')!.status).toBe('warning');
  });

  it('no schedule published: read-schedule is a warning, not a failure', async () => {
    const server = await fixture({ schedule: false });
    const result = await runDiagnostics(fhirTestConnector(server.url).diagnostics());
    expect(result.ok).toBe(true);
    expect(result.steps.find((s) => s.step === 'read-schedule')!.status).toBe('warning');
  });

  it('bearer token: accepted; a wrong one is auth', async () => {
    const server = await fixture({ auth: { token: 'desk-token-1' } });
    expect(kindOf(await failureOf(fhirTestConnector(server.url, { auth: { type: 'bearer', token: 'other' } }).changesSince(null, 5)))).toBe('auth');
    expect((await fhirTestConnector(server.url, { auth: { type: 'bearer', token: 'desk-token-1' } }).changesSince(null, 5)).cards.length).toBeGreaterThan(0);
  });

  it('OAuth2 client credentials (SMART backend services): one token for many requests; a wrong secret is auth', async () => {
    const server = await fixture({ auth: { clientId: 'desk', clientSecret: 's3cret' } });
    const connector = fhirTestConnector(server.url, { auth: { type: 'client-credentials', tokenUrl: server.tokenUrl, clientId: 'desk', clientSecret: 's3cret', scope: 'system/*.read' } });
    await drain(connector, null, 3);
    expect(server.control.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
    const wrong = fhirTestConnector(server.url, { auth: { type: 'client-credentials', tokenUrl: server.tokenUrl, clientId: 'desk', clientSecret: 'nope' } });
    expect(kindOf(await failureOf(wrong.changesSince(null, 3)))).toBe('auth');
    const result = await runDiagnostics(wrong.diagnostics());
    expect(result.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials' });
  });

  it('a next link written with the server’s inner address is followed on the configured server', () => {
    const api = new FhirApi(new HttpClient({ baseUrl: 'https://mis.clinic.local/fhir', auth: { type: 'none' } }));
    expect(api.onServer('http://hapi:8080/fhir?_getpages=abc&_getpagesoffset=20')).toBe('https://mis.clinic.local/fhir?_getpages=abc&_getpagesoffset=20');
    expect(api.onServer('http://evil.example/other/path')).toBe('http://evil.example/other/path');
    expect(api.onServer('Patient')).toBe('Patient');
  });
});

describe('fhir-r4: health and settings', () => {
  it('health reads the CapabilityStatement, or one patient from a server without one; a refusal is auth', async () => {
    const server = await fixture();
    expect((await fhirTestConnector(server.url).health()).state).toBe('online');
    const bare = await fixture({ noCapabilityStatement: true });
    expect((await fhirTestConnector(bare.url).health()).state).toBe('online');
    expect(bare.control.requests.map((r) => r.path)).toEqual(['/fhir/metadata', '/fhir/Patient']);
    expect(kindOf(await failureOf(fhirTestConnector(bare.url, { auth: { type: 'basic', user: 'x', password: 'y' } }).health()))).toBe('auth');
  });

  it('the settings form: secrets in password boxes, auth fields shown by type, defaults filled in; unknown keys and other schemes refused', () => {
    const fields = connectorFormFields(configJsonSchema(fhirR4Registration.manifest));
    const byPath = new Map(fields.map((f) => [f.path, f]));
    expect(byPath.get('baseUrl')?.type).toBe('url');
    expect(byPath.get('auth.type')?.options?.map((o) => o.value)).toEqual(['none', 'basic', 'bearer', 'client-credentials']);
    expect(byPath.get('auth.password')).toMatchObject({ type: 'secret', showWhen: { path: 'auth.type', equals: 'basic' } });
    expect(secretPaths(fhirR4Registration.manifest)).toEqual(['auth.password', 'auth.token', 'auth.clientSecret']);
    const parsed = FhirR4ConfigSchema.parse({ baseUrl: 'https://mis.clinic.local/fhir' });
    expect(parsed).toMatchObject({ auth: { type: 'none' }, pageSize: 100, syncIntervalSec: 60, timeoutSec: 15, writes: { notes: true, bookings: true } });
    expect(parsed.identifierSystems.oms).toBe('urn:oid:1.2.643.2.69.1.1.1.6.228');
    expect(FhirR4ConfigSchema.safeParse({ baseUrl: 'ftp://mis/fhir' }).success).toBe(false);
    expect(FhirR4ConfigSchema.safeParse({ baseUrl: 'https://mis/fhir', extra: 1 }).success).toBe(false);
    expect(FhirR4ConfigSchema.safeParse({ baseUrl: 'https://mis/fhir', pageSize: 5000 }).success).toBe(false);
    expect(FhirR4ConfigSchema.safeParse({ baseUrl: 'https://mis/fhir', auth: { type: 'basic', user: 'u' } }).success).toBe(false);
  });

  it('the registration makes a connector polling every syncIntervalSec, pulling "since" and pushing idempotently', () => {
    const connector = fhirR4Registration.create({ config: { baseUrl: 'http://127.0.0.1:1/fhir', syncIntervalSec: 30 }, stateDir: '/tmp/none', logger: silentLogger, clock: systemClock });
    expect(connector.pollIntervalMs).toBe(30_000);
    expect(connector.manifest).toMatchObject({ id: 'fhir-r4', kind: 'mis', pull: 'since', push: 'idempotent', title: 'FHIR R4' });
    expect(connector.manifest.capabilities).toEqual(['changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'schedule', 'booking']);
  });
});
