// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestInput } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { formatClockTime } from '../../ui/format-time';
import { JOURNAL_LIMIT } from './call-journal';

// jsdom has no layout: give the journal's scroller a viewport so the virtualizer renders rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('call-journal-scroll') ? 360 : 0;
    },
  });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});
afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };
const ALENA = makePatient({ misId: 'P-1', phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }] });

function record(id: string, outcome: RequestInput<'calls.record'>['outcome'], number = '+79161234567'): RequestInput<'calls.record'> {
  const answered = outcome === 'answered' || outcome === 'lost';
  return { id, direction: 'incoming', number, displayName: '', startedAt: T0, answeredAt: answered ? '2025-03-14T09:05:10.000Z' : null, endedAt: '2025-03-14T09:07:15.000Z', outcome };
}

async function renderDesk() {
  const view = makeView({ settings: { sip: ACCOUNT, language: 'en' }, sipPasswordSet: true });
  const desk = createFakeDesk({ view, sipPassword: 'desk-secret', patients: [ALENA], cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }) });
  desk.journal.push(record('old-missed', 'missed', '+74950000001'), record('old-answered', 'answered'));
  desk.wrapUps.push({ callId: 'old-answered', misId: 'P-1', category: 'Запись по ОМС', outcome: 'booked', note: 'Записана', acwSec: 12 });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { desk, phone };
}

const rows = () => screen.queryAllByTestId('call-journal-row');
const recentInputs = (desk: Awaited<ReturnType<typeof renderDesk>>['desk']) => desk.callsTo('calls.recent') as RequestInput<'calls.recent'>[];

describe('Call journal', () => {
  it('lists every call with patient, duration, outcome and category', async () => {
    const { desk } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(recentInputs(desk)[0]).toEqual({ limit: JOURNAL_LIMIT, filter: 'all' });
    const answered = rows().find((row) => row.getAttribute('data-call-id') === 'old-answered')!;
    expect(answered.getAttribute('data-outcome')).toBe('answered');
    expect(within(answered).getByTestId('call-journal-number').textContent).toBe('+7 (916) 123-45-67');
    expect(within(answered).getByTestId('call-journal-call').getAttribute('aria-label')).toBe('Call +7 (916) 123-45-67');
    expect(answered.getAttribute('data-category')).toBe('Запись по ОМС');
    expect(within(answered).getByTestId('call-journal-patient').textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(answered.textContent).toContain('02:05');
    expect(answered.textContent).toContain('Booked');
    const missed = rows().find((row) => row.getAttribute('data-call-id') === 'old-missed')!;
    expect(missed.getAttribute('data-outcome')).toBe('missed');
    expect(missed.getAttribute('data-category')).toBe('');
  });

  it('each filter asks the core for its calls', async () => {
    const { desk } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(screen.getByTestId('call-journal-filter-missed'));
    await waitFor(() => expect(rows().map((row) => row.getAttribute('data-call-id'))).toEqual(['old-missed']));
    expect(screen.getByTestId('call-journal-filter-missed').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByTestId('call-journal-filter-mine'));
    await waitFor(() => expect(rows().map((row) => row.getAttribute('data-call-id'))).toEqual(['old-answered']));
    fireEvent.click(screen.getByTestId('call-journal-filter-today'));
    fireEvent.click(screen.getByTestId('call-journal-filter-all'));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(recentInputs(desk).map((input) => input.filter)).toEqual(['all', 'missed', 'mine', 'today', 'all']);
  });

  it('click-to-call dials the row’s number', async () => {
    const { phone } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const missed = rows().find((row) => row.getAttribute('data-call-id') === 'old-missed')!;
    fireEvent.click(within(missed).getByTestId('call-journal-call'));
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['+74950000001'] }]));
  });

  it('reloads when a call ends and when a wrap-up is saved', async () => {
    const { desk, phone } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    await act(async () => void phone.ring({ id: 'c9', number: '+79161234567' }));
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(phone.actionsOf('answer')).toHaveLength(1));
    act(() => phone.remoteHangup('c9'));
    await waitFor(() => expect(rows().some((row) => row.getAttribute('data-call-id') === 'c9')).toBe(true));
    const before = recentInputs(desk).length;
    fireEvent.change(screen.getByTestId('wrap-up-category'), { target: { value: DEFAULT_SETTINGS.wrapUp.categories[0] } });
    fireEvent.change(screen.getByTestId('wrap-up-outcome'), { target: { value: 'information' } });
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    await waitFor(() => expect(rows().find((row) => row.getAttribute('data-call-id') === 'c9')?.getAttribute('data-category')).toBe(DEFAULT_SETTINGS.wrapUp.categories[0]));
    expect(recentInputs(desk).length).toBeGreaterThan(before);
  });

  it("the patient's name opens the card on the Patients pane, audited as opened from the journal with the call", async () => {
    const { desk } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const answered = rows().find((row) => row.getAttribute('data-call-id') === 'old-answered')!;
    fireEvent.click(within(answered).getByTestId('call-journal-open-card'));
    const card = await screen.findByTestId('patient-card');
    expect(card.getAttribute('data-mis-id')).toBe('P-1');
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-1', reason: 'journal', callId: 'old-answered' }]);
  });

  it('a call with a long PBX Call-ID (256 characters) opens the card audited with the whole id, not without it', async () => {
    const { desk } = await renderDesk();
    const longId = 'c'.repeat(256);
    desk.journal.push(record(longId, 'answered'));
    desk.wrapUps.push({ callId: longId, misId: 'P-1', category: 'Запись по ОМС', outcome: 'booked', note: '', acwSec: 1 });
    fireEvent.click(screen.getByTestId('call-journal-filter-today'));
    fireEvent.click(screen.getByTestId('call-journal-filter-all'));
    await waitFor(() => expect(rows()).toHaveLength(3));
    const row = rows().find((candidate) => candidate.getAttribute('data-call-id') === longId)!;
    fireEvent.click(within(row).getByTestId('call-journal-open-card'));
    await screen.findByTestId('patient-card');
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-1', reason: 'journal', callId: longId }]);
  });

  it('a journal that cannot load says so and retries on request', async () => {
    const { desk } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    desk.fail('calls.recent', new DeskError('INTERNAL', 'db'));
    fireEvent.click(screen.getByTestId('call-journal-filter-today'));
    expect((await screen.findByTestId('call-journal-error')).textContent).toContain('Could not load the journal');
  });

  it('a journal started after the previous one was kept aside says its earlier calls are not listed; a journal that cannot open says so, not a guess', async () => {
    const { desk } = await renderDesk();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.queryByTestId('call-journal-kept')).toBeNull();
    const keptAt = new Date().toISOString();
    act(() =>
      desk.emit('journal:changed', {
        state: 'open',
        problem: null,
        kept: [{ id: 1, path: '/data/journal.db.key-lost-1', reason: 'key-lost', keptAt, undelivered: 2, auditEntries: 5, countedAt: keptAt, acknowledged: true }],
      }),
    );
    expect(screen.getByTestId('call-journal-kept').textContent).toContain(`Calls before ${formatClockTime(keptAt, 'en')} are in the earlier journal`);
    desk.fail('calls.recent', new DeskError('JOURNAL_UNAVAILABLE', 'journal not open'));
    fireEvent.click(screen.getByTestId('call-journal-filter-missed'));
    const error = await screen.findByTestId('call-journal-error');
    expect(error.textContent).toContain('journal.db');
    expect(error.textContent).not.toContain('demo');
  });
});
