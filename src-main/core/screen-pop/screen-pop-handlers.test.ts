import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventName, RequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import type { CallRecord } from '../../../src-shared/calls/calls-contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { wrapUpKey } from '../calls/wrap-ups';
import { createCore, type Core } from '../core';
import { syntheticPatient } from '../demo/synthetic-patients';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';

const context = { host: 'web' as const, client: 't' };
const PATIENTS = 400;
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
});

/**
 * The outbox sender sleeps until woken (no timers) and its backoff is a few milliseconds: the
 * test decides when the sender runs by waking it, and a wake drains what is due. (Not zero: a
 * transient failure due again at once would be claimed again within the same drain.)
 */
const wakeOnlyClock = {
  random: () => 0.001,
  clock: { now: () => Date.now(), setTimeout: () => 0, clearTimeout: () => {} },
};

/** A real core on a small demo clinic, its first sync done, with events and log captured. */
async function startCore(dataDir = mkdtempSync(join(tmpdir(), 'rg-pop-')), pbxId = 'demo') {
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const settings = { ...structuredClone(DEFAULT_SETTINGS), connectors: { mis: { id: 'demo', config: { evolveIntervalMs: 0 } }, pbx: { id: pbxId, config: {} } } };
  const logs: LogRecord[] = [];
  const core = createCore({
    host: 'web',
    version: 't',
    dataDir,
    settingsStorage: new MemorySettingsStorage(settings),
    secrets,
    logger: createLogger([(record) => logs.push(record)], 'debug'),
    cacheSizeMb: 8,
    demo: { patients: PATIENTS },
    outboxClock: wakeOnlyClock,
  });
  cores.push(core);
  const events: { name: EventName; payload: unknown }[] = [];
  core.events.subscribe((name, payload) => events.push({ name, payload }));
  await core.start();
  await vi.waitFor(() => expect(core.cache.status().cards).toBe(PATIENTS), { timeout: 20_000, interval: 5 });
  const demo = core.demoClinic!.mis!;
  async function request<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>> {
    const result = await core.dispatcher.dispatch(name, input, context);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as RequestOutput<N>;
  }
  const attempt = (name: RequestName, input: unknown) => core.dispatcher.dispatch(name, input, context);
  return { core, demo, events, logs, request, attempt, dataDir };
}

/** A number several cached cards share (a child carrying a parent's mobile), and those cards. */
function sharedNumber(): { national10: string; misIds: string[] } {
  for (let index = 1; index < PATIENTS; index++) {
    const card = syntheticPatient(index, 1);
    const relative = card.phones.find((phone) => phone.kind === 'relative');
    const parent = syntheticPatient(index - 1, 1);
    if (relative && parent.phones.some((phone) => phone.e164 === relative.e164)) {
      const misIds = [...Array(PATIENTS).keys()].map((i) => syntheticPatient(i, 1)).filter((c) => c.phones.some((p) => p.e164 === relative.e164)).map((c) => c.misId);
      return { national10: relative.national10, misIds };
    }
  }
  throw new Error('the demo clinic has no shared number');
}

/** A patient with exactly one card on its own mobile. */
function soleOwner(): PatientCard {
  for (let index = 0; index < PATIENTS; index++) {
    const card = syntheticPatient(index, 1);
    const mobile = card.phones.find((phone) => phone.kind === 'mobile');
    if (!mobile) continue;
    const owners = [...Array(PATIENTS).keys()].filter((i) => syntheticPatient(i, 1).phones.some((p) => p.e164 === mobile.e164));
    if (owners.length === 1) return card;
  }
  throw new Error('no sole owner');
}

const UNKNOWN = '+7 999 000-00-01';

function answeredCall(id: string, number: string, startedAt = new Date().toISOString()): CallRecord {
  const start = Date.parse(startedAt);
  return { id, direction: 'incoming', number, displayName: '', startedAt, answeredAt: new Date(start + 3_000).toISOString(), endedAt: new Date(start + 63_000).toISOString(), outcome: 'answered' };
}

describe('screen pop warm-up at start', () => {
  it('a core starting on a filled cache runs the lookup path three times with a cached number; nothing logged with the number, nothing audited', async () => {
    const first = await startCore();
    await first.core.stop();
    const { core, logs } = await startCore(first.dataDir);
    const warmUps = logs.filter((record) => record.event === 'screen-pop.lookup');
    expect(warmUps.map((record) => record.context?.['callId'])).toEqual(['screen-pop-warm-up-core-0', 'screen-pop-warm-up-core-1', 'screen-pop-warm-up-core-2']);
    expect(warmUps.every((record) => Number(record.context?.['matches']) >= 1)).toBe(true);
    const number = core.cache.samplePhone()!;
    expect(JSON.stringify(logs)).not.toContain(number.slice(-10));
    expect(core.journal.stores!.audit.verify()).toEqual({ ok: true, checked: 0, firstBrokenSeq: null });
  });
});

describe('screenPop.lookup', () => {
  it('finds a cached patient by the number in any format the phone or PBX gives it', async () => {
    const { request } = await startCore();
    const patient = soleOwner();
    const national10 = patient.phones.find((p) => p.kind === 'mobile')!.national10;
    const formats = [`+7${national10}`, `8${national10}`, `7${national10}`, national10, `8 (${national10.slice(0, 3)}) ${national10.slice(3, 6)}-${national10.slice(6, 8)}-${national10.slice(8)}`];
    for (const number of formats) {
      const found = await request('screenPop.lookup', { callId: 'c-format', number, source: 'sip' });
      expect(found.numberKey).toBe(`+7${national10}`);
      expect(found.matches.map((card) => card.misId)).toEqual([patient.misId]);
      expect(found.matches[0]!.surname).toBe(patient.surname);
      expect(found.chosenMisId).toBeNull();
      expect(found.dataAsOf).not.toBeNull();
      expect(found.lookupMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('a shared family number returns every card, and the card picked in the chooser comes first next time', async () => {
    const { request } = await startCore();
    const { national10, misIds } = sharedNumber();
    expect(misIds.length).toBeGreaterThanOrEqual(2);
    const first = await request('screenPop.lookup', { callId: 'c-family-1', number: `+7${national10}`, source: 'sip' });
    expect(first.matches.map((card) => card.misId).sort()).toEqual([...misIds].sort());
    expect(first.chosenMisId).toBeNull();
    const picked = first.matches[first.matches.length - 1]!.misId;
    expect(await request('screenPop.show', { callId: 'c-family-1', misId: picked, chosen: true })).toEqual({ recorded: true });

    const second = await request('screenPop.lookup', { callId: 'c-family-2', number: `8${national10}`, source: 'pbx' });
    expect(second.chosenMisId).toBe(picked);
    expect(second.matches[0]!.misId).toBe(picked);
    expect(second.matches.map((card) => card.misId).sort()).toEqual([...misIds].sort());
  });

  it('an unknown number finds nothing; a caller id that is not a number (hostile or not) finds nothing and never breaks the pop', async () => {
    const { request } = await startCore();
    expect(await request('screenPop.lookup', { callId: 'c-unknown', number: UNKNOWN, source: 'sip' })).toMatchObject({ numberKey: '+79990000001', matches: [], chosenMisId: null });
    const hostile = ['anonymous', '<script>alert(1)</script>', '"; DROP TABLE pop_choices; --', '\u0000\u202e9161234567', '📞📞📞', '9'.repeat(64), '*#06#', 'sip:+79161234567@evil'];
    for (const number of hostile) {
      const found = await request('screenPop.lookup', { callId: 'c-hostile', number, source: 'sip' });
      expect(found.matches).toEqual([]);
    }
  });
});

describe('screenPop.lookup: a call a supervisor transferred here with context', () => {
  /** Sends a context through the PBX's shared record, as the supervisor's desk does (`tx/<digits>`). */
  async function sendContext(core: Core, value: unknown): Promise<void> {
    await vi.waitFor(() => expect(core.pbx.shared).not.toBeNull(), { timeout: 10_000, interval: 5 });
    const line = typeof value === 'string' ? value : JSON.stringify(value);
    await core.pbx.shared!.publish('tx/79990000001', line);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  /** The number as the supervisor's board has it (the PBX's form; the pop's caller id may differ). */
  const UNKNOWN_PBX = '+79990000001';
  const contextFor = (number: string, misId: string | null, to = '101') => ({ number, misId, note: 'Вопрос по ДМС', from: { extension: '9000', name: 'Смирнова Елена' }, to, at: Date.now() });

  it("puts the supervisor's card first and chosen, with the note: among the number's cards, or from the cache when the number is not the patient's", async () => {
    const { core, request } = await startCore();
    const { national10, misIds } = sharedNumber();
    const last = misIds[misIds.length - 1]!;
    await sendContext(core, contextFor(`+7${national10}`, last));
    // This desk is the demo's agent 101, the one the call was sent to; any form of the number finds it.
    const family = await request('screenPop.lookup', { callId: 'tx-1', number: `8${national10}`, source: 'pbx' });
    expect(family.matches[0]!.misId).toBe(last);
    expect(family.chosenMisId).toBe(last);
    expect(family.matches.map((card) => card.misId).sort()).toEqual([...misIds].sort());
    expect(family.transfer).toMatchObject({ note: 'Вопрос по ДМС', misId: last, to: '101', from: { extension: '9000', name: 'Смирнова Елена' } });
    // A patient calling from a number that is not on their card: the card is read by its id.
    const patient = soleOwner();
    await sendContext(core, contextFor(UNKNOWN_PBX, patient.misId));
    const stranger = await request('screenPop.lookup', { callId: 'tx-2', number: UNKNOWN, source: 'sip' });
    expect(stranger.matches.map((card) => card.misId)).toEqual([patient.misId]);
    expect(stranger).toMatchObject({ chosenMisId: patient.misId, transfer: { misId: patient.misId, number: UNKNOWN_PBX } });
    // Without a card, only the note.
    await sendContext(core, contextFor(UNKNOWN_PBX, null));
    expect(await request('screenPop.lookup', { callId: 'tx-3', number: UNKNOWN, source: 'sip' })).toMatchObject({ matches: [], chosenMisId: null, transfer: { misId: null, note: 'Вопрос по ДМС' } });
    // The core's warm-ups never carry one.
    expect((await request('screenPop.lookup', { callId: 'screen-pop-warm-up-x', number: UNKNOWN, source: 'sip' })).transfer).toBeNull();
  });

  it("ignores a context for another agent's desk, and drops one that is not valid with a warning that carries no value", async () => {
    const { core, request, logs } = await startCore();
    await sendContext(core, contextFor(UNKNOWN_PBX, null, '102'));
    expect((await request('screenPop.lookup', { callId: 'tx-4', number: UNKNOWN, source: 'sip' })).transfer).toBeNull();
    await sendContext(core, '{"number":"+79990000001","note":"секрет в заметке"');
    await sendContext(core, { ...contextFor(UNKNOWN_PBX, null), note: 'секрет в заметке', to: 101 });
    expect((await request('screenPop.lookup', { callId: 'tx-5', number: UNKNOWN, source: 'sip' })).transfer).toBeNull();
    expect(logs.filter((record) => record.event === 'supervisor.transfer-context-refused')).toHaveLength(2);
    expect(JSON.stringify(logs)).not.toContain('секрет');
  });
});

describe('screenPop.show', () => {
  it('writes an audit entry with the call id and the reason screen-pop', async () => {
    const { core, request } = await startCore();
    const patient = soleOwner();
    await request('screenPop.lookup', { callId: 'c-audit', number: patient.phones[0]!.e164, source: 'sip' });
    await request('screenPop.show', { callId: 'c-audit', misId: patient.misId, chosen: false });
    const entries = core.journal.stores!.audit.forCard(patient.misId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ misId: patient.misId, callId: 'c-audit', reason: 'screen-pop', action: 'card.open' });
    expect(core.journal.stores!.audit.verify()).toMatchObject({ ok: true });
  });
});

describe('screenPop.refresh', () => {
  it('with the MIS offline says unreachable and returns the cached cards, without an error', async () => {
    const { demo, request } = await startCore();
    const patient = soleOwner();
    demo.setOffline(true);
    const refreshed = await request('screenPop.refresh', { callId: 'c-off', numberKey: patient.phones[0]!.e164 });
    expect(refreshed.status).toBe('unreachable');
    expect(refreshed.matches.map((card) => card.misId)).toEqual([patient.misId]);
    expect(Date.parse(refreshed.at)).not.toBeNaN();
  });

  it('online asks the MIS and applies what it says to the cache', async () => {
    const { core, demo, request } = await startCore();
    const patient = soleOwner();
    demo.editPatient(patient.misId, { surname: 'Обновлённая' });
    const refreshed = await request('screenPop.refresh', { callId: 'c-on', numberKey: patient.phones[0]!.e164 });
    expect(refreshed.status).toBe('updated');
    expect(refreshed.matches.map((card) => card.surname)).toEqual(['Обновлённая']);
    expect(core.cache.getCard(patient.misId)!.surname).toBe('Обновлённая');
  });
});

describe('calls.wrapUp', () => {
  const category = DEFAULT_SETTINGS.wrapUp.categories[2]!;

  it('writes the row, the outbox item and the callback request in one transaction; the MIS, offline during the save, gets exactly one delivery once back', async () => {
    const { core, demo, request } = await startCore();
    const patient = soleOwner();
    const number = patient.phones[0]!.e164;
    await request('calls.record', answeredCall('c-wrap', number));
    demo.setOffline(true);
    const saved = await request('calls.wrapUp', { callId: 'c-wrap', misId: patient.misId, category, outcome: 'callback', note: 'перезвонить после 15:00', acwSec: 17 });
    expect(saved.saved).toBe(true);
    expect(saved.outboxId).toEqual(expect.any(Number));
    const db = core.journal.stores!.db;
    expect(db.prepare('SELECT category, outcome, note, acw_sec, outbox_id FROM wrap_ups WHERE call_id = ?').get('c-wrap')).toEqual({
      category,
      outcome: 'callback',
      note: 'перезвонить после 15:00',
      acw_sec: 17,
      outbox_id: saved.outboxId,
    });
    expect(db.prepare('SELECT kind, idempotency_key FROM outbox WHERE id = ?').get(saved.outboxId)).toEqual({ kind: 'wrapup', idempotency_key: wrapUpKey('c-wrap') });
    expect(core.journal.stores!.wrapUps.openCallbacks()).toEqual([{ callId: 'c-wrap', number, misId: patient.misId, createdAt: expect.any(Number), state: 'open' }]);

    // The sender tried while the MIS was offline: the item waits, nothing reached the ledger.
    await vi.waitFor(() => expect(core.journal.stores!.outbox.get(saved.outboxId!)!.attempts).toBeGreaterThanOrEqual(1), { interval: 1 });
    expect(core.journal.stores!.outbox.get(saved.outboxId!)!.state).toMatch(/pending|inflight/);
    expect(demo.ledgerEntries('wrapup')).toEqual([]);

    // A second wrap-up of the same call changes nothing.
    expect(await request('calls.wrapUp', { callId: 'c-wrap', misId: patient.misId, category, outcome: 'booked', note: 'другое', acwSec: 1 })).toEqual({ saved: false, outboxId: null });

    demo.setOffline(false);
    await vi.waitFor(
      () => {
        core.link.wakeOutbox();
        expect(core.journal.stores!.outbox.get(saved.outboxId!)?.state).toBe('delivered');
      },
      { interval: 5 },
    );
    // More wakes find nothing to send: the delivered item is never submitted again.
    core.link.wakeOutbox();
    core.link.wakeOutbox();
    await vi.waitFor(() => expect(core.journal.stores!.outbox.counts()).toEqual({ pending: 0, failed: 0 }), { interval: 1 });
    const ledger = await request('demo.ledger', { kind: 'wrapup' });
    expect(ledger.entries).toEqual([{ kind: 'wrapup', key: wrapUpKey('c-wrap'), ref: `demo-${wrapUpKey('c-wrap')}`, localId: 'wrapup:c-wrap', receipts: 1 }]);
    expect(demo.patientHistory(patient.misId)).toEqual([{ at: expect.any(Number), callId: 'c-wrap', text: `${category}: перезвонить после 15:00` }]);
  });

  it('refuses a category that is not in the settings with a clear INVALID_INPUT', async () => {
    const { core, attempt } = await startCore();
    const result = await attempt('calls.wrapUp', { callId: 'c-bad', misId: null, category: 'Продажа слонов', outcome: 'information', note: '', acwSec: 0 });
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/"Продажа слонов" is not one of the 6 categories/) } });
    expect(core.journal.stores!.db.prepare('SELECT count(*) FROM wrap_ups').pluck().get()).toBe(0);
    expect(core.journal.stores!.outbox.counts()).toEqual({ pending: 0, failed: 0 });
  });

  it('follows the categories edited in the settings', async () => {
    const { request, attempt } = await startCore();
    await request('settings.update', { wrapUp: { categories: ['Жалоба'] } });
    expect(await request('calls.wrapUp', { callId: 'c-set', misId: null, category: 'Жалоба', outcome: 'information', note: '', acwSec: 0 })).toMatchObject({ saved: true });
    expect(await attempt('calls.wrapUp', { callId: 'c-set2', misId: null, category: DEFAULT_SETTINGS.wrapUp.categories[0], outcome: 'information', note: '', acwSec: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('patients.history', () => {
  it('shows the wrap-up note at once, before the MIS has it, with the call, newest first', async () => {
    const { demo, request } = await startCore();
    const patient = soleOwner();
    demo.setOffline(true);
    const started = '2026-11-30T08:00:00.000Z';
    await request('calls.record', answeredCall('c-hist', patient.phones[0]!.e164, started));
    await request('calls.wrapUp', { callId: 'c-hist', misId: patient.misId, category: DEFAULT_SETTINGS.wrapUp.categories[0], outcome: 'booked', note: 'записана на УЗИ', acwSec: 5 });
    const { items } = await request('patients.history', { misId: patient.misId });
    expect(items[0]).toMatchObject({ kind: 'note', text: 'записана на УЗИ', callId: 'c-hist' });
    // The call as data (the renderer words it in the UI language), never as English text.
    expect(items[1]).toEqual({
      kind: 'call',
      at: started,
      callId: 'c-hist',
      direction: 'incoming',
      outcome: 'answered',
      category: DEFAULT_SETTINGS.wrapUp.categories[0],
      wrapUpOutcome: 'booked',
    });
    expect(await request('patients.history', { misId: '9999999' })).toEqual({ items: [] });
  });
});

describe('patients.createDraft', () => {
  it('stores the draft and delivers it to the MIS exactly once; the next sync brings the new card', async () => {
    const { core, demo, request, attempt } = await startCore();
    const { draftId } = await request('patients.createDraft', { callId: 'c-new', phone: UNKNOWN, surname: 'Новикова', givenName: 'Вера', birthDate: '1991-02-03', note: 'первичное обращение' });
    expect(core.journal.stores!.db.prepare('SELECT phone, surname FROM patient_drafts WHERE id = ?').get(draftId)).toEqual({ phone: '+79990000001', surname: 'Новикова' });
    await vi.waitFor(() => expect(demo.ledgerEntries('new-patient')).toHaveLength(1), { interval: 1 });
    expect((await request('demo.ledger', { kind: 'new-patient' })).entries).toEqual([expect.objectContaining({ kind: 'new-patient', localId: draftId, receipts: 1 })]);
    expect(demo.cardsByPhone('+79990000001').map((card) => card.surname)).toEqual(['Новикова']);
    expect(await attempt('patients.createDraft', { callId: 'c-new', phone: 'anonymous', surname: 'А', givenName: 'Б' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('calls.recent', () => {
  it('filters today / missed / mine / by patient and carries the patient, category, outcome and duration', async () => {
    const { request } = await startCore();
    const patient = soleOwner();
    const now = Date.now();
    const earlier = new Date(now - 2 * 86_400_000).toISOString();
    const answered = answeredCall('c-ans', patient.phones[0]!.e164, new Date(now - 60_000).toISOString());
    const missed: CallRecord = { ...answeredCall('c-miss', UNKNOWN.replace(/\D/g, ''), new Date(now - 30_000).toISOString()), answeredAt: null, outcome: 'missed' };
    const old = answeredCall('c-old', patient.phones[0]!.e164, earlier);
    for (const call of [answered, missed, old]) await request('calls.record', call);
    await request('screenPop.show', { callId: 'c-old', misId: patient.misId, chosen: false });
    await request('calls.wrapUp', { callId: 'c-ans', misId: patient.misId, category: DEFAULT_SETTINGS.wrapUp.categories[1], outcome: 'booked', note: '', acwSec: 3 });

    const ids = async (input: object) => (await request('calls.recent', input)).items.map((item) => item.id);
    expect(await ids({})).toEqual(['c-miss', 'c-ans', 'c-old']);
    expect(await ids({ filter: 'today' })).toEqual(['c-miss', 'c-ans']);
    expect(await ids({ filter: 'missed' })).toEqual(['c-miss']);
    expect(await ids({ filter: 'mine' })).toEqual(['c-ans', 'c-old']);
    expect(await ids({ misId: patient.misId })).toEqual(['c-ans', 'c-old']);
    expect(await ids({ misId: patient.misId, filter: 'today' })).toEqual(['c-ans']);

    const [first, second, third] = (await request('calls.recent', {})).items;
    const name = [patient.surname, patient.givenName, patient.patronymic].filter(Boolean).join(' ');
    expect(first).toMatchObject({ id: 'c-miss', misId: null, patientName: null, category: null, wrapUpOutcome: null, durationSec: null, queue: null });
    expect(second).toMatchObject({ id: 'c-ans', misId: patient.misId, patientName: name, category: DEFAULT_SETTINGS.wrapUp.categories[1], wrapUpOutcome: 'booked', durationSec: 60 });
    expect(third).toMatchObject({ id: 'c-old', misId: patient.misId, patientName: name, category: null, wrapUpOutcome: null });
  });
});

describe('pbx:call (demo PBX, CTI mode)', () => {
  it('the status bar says the demo PBX is online: it is the PBX that delivers the calls', async () => {
    const { core, request } = await startCore();
    expect(await request('status.snapshot', {})).toMatchObject({ pbx: { state: 'online', detail: null } });
    expect(core.status.snapshot().pbx.state).toBe('online');
  });

  it('a PBX connector this build does not have is off, says so, and rings nothing', async () => {
    const { request, attempt } = await startCore(undefined, 'mango-vpbx');
    expect(await request('status.snapshot', {})).toMatchObject({ pbx: { state: 'disabled', detail: 'connectorNotAvailable' } });
    expect(await attempt('demo.simulate', { action: 'pbx-ringing', number: '+79161234567', extension: '101' })).toMatchObject({ ok: false, error: { code: 'DEMO_ONLY' } });
  });

  it('demo.simulate pbx-ringing raises pbx:call ringing with a fresh call id; pbx-ended ends it', async () => {
    const { events, request } = await startCore();
    const ringing = await request('demo.simulate', { action: 'pbx-ringing', number: '+79161234567', extension: '101' });
    expect(ringing.callId).toMatch(/^pbx-/);
    const again = await request('demo.simulate', { action: 'pbx-ringing', number: '+79161234567', extension: '101' });
    expect(again.callId).not.toBe(ringing.callId);
    expect(await request('demo.simulate', { action: 'pbx-ended', callId: ringing.callId })).toEqual({ applied: true });
    expect(await request('demo.simulate', { action: 'pbx-ended', callId: ringing.callId })).toEqual({ applied: false });
    const pbx = events.filter((event) => event.name === 'pbx:call').map((event) => event.payload);
    expect(pbx).toEqual([
      { event: 'ringing', callId: ringing.callId, number: '+79161234567', extension: '101' },
      { event: 'ringing', callId: again.callId, number: '+79161234567', extension: '101' },
      { event: 'ended', callId: ringing.callId, number: '+79161234567', extension: '101' },
    ]);
  });
});

describe('privacy', () => {
  it('no number, name or note reaches the log', async () => {
    const { logs, request } = await startCore();
    const patient = soleOwner();
    const number = patient.phones[0]!.e164;
    await request('screenPop.lookup', { callId: 'c-priv', number, source: 'sip' });
    await request('screenPop.show', { callId: 'c-priv', misId: patient.misId, chosen: true });
    await request('screenPop.refresh', { callId: 'c-priv', numberKey: number });
    await request('calls.wrapUp', { callId: 'c-priv', misId: patient.misId, category: DEFAULT_SETTINGS.wrapUp.categories[0], outcome: 'callback', note: 'секретная заметка', acwSec: 1 });
    await request('patients.createDraft', { callId: 'c-priv', phone: UNKNOWN, surname: 'Тайнова', givenName: 'Ирина', note: 'тайна' });
    await request('patients.history', { misId: patient.misId });
    const text = JSON.stringify(logs);
    expect(logs.some((record) => JSON.stringify(record).includes('c-priv'))).toBe(true);
    for (const secret of [number.slice(2), '9990000001', patient.surname, 'секретная заметка', 'Тайнова', 'тайна']) expect(text).not.toContain(secret);
  });
});
