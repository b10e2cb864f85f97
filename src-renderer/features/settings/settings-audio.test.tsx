// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory, type FakePhone } from '../../test-support/fake-phone';

const DEVICES = [
  { kind: 'audioinput', deviceId: 'default', label: 'Default', groupId: 'g' },
  { kind: 'audioinput', deviceId: 'mic-headset', label: 'Jabra Evolve2 (mic)', groupId: 'g1' },
  { kind: 'audioinput', deviceId: 'mic-webcam', label: 'Webcam', groupId: 'g2' },
  { kind: 'audiooutput', deviceId: 'out-headset', label: 'Jabra Evolve2', groupId: 'g1' },
  { kind: 'audiooutput', deviceId: 'out-speakers', label: 'Speakers', groupId: 'g3' },
  { kind: 'videoinput', deviceId: 'cam', label: 'Webcam video', groupId: 'g2' },
];

let deviceChange: (() => void) | null = null;
let listed = DEVICES;

beforeEach(() => {
  listed = DEVICES;
  vi.stubGlobal('navigator', {
    ...navigator,
    mediaDevices: {
      enumerateDevices: vi.fn(async () => listed),
      addEventListener: (_name: string, listener: () => void) => (deviceChange = listener),
      removeEventListener: () => (deviceChange = null),
    },
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const configured = (overrides: Partial<SettingsView> = {}) =>
  makeView({
    settings: { language: 'en', sip: { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@x.test', authUser: '1001' } },
    sipPasswordSet: true,
    ...overrides,
  });

async function openSettings(view: SettingsView): Promise<{ desk: FakeDesk; phones: FakePhone[] }> {
  const desk = createFakeDesk({ view, sipPassword: 'secret' });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-form');
  return { desk, phones: fake.phones };
}

const select = (testId: string) => screen.getByTestId(testId) as HTMLSelectElement;
const optionTexts = (testId: string) => Array.from(select(testId).options).map((option) => option.textContent);

describe('Settings: audio devices', () => {
  it('lists microphones and speakers, with System default first', async () => {
    await openSettings(configured());
    await waitFor(() => expect(optionTexts('settings-audio-microphone')).toEqual(['System default', 'Jabra Evolve2 (mic)', 'Webcam']));
    expect(optionTexts('settings-audio-speaker')).toEqual(['System default', 'Jabra Evolve2', 'Speakers']);
    expect(optionTexts('settings-audio-ringer')).toEqual(['System default', 'Jabra Evolve2', 'Speakers']);
    expect(select('settings-audio-microphone').value).toBe('');
  });

  it('saving a device sends audio with settings.update and switches the running phone without a restart', async () => {
    const { desk, phones } = await openSettings(configured());
    await waitFor(() => expect(optionTexts('settings-audio-ringer')).toHaveLength(3));
    fireEvent.change(select('settings-audio-microphone'), { target: { value: 'mic-headset' } });
    fireEvent.change(select('settings-audio-ringer'), { target: { value: 'out-speakers' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Saved.'));
    expect(desk.callsTo('settings.update')).toEqual([{ audio: { microphoneId: 'mic-headset', ringerId: 'out-speakers' } }]);

    // main pushes the stored change; the phone keeps its registration and gets the new devices.
    const devices = { microphoneId: 'mic-headset', speakerId: '', ringerId: 'out-speakers' };
    desk.emit('settings:changed', { ...desk.view, settings: { ...desk.view.settings, audio: devices } });
    await waitFor(() => expect(phones[0]!.actionsOf('setAudioDevices')).toEqual([{ method: 'setAudioDevices', args: [devices] }]));
    expect(phones).toHaveLength(1);
    expect(phones[0]!.stopped).toBe(0);
  });

  it('a saved device that is unplugged stays selected and says so; a plugged-in one appears', async () => {
    await openSettings(configured({ settings: { ...configured().settings, audio: { microphoneId: 'gone', speakerId: '', ringerId: '' } } }));
    await waitFor(() => expect(optionTexts('settings-audio-microphone')).toContain('Saved device (not connected now)'));
    expect(select('settings-audio-microphone').value).toBe('gone');
    listed = [...DEVICES, { kind: 'audiooutput', deviceId: 'usb', label: 'USB speaker', groupId: 'g9' }];
    deviceChange?.();
    await waitFor(() => expect(optionTexts('settings-audio-speaker')).toContain('USB speaker'));
  });

  it('devices without names get numbered names and a button to show the real ones', async () => {
    listed = DEVICES.map((device) => ({ ...device, label: '' }));
    await openSettings(configured());
    await waitFor(() => expect(optionTexts('settings-audio-microphone')).toEqual(['System default', 'Microphone 1', 'Microphone 2']));
    expect(screen.getByTestId('settings-audio-names')).toBeTruthy();
  });

  it('paths IT manages are locked', async () => {
    await openSettings(configured({ managed: ['audio.ringerId', 'sip.autoAnswerIntercom'] }));
    expect(select('settings-audio-ringer').disabled).toBe(true);
    expect(select('settings-audio-microphone').disabled).toBe(false);
    expect((screen.getByTestId('settings-sip-auto-answer') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('settings-audio-ringer-managed')).toBeTruthy();
  });

  it('without enumerateDevices it says the system defaults are used', async () => {
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: undefined });
    await openSettings(configured());
    expect(screen.getByTestId('settings-audio-note').textContent).toContain('system defaults are used');
    expect(optionTexts('settings-audio-speaker')).toEqual(['System default']);
  });
});

describe('Settings: intercom auto-answer and DTMF mode', () => {
  it('saves the checkbox and the select in one sip patch; the phone restarts with them', async () => {
    const { desk, phones } = await openSettings(configured());
    const checkbox = screen.getByTestId('settings-sip-auto-answer') as HTMLInputElement;
    expect(checkbox.checked).toBe(false);
    expect(select('settings-sip-dtmf-mode').value).toBe('rfc4733');
    fireEvent.click(checkbox);
    fireEvent.change(select('settings-sip-dtmf-mode'), { target: { value: 'info' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Saved.'));
    expect(desk.callsTo('settings.update')).toEqual([{ sip: { autoAnswerIntercom: true, dtmfMode: 'info' } }]);
    expect(within(screen.getByTestId('settings-form')).getByTestId('settings-sip-auto-answer')).toHaveProperty('checked', true);
    desk.emit('settings:changed', desk.view);
    await waitFor(() => expect(phones).toHaveLength(2));
    expect(phones[1]!.started[0]).toMatchObject({ autoAnswerIntercom: true, dtmfMode: 'info' });
  });
});
