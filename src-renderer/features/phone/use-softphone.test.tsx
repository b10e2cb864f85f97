// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(cleanup);

const ACCOUNT = {
  ...DEFAULT_SETTINGS.sip,
  server: 'ws://127.0.0.1:5066',
  uri: 'sip:1001@registratura.test',
  authUser: '1001',
  displayName: 'Desk 1',
  iceGatheringTimeoutMs: 500,
};

function configuredView(sip: Partial<typeof ACCOUNT> = {}): SettingsView {
  return makeView({ settings: { sip: { ...ACCOUNT, ...sip } }, sipPasswordSet: true });
}

function renderDesk(view: SettingsView, password: string | null = 'desk-secret', language: 'ru' | 'en' = 'en') {
  const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language } }, sipPassword: password });
  const fake = fakePhoneFactory();
  const utils = render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  return { ...utils, desk, phones: fake.phones };
}

const sipState = () => screen.getByTestId('status-sip').getAttribute('data-state');

describe('useSoftphone', () => {
  it('starts the phone with the account and the password from main, and mirrors its registration', async () => {
    const { phones, desk } = renderDesk(configuredView());
    await waitFor(() => expect(phones[0]?.started).toHaveLength(1));
    expect(phones[0]!.started[0]).toEqual({
      server: 'ws://127.0.0.1:5066',
      uri: 'sip:1001@registratura.test',
      authorizationUsername: '1001',
      password: 'desk-secret',
      displayName: 'Desk 1',
      iceServers: [],
      iceGatheringTimeoutMs: 500,
      autoAnswerIntercom: false,
      dtmfMode: 'rfc4733',
      audioDevices: { microphoneId: '', speakerId: '', ringerId: '' },
    });
    expect(desk.callsTo('sip.credentials')).toEqual([{}]);
    await waitFor(() => expect(sipState()).toBe('connecting'));

    for (const state of ['registering', 'registered'] as const) {
      act(() => phones[0]!.setRegistration({ state, since: Date.UTC(2026, 0, 5, 9, 30), reason: null }));
      expect(sipState()).toBe(state);
    }
    expect(screen.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    expect(screen.queryByTestId('sip-error')).toBeNull();
    expect(screen.getByTestId('status-sip').getAttribute('title')).not.toContain('Softphone not set up');
  });

  it('call events leave the status-bar indicator alone; only a registration change replaces it', async () => {
    const view = configuredView();
    const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language: 'en' } }, sipPassword: 'desk-secret' });
    const fake = fakePhoneFactory();
    const store = createAppStore({ bridge: 'open' });
    render(<App desk={desk} i18n={createI18n('en')} store={store} phoneFactory={fake.factory} />);
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    const phone = fake.phones[0]!;
    act(() => phone.setRegistration({ state: 'registered', since: Date.UTC(2026, 0, 5, 9, 30), reason: null }));
    const indicator = store.getState().sip;
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    await act(() => phone.answer('c1'));
    act(() => phone.remoteHangup('c1'));
    expect(store.getState().sip).toBe(indicator);
    act(() => phone.setRegistration({ state: 'reconnecting', since: Date.UTC(2026, 0, 5, 9, 31), reason: null }));
    expect(store.getState().sip).toMatchObject({ state: 'reconnecting' });
    expect(sipState()).toBe('reconnecting');
  });

  it.each([
    ['wrong-password', 'sipWrongPassword', 'Wrong SIP password — check it in Settings'],
    ['unknown-user', 'sipUnknownUser', 'does not know this account'],
    ['unreachable', 'sipUnreachable', 'cannot be reached'],
    ['rejected', 'sipRejected', 'refused the registration'],
  ] as const)('a failure for %s shows its own message in the pane and the status bar', async (reason, detail, text) => {
    const { phones } = renderDesk(configuredView());
    await waitFor(() => expect(phones[0]?.started).toHaveLength(1));
    act(() => phones[0]!.setRegistration({ state: 'failed', since: 5_000, reason }));
    expect(sipState()).toBe('failed');
    expect(screen.getByTestId('status-sip').getAttribute('title')).toContain(text);
    const error = screen.getByTestId('sip-error');
    expect(error.getAttribute('data-detail')).toBe(detail);
    expect(error.textContent).toContain(text);
  });

  it('shows the failure in Russian too', async () => {
    const { phones } = renderDesk(configuredView(), 'wrong', 'ru');
    await waitFor(() => expect(phones[0]?.started).toHaveLength(1));
    act(() => phones[0]!.setRegistration({ state: 'failed', since: 5_000, reason: 'wrong-password' }));
    expect(screen.getByTestId('sip-error').textContent).toContain('Неверный SIP-пароль');
  });

  it('restarts the phone when the SIP settings or the password change, not on an unrelated change', async () => {
    const { phones, desk } = renderDesk(configuredView());
    await waitFor(() => expect(phones).toHaveLength(1));

    act(() => desk.emit('settings:changed', configuredView({ server: 'ws://127.0.0.1:6000' })));
    await waitFor(() => expect(phones).toHaveLength(2));
    expect(phones[0]!.stopped).toBe(1);
    expect(phones[0]!.listenerCount).toBe(0);
    expect(phones[1]!.started[0]!.server).toBe('ws://127.0.0.1:6000');

    // Same settings, new password (settings.setSipPassword emits settings:changed).
    desk.handle('sip.credentials', () => ({ password: 'new-secret' }));
    act(() => desk.emit('settings:changed', configuredView({ server: 'ws://127.0.0.1:6000' })));
    await waitFor(() => expect(phones).toHaveLength(3));
    expect(phones[1]!.stopped).toBe(1);
    expect(phones[2]!.started[0]!.password).toBe('new-secret');

    // The language changes; the account does not: no restart.
    const calls = desk.callsTo('sip.credentials').length;
    act(() => desk.emit('settings:changed', { ...configuredView({ server: 'ws://127.0.0.1:6000' }), settings: { ...configuredView({ server: 'ws://127.0.0.1:6000' }).settings, language: 'en' } }));
    await waitFor(() => expect(desk.callsTo('sip.credentials').length).toBe(calls + 1));
    expect(phones).toHaveLength(3);
    expect(phones[2]!.stopped).toBe(0);
  });

  it('a restart hangs up the old phone\'s calls, records them, and the pane shows the new phone\'s calls only', async () => {
    const { phones, desk } = renderDesk(configuredView());
    await waitFor(() => expect(phones).toHaveLength(1));
    await act(async () => void phones[0]!.ring({ id: 'old', number: '101' }));
    await waitFor(() => expect(screen.getAllByTestId('incoming-call')).toHaveLength(1));
    act(() => desk.emit('settings:changed', configuredView({ server: 'ws://127.0.0.1:6000' })));
    await waitFor(() => expect(phones).toHaveLength(2));
    expect(screen.queryAllByTestId('incoming-call')).toHaveLength(0);
    await waitFor(() => expect(desk.callsTo('calls.record')).toEqual([expect.objectContaining({ id: 'old' })]));
    act(() => void phones[0]!.setCalls([]));
    await act(async () => void phones[1]!.ring({ id: 'new', number: '102' }));
    expect(screen.getByTestId('incoming-call').getAttribute('data-call-id')).toBe('new');
  });

  it('stops the phone when the account is removed, and on unmount', async () => {
    const { phones, desk, unmount } = renderDesk(configuredView());
    await waitFor(() => expect(phones).toHaveLength(1));
    act(() => desk.emit('settings:changed', makeView({ settings: { language: 'en' } })));
    await waitFor(() => expect(phones[0]!.stopped).toBe(1));
    expect(sipState()).toBe('offline');
    expect(screen.getByTestId('status-sip').getAttribute('title')).toContain('Softphone not set up');

    act(() => desk.emit('settings:changed', { ...configuredView(), settings: { ...configuredView().settings, language: 'en' } }));
    await waitFor(() => expect(phones).toHaveLength(2));
    unmount();
    expect(phones[1]!.stopped).toBe(1);
  });

  it('starts nothing and stays offline / not configured without a stored password', async () => {
    const { phones, desk } = renderDesk(makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: false }), null);
    expect((await screen.findByTestId('phone-empty')).textContent).toContain('no password is stored');
    expect(sipState()).toBe('offline');
    expect(phones).toHaveLength(0);
    expect(desk.callsTo('sip.credentials')).toEqual([]);
  });
});
