// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore, type AppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import {
  agentQueueDraftFrom,
  buildAgentQueuePatch,
  reasonRowsFrom,
  rebaseAgentQueue,
  sipUriExtension,
  validateAgentQueueField,
  validateReasonCount,
  validateReasonRows,
} from './settings-agent-queue-model';

afterEach(cleanup);

const en = (settings: Partial<SettingsView['settings']> = {}, rest: Partial<Omit<SettingsView, 'settings'>> = {}) =>
  makeView({ settings: { language: 'en', ...settings }, ...rest });

async function openSettings(view: SettingsView = en()): Promise<{ desk: FakeDesk; store: AppStore }> {
  const desk = createFakeDesk({ view });
  const store = createAppStore({ bridge: 'open' });
  render(<App desk={desk} i18n={createI18n('en')} store={store} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-wrap-up');
  return { desk, store };
}

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const reasons = () => screen.getAllByTestId('settings-pause-reason') as HTMLInputElement[];
const save = () => fireEvent.click(screen.getByTestId('settings-agent-queue-save'));
const message = () => screen.getByTestId('settings-agent-queue-message');
const updates = (desk: FakeDesk) => desk.callsTo('settings.update');

describe('Settings: agent and queue', () => {
  it('shows the stored values, the SIP URI extension as the placeholder, and saves the changes as one patch', async () => {
    const { desk } = await openSettings(en({ sip: { ...DEFAULT_SETTINGS.sip, uri: 'sip:1001@pbx.clinic.test', displayName: 'Окно 1' } }));
    expect(screen.getByTestId('settings-agent-queue').querySelector('legend')!.textContent).toBe('Agent and queue');
    expect(field('settings-agent-extension').value).toBe('');
    expect(field('settings-agent-extension').placeholder).toBe('1001');
    expect(document.getElementById('settings-agent-extension-hint')!.textContent).toContain('the extension in the SIP URI (1001) is used');
    expect(field('settings-agent-name').placeholder).toBe('Окно 1');
    expect(field('settings-queue-sla').value).toBe('20');
    expect(field('settings-callbacks-sla').value).toBe('15');
    expect(field('settings-no-answer-pause').value).toBe('3');
    expect(reasons().map((input) => input.value)).toEqual(DEFAULT_SETTINGS.agentStatus.pauseReasons);

    fireEvent.change(field('settings-agent-extension'), { target: { value: ' 205 ' } });
    fireEvent.change(field('settings-agent-name'), { target: { value: 'Петрова Анна' } });
    fireEvent.change(field('settings-queue-sla'), { target: { value: '30' } });
    fireEvent.change(field('settings-callbacks-sla'), { target: { value: '60' } });
    fireEvent.change(field('settings-no-answer-pause'), { target: { value: '0' } });
    fireEvent.change(reasons()[1]!, { target: { value: 'Обучение (вебинар)' } });
    fireEvent.click(screen.getAllByTestId('settings-pause-reason-remove')[2]!);
    fireEvent.click(screen.getByTestId('settings-pause-reason-add'));
    fireEvent.change(reasons().at(-1)!, { target: { value: '  Совещание ' } });
    save();

    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('ok'));
    expect(message().textContent).toBe('Agent and queue settings saved; they apply at once.');
    expect(updates(desk)).toEqual([
      {
        agent: { extension: '205', name: 'Петрова Анна' },
        queue: { slaSeconds: 30 },
        callbacks: { slaMinutes: 60, pauseAfterRingNoAnswer: 0 },
        agentStatus: { pauseReasons: ['Обед', 'Обучение (вебинар)', 'Совещание'] },
      },
    ]);
    expect(desk.view.settings.agent.extension).toBe('205');
    // The form shows what was stored (trimmed).
    expect(field('settings-agent-extension').value).toBe('205');
    expect(reasons().at(-1)!.value).toBe('Совещание');

    save();
    await waitFor(() => expect(message().textContent).toBe('Nothing has changed.'));
    expect(updates(desk)).toHaveLength(1);
  });

  it('refuses bad values with a message per field and per row, saving nothing', async () => {
    const { desk } = await openSettings();
    expect(document.getElementById('settings-agent-extension-hint')!.textContent).toContain('no SIP URI is set yet');
    fireEvent.change(field('settings-agent-extension'), { target: { value: '10 01' } });
    fireEvent.change(field('settings-agent-name'), { target: { value: 'x'.repeat(81) } });
    fireEvent.change(field('settings-queue-sla'), { target: { value: '0' } });
    fireEvent.change(field('settings-callbacks-sla'), { target: { value: '1.5' } });
    fireEvent.change(field('settings-no-answer-pause'), { target: { value: '21' } });
    fireEvent.change(reasons()[0]!, { target: { value: ' ' } });
    fireEvent.change(reasons()[1]!, { target: { value: 'Перерыв: 10 минут' } });
    fireEvent.change(reasons()[2]!, { target: { value: 'Обед' } });
    fireEvent.click(screen.getByTestId('settings-pause-reason-add'));
    fireEvent.change(reasons()[3]!, { target: { value: 'x'.repeat(41) } });
    save();

    expect(screen.getByTestId('settings-agent-extension-error').textContent).toBe('Up to 32 characters: digits, Latin letters and * # _ . -');
    expect(screen.getByTestId('settings-agent-name-error').textContent).toBe('At most 80 characters.');
    expect(screen.getByTestId('settings-queue-sla-error').textContent).toBe('A whole number of seconds from 1 to 600.');
    expect(screen.getByTestId('settings-callbacks-sla-error').textContent).toBe('A whole number of minutes from 1 to 1440.');
    expect(screen.getByTestId('settings-no-answer-pause-error').textContent).toBe('A whole number from 0 to 20 (0 = never).');
    expect(field('settings-queue-sla').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByTestId('settings-pause-reason-error').map((error) => error.textContent)).toEqual([
      'Enter the reason or remove the row.',
      'One line, without “:”.',
      'At most 40 characters.',
    ]);
    expect(message().getAttribute('data-tone')).toBe('error');
    expect(updates(desk)).toEqual([]);

    // A shown error is re-checked as the operator fixes it.
    fireEvent.change(field('settings-queue-sla'), { target: { value: '45' } });
    expect(screen.queryByTestId('settings-queue-sla-error')).toBeNull();
  });

  it('a repeated reason is refused; the list stops at 12 and never loses its last row', async () => {
    const { desk } = await openSettings(en({ agentStatus: { pauseReasons: ['Обед'] } }));
    expect((screen.getByTestId('settings-pause-reason-remove') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('settings-pause-reason-add'));
    fireEvent.change(reasons()[1]!, { target: { value: ' Обед ' } });
    save();
    expect(screen.getAllByTestId('settings-pause-reason-error').map((error) => error.textContent)).toEqual(['This reason is already in the list.']);
    expect(updates(desk)).toEqual([]);
    for (let i = 0; i < 10; i++) fireEvent.click(screen.getByTestId('settings-pause-reason-add'));
    expect(reasons()).toHaveLength(12);
    expect((screen.getByTestId('settings-pause-reason-add') as HTMLButtonElement).disabled).toBe(true);
  });

  it('locks what IT manages and never sends it', async () => {
    const { desk } = await openSettings(en({}, { managed: ['agent.extension', 'agentStatus.pauseReasons'] }));
    expect(field('settings-agent-extension').disabled).toBe(true);
    expect(screen.getByTestId('settings-agent-extension-managed').textContent).toBe(screen.getByTestId('settings-pause-reasons-managed').textContent);
    expect(reasons().every((input) => input.disabled)).toBe(true);
    expect((screen.getByTestId('settings-pause-reason-add') as HTMLButtonElement).disabled).toBe(true);
    expect(field('settings-queue-sla').disabled).toBe(false);
    fireEvent.change(field('settings-queue-sla'), { target: { value: '25' } });
    save();
    await waitFor(() => expect(updates(desk)).toEqual([{ queue: { slaSeconds: 25 } }]));
  });

  it('a refused save says why', async () => {
    const { desk } = await openSettings();
    desk.fail('settings.update', new DeskError('SETTINGS_MANAGED', 'managed'));
    fireEvent.change(field('settings-callbacks-sla'), { target: { value: '20' } });
    save();
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('error'));
    expect(message().textContent).toMatch(/^Not saved: /);
  });

  it('follows settings changed elsewhere for the fields not edited', async () => {
    const { store } = await openSettings();
    fireEvent.change(field('settings-agent-name'), { target: { value: 'Typed' } });
    const view = en({ agent: { extension: '777', name: 'IT name' }, queue: { slaSeconds: 40 }, agentStatus: { pauseReasons: ['Обед'] } });
    act(() => store.getState().setSettingsView(view));
    expect(field('settings-agent-extension').value).toBe('777');
    expect(field('settings-agent-name').value).toBe('Typed');
    expect(field('settings-queue-sla').value).toBe('40');
    expect(reasons().map((input) => input.value)).toEqual(['Обед']);
  });

  it('is not shown to a cashier', async () => {
    await openSettings(en({ role: 'cashier' }));
    expect(screen.queryByTestId('settings-agent-queue')).toBeNull();
  });

  it('is in Russian on a Russian desk', async () => {
    const desk = createFakeDesk({ view: makeView() });
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
    await screen.findByTestId('app-info');
    fireEvent.click(screen.getByTestId('nav-settings'));
    const form = await screen.findByTestId('settings-agent-queue');
    expect(form.querySelector('legend')!.textContent).toBe('Оператор на АТС / очередь');
  });
});

describe('agent and queue form model', () => {
  const rows = (...texts: string[]) => texts.map((text, i) => ({ key: String(i), text }));

  it('checks fields with the schema pieces', () => {
    expect(validateAgentQueueField('agent.extension', '')).toBeNull();
    expect(validateAgentQueueField('agent.extension', '*100#')).toBeNull();
    expect(validateAgentQueueField('agent.extension', 'x'.repeat(33))).toBe('settings.agentQueue.errors.extension');
    expect(validateAgentQueueField('queue.slaSeconds', ' 600 ')).toBeNull();
    expect(validateAgentQueueField('queue.slaSeconds', '601')).toBe('settings.agentQueue.errors.queueSla');
    expect(validateAgentQueueField('callbacks.pauseAfterRingNoAnswer', '0')).toBeNull();
    expect(validateAgentQueueField('callbacks.pauseAfterRingNoAnswer', '')).toBe('settings.agentQueue.errors.noAnswer');
    expect(validateAgentQueueField('callbacks.slaMinutes', '-5')).toBe('settings.agentQueue.errors.callbackSla');
  });

  it('checks pause reason rows and the list', () => {
    expect(validateReasonRows(rows('Обед', ' Обед ', '', 'a:b', 'x'.repeat(41)))).toEqual({ 1: 'duplicate', 2: 'empty', 3: 'format', 4: 'tooLong' });
    expect(validateReasonCount([])).toBe('tooFew');
    expect(validateReasonCount(rows(...Array.from({ length: 13 }, (_, i) => `r${i}`)))).toBe('tooMany');
    expect(validateReasonCount(rows('Обед'))).toBeNull();
  });

  it('patches only changed, unmanaged fields', () => {
    const draft = { ...agentQueueDraftFrom(DEFAULT_SETTINGS), 'agent.name': ' Анна ', 'queue.slaSeconds': '20' };
    const reasonRows = reasonRowsFrom(DEFAULT_SETTINGS.agentStatus.pauseReasons);
    expect(buildAgentQueuePatch(draft, reasonRows, DEFAULT_SETTINGS, [])).toEqual({ ok: true, patch: { agent: { name: 'Анна' } } });
    expect(buildAgentQueuePatch(draft, reasonRows, DEFAULT_SETTINGS, ['agent'])).toEqual({ ok: true, patch: {} });
    // A managed field is neither checked nor sent.
    expect(buildAgentQueuePatch({ ...draft, 'queue.slaSeconds': 'bad' }, rows(''), DEFAULT_SETTINGS, ['queue', 'agentStatus.pauseReasons', 'agent.name'])).toEqual({ ok: true, patch: {} });
  });

  it('rebases untouched fields and rows on settings changed elsewhere', () => {
    const draft = { ...agentQueueDraftFrom(DEFAULT_SETTINGS), 'agent.name': 'Typed' };
    const newBase = { ...DEFAULT_SETTINGS, agent: { extension: '9', name: 'IT' }, agentStatus: { pauseReasons: ['A'] } };
    const next = rebaseAgentQueue(draft, reasonRowsFrom(DEFAULT_SETTINGS.agentStatus.pauseReasons), DEFAULT_SETTINGS, newBase);
    expect(next.draft).toMatchObject({ 'agent.extension': '9', 'agent.name': 'Typed' });
    expect(next.rows.map((row) => row.text)).toEqual(['A']);
    const edited = reasonRowsFrom(['Mine']);
    expect(rebaseAgentQueue(draft, edited, DEFAULT_SETTINGS, newBase).rows).toBe(edited);
  });

  it("takes the SIP URI's user part as the fallback extension", () => {
    expect(sipUriExtension('sip:1001@pbx.example')).toBe('1001');
    expect(sipUriExtension('sips:desk.3@pbx.example')).toBe('desk.3');
    expect(sipUriExtension('')).toBe('');
    expect(sipUriExtension('sip:a b@pbx')).toBe('');
  });
});
