// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { newCall } from '../../softphone/call-state';
import { createFakeDesk, makeView } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const ACCOUNT = {
  ...DEFAULT_SETTINGS.sip,
  server: 'ws://127.0.0.1:5066',
  uri: 'sip:1001@registratura.test',
  authUser: '1001',
  displayName: 'Desk 1',
};

function configuredView(overrides: Partial<SettingsView['settings']> = {}): SettingsView {
  return makeView({ settings: { sip: ACCOUNT, ...overrides }, sipPasswordSet: true });
}

/** The desk on the Phone pane with a started fake phone. */
async function renderPhoneDesk(view: SettingsView = configuredView(), language: 'ru' | 'en' = 'en') {
  const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language } }, sipPassword: 'desk-secret' });
  const fake = fakePhoneFactory();
  const store = createAppStore({ bridge: 'open' });
  const utils = render(<App desk={desk} i18n={createI18n(language)} store={store} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { ...utils, desk, store, phones: fake.phones, phone };
}

const lineOf = (id: string) => document.querySelector<HTMLElement>(`[data-testid="call-line"][data-call-id="${id}"]`);
const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;

describe('Phone pane: incoming calls', () => {
  it('a ringing call shows its number and name, and Answer answers it', async () => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+74951234567', displayName: 'Иванова Анна' }));
    const panel = screen.getByTestId('incoming-call');
    expect(panel.getAttribute('data-call-id')).toBe('c1');
    expect(panel.getAttribute('data-waiting')).toBe('false');
    // Written as people read it; the raw caller id stays on the element for tools and tests.
    expect(within(panel).getByTestId('incoming-call-number').textContent).toBe('+7 (495) 123-45-67');
    expect(within(panel).getByTestId('incoming-call-number').getAttribute('data-number')).toBe('+74951234567');
    expect(within(panel).getByTestId('incoming-call-name').textContent).toBe('Иванова Анна');

    fireEvent.click(within(panel).getByTestId('answer-button'));
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['c1'] }]);
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    expect(lineOf('c1')!.getAttribute('data-number')).toBe('+74951234567');
  });

  it('Reject declines the ringing call, and it is gone at once', async () => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    fireEvent.click(screen.getByTestId('reject-button'));
    await waitFor(() => expect(screen.queryByTestId('incoming-call')).toBeNull());
    expect(phone.actionsOf('reject')).toEqual([{ method: 'reject', args: ['c1'] }]);
    expect(screen.queryAllByTestId('call-line')).toHaveLength(0);
  });

  it.each([
    ['markup', '<img src=x onerror=alert(1)><script>alert(2)</script><b>bold</b>'],
    ['10 KB', 'Я'.repeat(10_240)],
    ['RTL override', '\u202eevil\u202c Иванов \u2066x\u2069'],
    ['emoji', '👩‍⚕️🦷💉 Пациент 🇷🇺'],
  ])('a hostile display name (%s) is drawn as plain text, nothing injected', async (_kind, name) => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'evil', number: '555', displayName: name }));
    const panel = screen.getByTestId('incoming-call');
    const shown = within(panel).getByTestId('incoming-call-name');
    expect(shown.children).toHaveLength(0);
    expect(document.querySelector('img, script, b')).toBeNull();
    expect(shown.textContent).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
    expect(Array.from(shown.textContent ?? '').length).toBeLessThanOrEqual(200);
    if (name.startsWith('<')) expect(shown.textContent).toContain('<img src=x onerror=alert(1)>');
    if (name.startsWith('👩')) expect(shown.textContent).toBe(name);
    expect(shown.className).toContain('truncate');
  });

  it('a call ringing while another is active is the second line; answering holds the first', async () => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));

    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    const panel = screen.getByTestId('incoming-call');
    expect(panel.getAttribute('data-waiting')).toBe('true');
    expect(panel.textContent).toContain('Second line');
    fireEvent.click(within(panel).getByTestId('answer-button'));
    await waitFor(() => expect(lineOf('c2')?.getAttribute('data-state')).toBe('active'));
    expect(lineOf('c1')!.getAttribute('data-state')).toBe('held');
    // The held line keeps its media readout (no controls, no mic meter); the current one has both.
    expect(within(lineOf('c1')!).getByTestId('call-media')).toBeTruthy();
    expect(within(lineOf('c1')!).queryByTestId('hangup-button')).toBeNull();
    expect(screen.getAllByTestId('mic-level')).toHaveLength(1);
    expect(within(lineOf('c2')!).getByTestId('mic-level')).toBeTruthy();

    // Swap is offered on the held line while another is active.
    expect(within(lineOf('c2')!).queryByTestId('swap-button')).toBeNull();
    fireEvent.click(within(lineOf('c1')!).getByTestId('swap-button'));
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    expect(lineOf('c2')!.getAttribute('data-state')).toBe('held');
    expect(phone.actionsOf('swap')).toEqual([{ method: 'swap', args: ['c1'] }]);
  });
});

describe('Phone pane: intercom', () => {
  it('says an intercom call answers itself only when the desk allows it', async () => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'i1', number: '200', autoAnswerAfterSec: 0 }));
    expect(screen.queryByTestId('incoming-call-intercom')).toBeNull();
    cleanup();
    const second = await renderPhoneDesk(configuredView({ sip: { ...ACCOUNT, autoAnswerIntercom: true } }));
    await act(async () => void second.phone.ring({ id: 'i2', number: '200', autoAnswerAfterSec: 0 }));
    expect(screen.getByTestId('incoming-call-intercom').textContent).toContain('answered automatically');
    expect(second.phone.started[0]!.autoAnswerIntercom).toBe(true);
  });
});

describe('Phone pane: dialling', () => {
  it('dials a pasted number normalised, with Enter', async () => {
    const { phone } = await renderPhoneDesk();
    const input = screen.getByTestId('dial-input') as HTMLInputElement;
    fireEvent.paste(input, { clipboardData: { getData: () => 'tel:+7 (495) 123-45-67' } });
    expect(input.value).toBe('+74951234567');
    fireEvent.submit(input.form!);
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['+74951234567'] }]));
    await waitFor(() => expect(input.value).toBe(''));
    expect(screen.getAllByTestId('call-line')[0]!.getAttribute('data-state')).toBe('connecting');
  });

  it('typed separators are dropped when dialling, and the keypad digits add to the box', async () => {
    const { phone } = await renderPhoneDesk();
    const input = screen.getByTestId('dial-input') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '+7 (495) 123-45-6' } });
    expect(screen.getByTestId('dial-normalised').textContent).toContain('+7495123456');
    fireEvent.click(screen.getByTestId('dialpad-key-7'));
    expect(input.value).toBe('+7 (495) 123-45-67');
    fireEvent.click(screen.getByTestId('dial-button'));
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['+74951234567'] }]));
  });

  it('letters get a specific error and nothing is dialled; an empty box says to type a number', async () => {
    const { phone } = await renderPhoneDesk();
    const input = screen.getByTestId('dial-input') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'call bob' } });
    expect(screen.getByTestId('dial-error').getAttribute('data-problem')).toBe('letters');
    expect(screen.getByTestId('dial-error').textContent).toContain('remove the letters');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    fireEvent.click(screen.getByTestId('dial-button'));
    expect(phone.actionsOf('call')).toEqual([]);

    fireEvent.change(input, { target: { value: '' } });
    expect(screen.queryByTestId('dial-error')).toBeNull();
    fireEvent.click(screen.getByTestId('dial-button'));
    expect(screen.getByTestId('dial-error').getAttribute('data-problem')).toBe('empty');

    fireEvent.change(input, { target: { value: '1'.repeat(33) } });
    fireEvent.click(screen.getByTestId('dial-button'));
    expect(screen.getByTestId('dial-error').getAttribute('data-problem')).toBe('tooLong');
    expect(phone.actionsOf('call')).toEqual([]);
  });

  it('focusing or typing in the number box prepares the microphone, so the call does not wait for it', async () => {
    const { phone } = await renderPhoneDesk();
    const input = screen.getByTestId('dial-input') as HTMLInputElement;
    expect(phone.actionsOf('prepareMicrophone')).toEqual([]);
    fireEvent.focus(input);
    expect(phone.actionsOf('prepareMicrophone')).toEqual([{ method: 'prepareMicrophone', args: [] }]);
    fireEvent.change(input, { target: { value: '10' } });
    expect(phone.actionsOf('prepareMicrophone')).toHaveLength(2);
    fireEvent.click(screen.getByTestId('dialpad-key-2'));
    const afterKeypad = phone.actionsOf('prepareMicrophone').length;
    expect(afterKeypad).toBeGreaterThan(2);
    // Clearing the box is no sign of a call coming.
    fireEvent.change(input, { target: { value: '' } });
    expect(phone.actionsOf('prepareMicrophone')).toHaveLength(afterKeypad);
    // Ctrl+Shift+D focuses the box: prepared too.
    input.blur();
    fireEvent.keyDown(document, { key: 'D', code: 'KeyD', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(document.activeElement).toBe(input));
    expect(phone.actionsOf('prepareMicrophone')).toHaveLength(afterKeypad + 1);
  });

  it('a phone whose prepareMicrophone throws does not break typing', async () => {
    const { phone } = await renderPhoneDesk();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    phone.failNext('prepareMicrophone');
    const input = screen.getByTestId('dial-input') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '101' } });
    expect(input.value).toBe('101');
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    fireEvent.click(screen.getByTestId('dial-button'));
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['101'] }]));
  });

  it('a phone that refuses the call shows a specific message instead of throwing', async () => {
    const { phone } = await renderPhoneDesk();
    phone.failNext('call', new Error('not registered'));
    fireEvent.change(screen.getByTestId('dial-input'), { target: { value: '101' } });
    fireEvent.click(screen.getByTestId('dial-button'));
    const error = await screen.findByTestId('phone-error');
    expect(error.getAttribute('data-action')).toBe('dial');
    expect(error.textContent).toContain('The call could not be placed');
    expect((screen.getByTestId('dial-input') as HTMLInputElement).value).toBe('101');
  });
});

async function activeCall(phone: Awaited<ReturnType<typeof renderPhoneDesk>>['phone'], id = 'c1') {
  await act(async () => void phone.ring({ id, number: '+74951234567', displayName: 'Patient' }));
  fireEvent.click(within(document.querySelector(`[data-testid="incoming-call"][data-call-id="${id}"]`)!).getByTestId('answer-button'));
  await waitFor(() => expect(lineOf(id)?.getAttribute('data-state')).toBe('active'));
  return lineOf(id)!;
}

describe('Phone pane: call controls', () => {
  it('hold and mute toggle aria-pressed and call the phone', async () => {
    const { phone } = await renderPhoneDesk();
    await activeCall(phone);
    expect(button('hold-button').getAttribute('aria-pressed')).toBe('false');
    expect(button('hold-button').textContent).toContain('Hold');
    fireEvent.click(button('hold-button'));
    await waitFor(() => expect(button('hold-button').getAttribute('aria-pressed')).toBe('true'));
    expect(button('hold-button').textContent).toContain('Resume');
    expect(lineOf('c1')!.getAttribute('data-state')).toBe('held');
    fireEvent.click(button('hold-button'));
    await waitFor(() => expect(button('hold-button').getAttribute('aria-pressed')).toBe('false'));
    expect(phone.actionsOf('hold')).toHaveLength(1);
    expect(phone.actionsOf('resume')).toHaveLength(1);

    fireEvent.click(button('mute-button'));
    await waitFor(() => expect(button('mute-button').getAttribute('aria-pressed')).toBe('true'));
    fireEvent.click(button('mute-button'));
    await waitFor(() => expect(button('mute-button').getAttribute('aria-pressed')).toBe('false'));
    expect(phone.actionsOf('setMuted').map((action) => action.args)).toEqual([
      ['c1', true],
      ['c1', false],
    ]);
  });

  it('a failed hold shows its own message; the next success clears it', async () => {
    const { phone } = await renderPhoneDesk();
    await activeCall(phone);
    phone.failNext('hold');
    fireEvent.click(button('hold-button'));
    expect((await screen.findByTestId('phone-error')).textContent).toContain('could not be put on hold');
    expect(button('hold-button').getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(button('hold-button'));
    await waitFor(() => expect(screen.queryByTestId('phone-error')).toBeNull());
  });

  it('DTMF keys and digits typed on the focused keypad are sent', async () => {
    const { phone } = await renderPhoneDesk();
    await activeCall(phone);
    fireEvent.click(screen.getByTestId('dtmf-key-1'));
    fireEvent.click(screen.getByTestId('dtmf-key-#'));
    const keypad = screen.getByTestId('dtmf-keypad');
    keypad.focus();
    fireEvent.keyDown(keypad, { key: '5' });
    fireEvent.keyDown(keypad, { key: '*' });
    fireEvent.keyDown(keypad, { key: 'x' });
    fireEvent.keyDown(keypad, { key: '5', repeat: true });
    await waitFor(() => expect(phone.actionsOf('sendDtmf').map((action) => action.args[1])).toEqual(['1', '#', '5', '*']));
    expect(screen.getByTestId('dtmf-sent').textContent).toBe('1#5*');
  });

  it('hang up ends the call; it disappears at once and is recorded exactly once', async () => {
    const { phone, desk } = await renderPhoneDesk();
    await activeCall(phone);
    fireEvent.click(button('hangup-button'));
    await waitFor(() => expect(screen.queryAllByTestId('call-line')).toHaveLength(0));
    await waitFor(() => expect(desk.callsTo('calls.record')).toHaveLength(1));
    const record = desk.callsTo('calls.record')[0] as Record<string, unknown>;
    expect(record).toMatchObject({ id: 'c1', direction: 'incoming', number: '+74951234567', displayName: 'Patient', outcome: 'answered' });
    expect(record.answeredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Object.keys(record).sort()).toEqual(['answeredAt', 'direction', 'displayName', 'endedAt', 'id', 'number', 'outcome', 'startedAt']);
    expect(desk.journal).toHaveLength(1);
    expect(screen.getByTestId('phone-idle')).toBeTruthy();
  });

  it('a missed call (the caller gave up) is recorded once with no answeredAt', async () => {
    const { phone, desk } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'm1', number: '777' }));
    act(() => phone.remoteHangup('m1'));
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    await waitFor(() => expect(desk.callsTo('calls.record')).toEqual([expect.objectContaining({ id: 'm1', outcome: 'missed', answeredAt: null })]));
  });

  it('a failed calls.record is retried when the bridge comes back, never thrown', async () => {
    const { phone, desk } = await renderPhoneDesk();
    let fail = true;
    desk.handle('calls.record', (input) => {
      if (fail) throw new Error('bridge down');
      desk.journal.push(input);
      return { recorded: true };
    });
    await activeCall(phone);
    fireEvent.click(button('hangup-button'));
    await waitFor(() => expect(desk.callsTo('calls.record')).toHaveLength(1));
    expect(desk.journal).toHaveLength(0);
    fail = false;
    act(() => desk.setBridge('reconnecting'));
    act(() => desk.setBridge('open'));
    await waitFor(() => expect(desk.journal).toHaveLength(1));
    expect(desk.callsTo('calls.record')).toHaveLength(2);
    expect(desk.journal[0]).toMatchObject({ id: 'c1', outcome: 'answered' });
  });

  it('a lost call is recorded as lost and the pane says so', async () => {
    const { phone, desk } = await renderPhoneDesk();
    await activeCall(phone);
    act(() => phone.endCall('c1', 'lost'));
    expect(screen.getByTestId('call-lost-notice').textContent).toContain('+7 (495) 123-45-67');
    await waitFor(() => expect(desk.callsTo('calls.record')).toEqual([expect.objectContaining({ id: 'c1', outcome: 'lost' })]));
  });

  it('a recovering call says reconnecting and disables its controls', async () => {
    const { phone } = await renderPhoneDesk();
    const line = await activeCall(phone);
    const call = phone.calls[0]!;
    act(() => phone.setCalls([{ ...call, state: 'recovering' }]));
    expect(line.getAttribute('data-state')).toBe('recovering');
    expect(screen.getByTestId('call-recovering').textContent).toContain('reconnecting the call');
    expect(within(line).getByTestId('call-state').textContent).toBe('reconnecting…');
    for (const id of ['hangup-button', 'hold-button', 'mute-button', 'blind-transfer-button', 'consult-button', 'dtmf-key-1']) {
      expect(button(id).disabled, id).toBe(true);
    }
  });

  it('blind transfer sends the normalised target; a bad target gets an error', async () => {
    const { phone } = await renderPhoneDesk();
    await activeCall(phone);
    const before = phone.actionsOf('prepareMicrophone').length;
    fireEvent.focus(screen.getByTestId('transfer-input'));
    // A consultation call may follow: its microphone is opened now.
    expect(phone.actionsOf('prepareMicrophone')).toHaveLength(before + 1);
    fireEvent.change(screen.getByTestId('transfer-input'), { target: { value: 'reception' } });
    fireEvent.click(button('blind-transfer-button'));
    expect(screen.getByTestId('transfer-error').getAttribute('data-problem')).toBe('letters');
    fireEvent.change(screen.getByTestId('transfer-input'), { target: { value: ' 10-2 ' } });
    fireEvent.click(button('blind-transfer-button'));
    await waitFor(() => expect(phone.actionsOf('blindTransfer')).toEqual([{ method: 'blindTransfer', args: ['c1', '102'] }]));
    await waitFor(() => expect(screen.queryAllByTestId('call-line')).toHaveLength(0));
  });

  it('attended transfer: consult, then cancel (hang up the consultation, resume the caller) or complete', async () => {
    const { phone } = await renderPhoneDesk();
    await activeCall(phone);
    fireEvent.change(screen.getByTestId('transfer-input'), { target: { value: '102' } });
    fireEvent.click(button('consult-button'));
    await waitFor(() => expect(screen.getAllByTestId('call-line')).toHaveLength(2));
    const consultation = phone.calls.find((call) => call.consultationFor === 'c1')!;
    expect(lineOf('c1')!.getAttribute('data-state')).toBe('held');
    expect(button('complete-transfer-button').disabled).toBe(true); // not answered yet
    act(() => phone.establish(consultation.id));
    expect(button('complete-transfer-button').disabled).toBe(false);

    fireEvent.click(button('cancel-transfer-button'));
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    expect(lineOf(consultation.id)).toBeNull();
    expect(phone.actions.filter((action) => action.method !== 'mediaStats').slice(-2).map((action) => [action.method, ...action.args])).toEqual([
      ['hangup', consultation.id],
      ['resume', 'c1'],
    ]);

    fireEvent.change(screen.getByTestId('transfer-input'), { target: { value: '103' } });
    fireEvent.click(button('consult-button'));
    await waitFor(() => expect(phone.calls.some((call) => call.consultationFor === 'c1' && call.remoteNumber === '103')).toBe(true));
    const second = phone.calls.find((call) => call.remoteNumber === '103')!;
    act(() => phone.establish(second.id));
    fireEvent.click(button('complete-transfer-button'));
    await waitFor(() => expect(screen.queryAllByTestId('call-line')).toHaveLength(0));
    expect(phone.actionsOf('completeAttendedTransfer')).toEqual([{ method: 'completeAttendedTransfer', args: ['c1', second.id] }]);
  });

  it('the media readout and mic meter refresh every second from mediaStats', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { phone } = await renderPhoneDesk();
    const line = await activeCall(phone);
    const stats = { packetsReceived: 50, packetsLost: 0, bytesReceived: 8000, totalAudioEnergy: 0.25, packetsSent: 49, jitterSec: 0.004, microphoneLevel: 0.4 };
    phone.stats.set('c1', stats);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    const media = within(line).getByTestId('call-media');
    expect(media.getAttribute('data-packets-received')).toBe('50');
    expect(media.getAttribute('data-packets-sent')).toBe('49');
    expect(media.getAttribute('data-audio-energy')).toBe('0.25');
    expect(within(line).getByTestId('mic-level').getAttribute('data-level')).toBe('0.4');
    expect(within(line).getByTestId('call-timer').textContent).toBe('00:01');

    phone.stats.set('c1', { ...stats, packetsReceived: 100, packetsSent: 99, microphoneLevel: 0 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    expect(media.getAttribute('data-packets-received')).toBe('100');
    expect(within(line).getByTestId('mic-level').getAttribute('data-level')).toBe('0');
    expect(within(line).getByTestId('call-timer').textContent).toBe('00:02');
  });
});

describe('Phone hotkeys', () => {
  it('F6 answers the ringing call and F9 hangs up; auto-repeat does nothing', async () => {
    const { phone } = await renderPhoneDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    fireEvent.keyDown(document, { key: 'F6', repeat: true });
    expect(phone.actionsOf('answer')).toEqual([]);
    fireEvent.keyDown(document, { key: 'F6' });
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    fireEvent.keyDown(document, { key: 'F7' });
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('held'));
    fireEvent.keyDown(document, { key: 'F7' });
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    fireEvent.keyDown(document, { key: 'F8' });
    await waitFor(() => expect(button('mute-button').getAttribute('aria-pressed')).toBe('true'));
    fireEvent.keyDown(document, { key: 'F9' });
    await waitFor(() => expect(screen.queryAllByTestId('call-line')).toHaveLength(0));
    expect(phone.actions.filter((action) => action.method !== 'start' && action.method !== 'mediaStats').map((action) => action.method)).toEqual(['answer', 'hold', 'resume', 'setMuted', 'hangup']);
  });

  it('F9 with only a ringing call rejects it; the hotkeys work from another pane', async () => {
    const { phone } = await renderPhoneDesk();
    fireEvent.click(screen.getByTestId('nav-patients'));
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    fireEvent.keyDown(document, { key: 'F9' });
    await waitFor(() => expect(phone.actionsOf('reject')).toEqual([{ method: 'reject', args: ['c1'] }]));
  });

  it('Ctrl+Shift+D opens the Phone pane and focuses the number box', async () => {
    await renderPhoneDesk();
    fireEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('settings-form');
    fireEvent.keyDown(document, { key: 'D', code: 'KeyD', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('dial-input')));
  });

  it('a global hotkey pressed in another program (hotkey:pressed from main) answers and hangs up', async () => {
    const { phone, desk } = await renderPhoneDesk();
    fireEvent.click(screen.getByTestId('nav-patients'));
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    act(() => desk.emit('hotkey:pressed', { action: 'answer' }));
    await waitFor(() => expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['c1'] }]));
    act(() => desk.emit('hotkey:pressed', { action: 'hangup' }));
    await waitFor(() => expect(phone.actionsOf('hangup')).toEqual([{ method: 'hangup', args: ['c1'] }]));
  });

  it('the pane lists the hotkeys and the buttons carry them as hints', async () => {
    const { phone } = await renderPhoneDesk();
    expect(screen.getByTestId('phone-hotkeys').textContent).toContain('F6');
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(button('answer-button').title).toBe('Answer (F6)');
    expect(button('answer-button').getAttribute('aria-keyshortcuts')).toBe('F6');
  });
});

describe('Phone pane in Russian', () => {
  it('says "second line" and shows errors in Russian', async () => {
    const { phone } = await renderPhoneDesk(configuredView(), 'ru');
    await activeCall(phone);
    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    expect(screen.getByTestId('incoming-call').textContent).toContain('Вторая линия');
    fireEvent.change(screen.getByTestId('dial-input'), { target: { value: 'абв' } });
    expect(screen.getByTestId('dial-error').textContent).toContain('уберите буквы');
  });
});

describe('Phone and audio devices', () => {
  it('a device change switches devices on the running phone without restarting it', async () => {
    const { phones, desk } = await renderPhoneDesk();
    const phone = phones[0]!;
    expect(phone.started[0]!.audioDevices).toEqual({ microphoneId: '', speakerId: '', ringerId: '' });
    const audio = { microphoneId: 'mic-2', speakerId: 'headset', ringerId: 'speakers' };
    act(() => desk.emit('settings:changed', { ...desk.view, settings: { ...desk.view.settings, audio } }));
    await waitFor(() => expect(phone.actionsOf('setAudioDevices')).toEqual([{ method: 'setAudioDevices', args: [audio] }]));
    expect(phones).toHaveLength(1);
    expect(phone.stopped).toBe(0);
    expect(phone.started).toHaveLength(1);
  });

  it('a calls list from a newCall snapshot shows every live line', async () => {
    const { phone } = await renderPhoneDesk();
    act(() =>
      phone.setCalls([
        { ...newCall({ id: 'a', direction: 'outgoing', remoteNumber: '201', remoteDisplayName: '', at: phone.now }), state: 'ringing' },
        { ...newCall({ id: 'b', direction: 'incoming', remoteNumber: '202', remoteDisplayName: 'B', at: phone.now }), state: 'held', answeredAt: phone.now },
      ]),
    );
    expect(screen.getAllByTestId('call-line').map((line) => line.getAttribute('data-state'))).toEqual(['ringing', 'held']);
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    // The outgoing call being set up is the focused one.
    expect(lineOf('a')!.getAttribute('data-focused')).toBe('true');
  });
});

describe('Phone pane: numbers as people read them', () => {
  it('the ringing panel, the pop, the call line and the wrap-up all write +7 (707) 116-15-86 (the journal: call-journal.test)', async () => {
    const { phone } = await renderPhoneDesk();
    const shown = '+7 (707) 116-15-86';
    // The caller id in its national form, as many trunks deliver it.
    await act(async () => void phone.ring({ id: 'c1', number: '87071161586', displayName: '' }));
    expect(screen.getByTestId('incoming-call-number').textContent).toBe(shown);
    expect((await screen.findByTestId('screen-pop-number')).textContent).toBe(shown);
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(lineOf('c1')?.getAttribute('data-state')).toBe('active'));
    expect(within(lineOf('c1')!).getByTestId('call-number').textContent).toBe(shown);
    expect(lineOf('c1')!.getAttribute('aria-label')).toContain(shown);
    act(() => phone.remoteHangup('c1'));
    expect((await screen.findByTestId('wrap-up-number')).textContent).toBe(shown);
    // An internal extension is not a phone number: it stays as it is.
    await act(async () => void phone.ring({ id: 'c2', number: '1001', displayName: '' }));
    expect(screen.getByTestId('incoming-call-number').textContent).toBe('1001');
  });
});
