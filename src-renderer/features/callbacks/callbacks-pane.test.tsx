// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallbackList } from '../../../src-shared/callbacks/callbacks-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCallbackTask, makeView, T0, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const START = Date.parse(T0);
const MIN = 60_000;
const PETROV = { extension: '1002', name: 'Петров Павел' };
const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001' };

/** Now is START + 20 min: each task's SLA is 15 min from its first missed call. */
function worklist(overrides: Partial<CallbackList> = {}): CallbackList {
  const now = START + 20 * MIN;
  return {
    slaMinutes: 15,
    shared: true,
    tasks: [
      // Due in 10 min, 5 of 15 min gone: green.
      makeCallbackTask({ id: 'ok', number: '+74951112233', firstAt: now - 5 * MIN, dueAt: now + 10 * MIN }),
      // Claimed by a colleague, due in 3 min: amber.
      makeCallbackTask({ id: 'amber', number: '+79031234567', firstAt: now - 12 * MIN, dueAt: now + 3 * MIN, state: 'claimed', claimedBy: PETROV, claimedAt: now - MIN }),
      // Closed today by the patient's own call, and one closed by an operator as a wrong number.
      makeCallbackTask({ id: 'done-1', number: '+79160000001', state: 'done', closedBy: 'patientGotThrough', closedByAgent: PETROV, closedAt: now - 2 * MIN, firstAt: now - 30 * MIN, dueAt: now - 15 * MIN }),
      makeCallbackTask({ id: 'done-2', number: '+79160000002', state: 'done', closedBy: 'operatorClosed', outcome: 'wrongNumber', closedAt: now - 1 * MIN, firstAt: now - 30 * MIN, dueAt: now - 15 * MIN }),
      // Three missed calls, overdue by 2 min: red, and first.
      makeCallbackTask({
        id: 'late',
        number: '+79161234567',
        patientName: 'Римская-Корсакова Алёна Петровна',
        count: 3,
        reasons: ['abandoned', 'ringNoAnswer', 'requested'],
        lastReason: 'requested',
        firstAt: now - 17 * MIN,
        lastAt: now - 4 * MIN,
        dueAt: now - 2 * MIN,
      }),
    ],
    ...overrides,
  };
}

async function openCallbacks(desk: FakeDesk, phoneFactory: ReturnType<typeof fakePhoneFactory> | null = null) {
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={phoneFactory?.factory ?? null} />);
  await screen.findByTestId('app-info');
  fireEvent.click(await screen.findByTestId('nav-callbacks'));
  await waitFor(() => expect(screen.getByTestId('callbacks').getAttribute('data-state')).toBe('ready'));
}

const rows = () => screen.getAllByTestId('callback-task');
const row = (id: string) => rows().find((candidate) => candidate.getAttribute('data-id') === id)!;

describe('Callbacks pane', () => {
  it('lists the overdue first, then by due time, closed ones at the bottom; SLA colours count down on the shared clock', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START + 20 * MIN);
    const desk = createFakeDesk({ callbacks: worklist() });
    await openCallbacks(desk);

    expect(rows().map((task) => task.getAttribute('data-id'))).toEqual(['late', 'amber', 'ok', 'done-2', 'done-1']);
    expect(rows().map((task) => task.getAttribute('data-state'))).toEqual(['open', 'claimed', 'open', 'done', 'done']);
    const sla = (id: string) => within(row(id)).getByTestId('callback-sla');
    expect(sla('late').getAttribute('data-sla')).toBe('overdue');
    expect(sla('late').textContent).toBe('просрочено 02:00');
    expect(sla('amber').getAttribute('data-sla')).toBe('warning');
    expect(sla('ok').getAttribute('data-sla')).toBe('ok');
    expect(sla('ok').textContent).toBe('осталось 10:00');

    const late = row('late');
    expect(late.getAttribute('data-number')).toBe('+79161234567');
    expect(late.textContent).toContain('+7 (916) 123-45-67');
    expect(late.textContent).toContain('Римская-Корсакова Алёна Петровна');
    expect(within(late).getByTestId('callback-count').textContent).toBe('×3');
    expect(late.textContent).toContain('сбросил в очереди');
    expect(late.textContent).toContain('не ответили на вызов');
    expect(late.textContent).toContain('просил перезвонить');
    expect(within(row('ok')).getByTestId('callback-count').textContent).toBe('×1');

    expect(within(row('amber')).getByTestId('callback-claimed-by').textContent).toBe('взял(а) Петров Павел (1002)');
    expect(within(row('amber')).getByTestId('callback-claimed-by').getAttribute('data-mine')).toBe('false');
    expect(within(row('amber')).getByTestId('callback-call').hasAttribute('disabled')).toBe(true);
    expect(within(row('amber')).queryByTestId('callback-claim')).toBeNull();
    expect(within(row('done-1')).getByTestId('callback-closed').textContent).toBe('пациент дозвонился сам, ответил(а) Петров Павел (1002)');
    expect(within(row('done-2')).getByTestId('callback-closed').textContent).toBe('закрыта оператором (Неверный номер)');
    expect(within(row('done-1')).queryByTestId('callback-call')).toBeNull();

    // 7 minutes on: «ok» has 3 min of its 15 left (the last third), «amber» is overdue.
    act(() => vi.advanceTimersByTime(7 * MIN));
    expect(sla('ok').getAttribute('data-sla')).toBe('warning');
    expect(row('ok').getAttribute('data-sla')).toBe('warning');
    expect(sla('amber').getAttribute('data-sla')).toBe('overdue');
    expect(row('amber').getAttribute('data-sla')).toBe('overdue');

    // The navigation's badge: three owed, now two of them overdue.
    const badge = screen.getByTestId('nav-callbacks-count');
    expect(badge.textContent).toBe('3');
    expect(badge.getAttribute('data-overdue')).toBe('2');
    expect(screen.getByTestId('callbacks-summary').getAttribute('data-overdue')).toBe('2');
  });

  it('says how many open tasks a very long worklist could not list, and says nothing when all are listed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START + 20 * MIN);
    const desk = createFakeDesk({ callbacks: worklist({ openNotListed: 150 }) });
    await openCallbacks(desk);
    expect(screen.getByTestId('callbacks-not-listed').textContent).toBe('Ещё открытых задач, не показанных здесь: 150 — сначала перезвоните самым давним');
    act(() => desk.emit('callbacks:changed', worklist()));
    expect(screen.queryByTestId('callbacks-not-listed')).toBeNull();
  });

  it('claims and releases a task, and follows callbacks:changed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START + 20 * MIN);
    const desk = createFakeDesk({ callbacks: worklist() });
    await openCallbacks(desk);

    fireEvent.click(within(row('ok')).getByTestId('callback-claim'));
    await waitFor(() => expect(row('ok').getAttribute('data-state')).toBe('claimed'));
    expect(desk.callsTo('callbacks.claim')).toEqual([{ id: 'ok' }]);
    expect(within(row('ok')).getByTestId('callback-claimed-by').textContent).toBe('взята вами');
    expect(within(row('ok')).getByTestId('callback-claimed-by').getAttribute('data-mine')).toBe('true');
    expect(within(row('ok')).getAllByTestId('callback-outcome').map((button) => button.getAttribute('data-outcome'))).toEqual(['reached', 'noAnswer', 'wrongNumber', 'notNeeded']);

    fireEvent.click(within(row('ok')).getByTestId('callback-release'));
    await waitFor(() => expect(row('ok').getAttribute('data-state')).toBe('open'));
    expect(desk.callsTo('callbacks.release')).toEqual([{ id: 'ok' }]);

    // Another desk closes «late» (the patient got through to it): the row moves down, greyed.
    act(() =>
      desk.emit('callbacks:changed', {
        ...worklist(),
        tasks: worklist().tasks.map((task) =>
          task.id === 'late' ? { ...task, state: 'done' as const, closedBy: 'patientGotThrough' as const, closedByAgent: null, closedAt: START + 20 * MIN } : task,
        ),
      }),
    );
    expect(rows().map((task) => task.getAttribute('data-id'))).toEqual(['amber', 'ok', 'late', 'done-2', 'done-1']);
    expect(within(row('late')).getByTestId('callback-closed').textContent).toBe('пациент дозвонился сам');
  });

  it('CALLBACK_TAKEN says who took it', async () => {
    const desk = createFakeDesk({ callbacks: worklist() });
    await openCallbacks(desk);
    // Between the list and the click, a colleague claimed it.
    desk.callbacks = { ...desk.callbacks, tasks: desk.callbacks.tasks.map((task) => (task.id === 'ok' ? { ...task, state: 'claimed' as const, claimedBy: PETROV, claimedAt: START } : task)) };
    fireEvent.click(within(row('ok')).getByTestId('callback-claim'));
    const error = await within(row('ok')).findByTestId('callback-error');
    expect(error.getAttribute('data-code')).toBe('CALLBACK_TAKEN');
    await waitFor(() => expect(error.textContent).toBe('Задачу уже взял(а) Петров Павел (1002).'));
    expect(row('ok').getAttribute('data-state')).toBe('claimed');
    expect(desk.callsTo('callbacks.list')).toHaveLength(2);
  });

  it('calls back in one click on the softphone (claiming it), then records the outcome', async () => {
    const view = makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
    const desk = createFakeDesk({ view, sipPassword: 'desk-secret', callbacks: worklist() });
    const fake = fakePhoneFactory();
    await openCallbacks(desk, fake);
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    const phone = fake.phones[0]!;
    act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));

    fireEvent.click(within(row('late')).getByTestId('callback-call'));
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['+79161234567'] }]));
    expect(desk.callsTo('callbacks.callBack')).toEqual([{ id: 'late' }]);
    expect(desk.callsTo('callbacks.claim')).toEqual([]); // callBack claims an open task itself
    await waitFor(() => expect(row('late').getAttribute('data-state')).toBe('claimed'));
    expect(row('late').getAttribute('data-mine')).toBe('true');

    fireEvent.click(within(row('late')).getAllByTestId('callback-outcome').find((button) => button.getAttribute('data-outcome') === 'reached')!);
    await waitFor(() => expect(row('late').getAttribute('data-state')).toBe('done'));
    expect(desk.callsTo('callbacks.complete')).toEqual([{ id: 'late', outcome: 'reached' }]);
    expect(within(row('late')).getByTestId('callback-closed').textContent).toBe('оператор дозвонился: Иванова Ольга (1001)');
    expect(rows().at(-3)).toBe(row('late')); // the latest closed leads the closed ones
  });

  it('«no answer» gives the task back with one more attempt', async () => {
    const desk = createFakeDesk({ callbacks: worklist() });
    await openCallbacks(desk);
    fireEvent.click(within(row('ok')).getByTestId('callback-claim'));
    await waitFor(() => expect(row('ok').getAttribute('data-state')).toBe('claimed'));
    fireEvent.click(within(row('ok')).getAllByTestId('callback-outcome').find((button) => button.getAttribute('data-outcome') === 'noAnswer')!);
    await waitFor(() => expect(row('ok').getAttribute('data-state')).toBe('open'));
    expect(desk.callsTo('callbacks.complete')).toEqual([{ id: 'ok', outcome: 'noAnswer' }]);
    expect(row('ok').textContent).toContain('попыток: 1');
  });

  it('a PBX call back (CTI) rings the desk phone: nothing is dialled here and the row says so', async () => {
    const desk = createFakeDesk({ callbacks: worklist() });
    desk.handle('callbacks.callBack', ({ id }) => ({ via: 'pbx', number: desk.callbacks.tasks.find((task) => task.id === id)!.number }));
    await openCallbacks(desk);
    fireEvent.click(within(row('ok')).getByTestId('callback-call'));
    const note = await within(row('ok')).findByTestId('callback-calling');
    expect(note.getAttribute('data-via')).toBe('pbx');
    expect(within(row('ok')).queryByTestId('callback-error')).toBeNull();
  });

  it('without a running softphone the call back says so instead of failing silently', async () => {
    const desk = createFakeDesk({ callbacks: worklist() });
    await openCallbacks(desk);
    fireEvent.click(within(row('ok')).getByTestId('callback-call'));
    const error = await within(row('ok')).findByTestId('callback-error');
    expect(error.getAttribute('data-code')).toBe('noSoftphone');
    expect(error.textContent).toContain('Софтфон не запущен');
  });

  it('notes that claims stay on this desk when the list is not shared', async () => {
    const desk = createFakeDesk({ callbacks: worklist({ shared: false }) });
    await openCallbacks(desk);
    expect(screen.getByTestId('callbacks-local-note').textContent).toContain('видно только на этом рабочем месте');
    cleanup();
    await openCallbacks(createFakeDesk({ callbacks: worklist() }));
    expect(screen.queryByTestId('callbacks-local-note')).toBeNull();
  });

  it('an empty worklist says so, and a failed load says why with Retry', async () => {
    const desk = createFakeDesk();
    await openCallbacks(desk);
    expect(screen.getByTestId('callbacks-none').textContent).toContain('Перезванивать некому');
    expect(screen.queryByTestId('nav-callbacks-count')).toBeNull();
    cleanup();

    const failing = createFakeDesk({ callbacks: worklist() });
    failing.fail('callbacks.list', new DeskError('JOURNAL_UNAVAILABLE', 'db closed'));
    render(<App desk={failing} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    fireEvent.click(await screen.findByTestId('nav-callbacks'));
    const error = await screen.findByTestId('callbacks-error');
    expect(error.textContent).toContain('Не удалось загрузить перезвоны');
    failing.handle('callbacks.list', () => worklist());
    fireEvent.click(within(error).getByRole('button'));
    await waitFor(() => expect(screen.getByTestId('callbacks').getAttribute('data-state')).toBe('ready'));
    expect(screen.queryByTestId('callbacks-error')).toBeNull();
    expect(rows()).toHaveLength(5);
  });
});
