// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function openSettings(view: SettingsView = makeView(), language: 'ru' | 'en' = 'en'): Promise<FakeDesk> {
  const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language } } });
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-form');
  return desk;
}

function viewWithIce(iceServers: SettingsView['settings']['sip']['iceServers'], managed: string[] = []): SettingsView {
  return makeView({ settings: { sip: { ...DEFAULT_SETTINGS.sip, iceServers } }, managed });
}

const rows = () => screen.queryAllByTestId('settings-sip-ice-server-row');
const row = (index: number) => within(rows()[index]!);
const field = (index: number, testId: string) => row(index).getByTestId(testId) as HTMLInputElement;
const writes = (desk: FakeDesk) => desk.calls.filter((call) => call.name === 'settings.update' || call.name === 'settings.setSipPassword');
const message = () => screen.getByTestId('settings-message');

describe('Settings: ICE servers', () => {
  it('is empty by default, says a LAN needs none and warns about public STUN', async () => {
    await openSettings();
    const editor = screen.getByTestId('settings-sip-ice-servers');
    expect(rows()).toHaveLength(0);
    expect(within(editor).getByTestId('settings-sip-ice-servers-empty').textContent).toBe('None: calls connect directly on the clinic network.');
    const hint = within(editor).getByTestId('settings-sip-ice-servers-hint').textContent;
    expect(hint).toContain('Leave empty on a LAN');
    expect(hint).toContain('public STUN server');
    expect(within(editor).queryByTestId('settings-sip-ice-servers-managed')).toBeNull();
  });

  it('adding a STUN row and saving sends sip.iceServers, with no credential fields for STUN', async () => {
    const desk = await openSettings();
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    expect(rows()).toHaveLength(1);
    // The new row's URL box takes the focus; STUN takes no username or credential.
    await waitFor(() => expect(document.activeElement).toBe(field(0, 'settings-sip-ice-url')));
    fireEvent.change(field(0, 'settings-sip-ice-url'), { target: { value: ' stun:stun.clinic.local:3478 ' } });
    expect(row(0).queryByTestId('settings-sip-ice-username')).toBeNull();
    expect(row(0).queryByTestId('settings-sip-ice-credential')).toBeNull();

    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(message().textContent).toBe('Saved.'));
    expect(writes(desk)).toEqual([{ name: 'settings.update', input: { sip: { iceServers: [{ urls: 'stun:stun.clinic.local:3478' }] } } }]);
    // The form shows what was stored, and saving again has nothing to send.
    expect(field(0, 'settings-sip-ice-url').value).toBe('stun:stun.clinic.local:3478');
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(message().textContent).toBe('Nothing to save: no changes.');
    expect(writes(desk)).toHaveLength(1);
  });

  it('a TURN row asks for a username and a password-type credential and sends them with its URLs', async () => {
    const log = vi.spyOn(console, 'log');
    const warn = vi.spyOn(console, 'warn');
    const desk = await openSettings();
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    fireEvent.change(field(0, 'settings-sip-ice-url'), {
      target: { value: 'turn:turn.clinic.local:3478?transport=udp, turns:turn.clinic.local:5349' },
    });
    const credential = field(0, 'settings-sip-ice-credential');
    expect(credential.type).toBe('password');
    expect(credential.getAttribute('autocomplete')).toBe('off');

    // Missing credentials are named field by field, and nothing is sent.
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(row(0).getByTestId('settings-sip-ice-username-error').textContent).toBe('A TURN server needs a username.');
    expect(row(0).getByTestId('settings-sip-ice-credential-error').textContent).toBe('A TURN server needs a credential.');
    expect(writes(desk)).toEqual([]);

    fireEvent.change(field(0, 'settings-sip-ice-username'), { target: { value: 'desk7' } });
    expect(row(0).queryByTestId('settings-sip-ice-username-error')).toBeNull();
    fireEvent.change(field(0, 'settings-sip-ice-credential'), { target: { value: 's3cret-turn' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(message().textContent).toBe('Saved.'));
    expect(writes(desk)).toEqual([
      {
        name: 'settings.update',
        input: {
          sip: {
            iceServers: [
              { urls: ['turn:turn.clinic.local:3478?transport=udp', 'turns:turn.clinic.local:5349'], username: 'desk7', credential: 's3cret-turn' },
            ],
          },
        },
      },
    ]);
    const logged = [...log.mock.calls, ...warn.mock.calls].flat().map(String).join('\n');
    expect(logged).not.toContain('s3cret-turn');
  });

  it.each([
    ['http://stun.clinic.local', 'Each URL must start with stun:, turn: or turns:'],
    ['stun.clinic.local:3478', 'Each URL must start with stun:, turn: or turns:'],
    ['stun://stun.clinic.local', 'Write the URL without //, e.g. turn:turn.clinic.local:3478'],
    ['stun:stun.clinic.local:99999', 'The port must be a number from 1 to 65535.'],
    ['stun:stun.clinic.local?transport=udp', 'Not a valid address: use stun:host[:port] or turn:host[:port][?transport=udp|tcp].'],
    ['', 'Enter a URL such as stun:stun.clinic.local:3478, or remove the row.'],
  ])('a bad URL (%j) shows the specific error under its row and sends nothing', async (url, error) => {
    const desk = await openSettings();
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    fireEvent.change(field(0, 'settings-sip-ice-url'), { target: { value: 'stun:10.0.0.1:3478' } });
    fireEvent.change(field(1, 'settings-sip-ice-url'), { target: { value: url } });
    fireEvent.click(screen.getByTestId('settings-save'));

    expect(row(1).getByTestId('settings-sip-ice-url-error').textContent).toBe(error);
    expect(field(1, 'settings-sip-ice-url').getAttribute('aria-invalid')).toBe('true');
    expect(row(0).queryByTestId('settings-sip-ice-url-error')).toBeNull();
    expect(message().textContent).toBe('Some fields need attention; nothing was saved.');
    expect(writes(desk)).toEqual([]);
    await waitFor(() => expect(document.activeElement).toBe(field(1, 'settings-sip-ice-url')));

    // Fixing it clears the error as the user types.
    fireEvent.change(field(1, 'settings-sip-ice-url'), { target: { value: 'stun:[fd00::1]:3478' } });
    expect(row(1).queryByTestId('settings-sip-ice-url-error')).toBeNull();
  });

  it('checks a URL when the box is left, in Russian too', async () => {
    await openSettings(makeView(), 'ru');
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    fireEvent.change(field(0, 'settings-sip-ice-url'), { target: { value: 'https://turn.clinic.local' } });
    fireEvent.blur(field(0, 'settings-sip-ice-url'));
    expect(row(0).getByTestId('settings-sip-ice-url-error').textContent).toBe('Каждый адрес должен начинаться с stun:, turn: или turns:');
  });

  it('removing rows sends the remaining list; removing the last sends an empty one', async () => {
    const desk = await openSettings(
      viewWithIce([
        { urls: 'stun:a.clinic.local' },
        { urls: ['turn:b.clinic.local:3478'], username: 'u', credential: 'c' },
        { urls: 'stun:c.clinic.local' },
      ]),
    );
    expect(rows()).toHaveLength(3);
    expect(field(1, 'settings-sip-ice-url').value).toBe('turn:b.clinic.local:3478');
    expect(field(1, 'settings-sip-ice-username').value).toBe('u');

    fireEvent.click(row(0).getByTestId('settings-sip-ice-remove'));
    expect(rows()).toHaveLength(2);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('settings-sip-ice-add')));
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(message().textContent).toBe('Saved.'));
    expect(writes(desk).at(-1)).toEqual({
      name: 'settings.update',
      input: { sip: { iceServers: [{ urls: 'turn:b.clinic.local:3478', username: 'u', credential: 'c' }, { urls: 'stun:c.clinic.local' }] } },
    });

    fireEvent.click(row(1).getByTestId('settings-sip-ice-remove'));
    fireEvent.click(row(0).getByTestId('settings-sip-ice-remove'));
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId('settings-sip-ice-servers-empty')).toBeTruthy();
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(writes(desk)).toHaveLength(2));
    expect(writes(desk).at(-1)).toEqual({ name: 'settings.update', input: { sip: { iceServers: [] } } });
  });

  it('removing a bad row clears its error and lets the rest save', async () => {
    const desk = await openSettings();
    fireEvent.click(screen.getByTestId('settings-sip-ice-add'));
    fireEvent.change(field(0, 'settings-sip-ice-url'), { target: { value: 'nonsense' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(row(0).getByTestId('settings-sip-ice-url-error')).toBeTruthy();
    fireEvent.click(row(0).getByTestId('settings-sip-ice-remove'));
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(message().textContent).toBe('Nothing to save: no changes.');
    expect(writes(desk)).toEqual([]);
  });

  it('stops at 8 servers', async () => {
    await openSettings(viewWithIce(Array.from({ length: 7 }, (_, i) => ({ urls: `stun:s${i}.clinic.local` }))));
    const add = screen.getByTestId('settings-sip-ice-add') as HTMLButtonElement;
    expect(add.disabled).toBe(false);
    fireEvent.click(add);
    expect(rows()).toHaveLength(8);
    expect(add.disabled).toBe(true);
    expect(screen.getByTestId('settings-sip-ice-servers-hint').textContent).toContain('At most 8 servers.');
  });

  it.each([['sip.iceServers'], ['sip']])('managed by IT (%s): read-only, with the note, and never sent', async (path) => {
    const desk = await openSettings(viewWithIce([{ urls: 'turn:turn.clinic.local:3478', username: 'it', credential: 'it-secret' }], [path]));
    const editor = screen.getByTestId('settings-sip-ice-servers');
    expect(editor.getAttribute('data-managed')).toBe('true');
    expect(within(editor).getByTestId('settings-sip-ice-servers-managed').textContent).toBe('Managed by your IT (provisioning file)');
    expect(field(0, 'settings-sip-ice-url').disabled).toBe(true);
    expect(field(0, 'settings-sip-ice-username').disabled).toBe(true);
    expect(field(0, 'settings-sip-ice-credential').disabled).toBe(true);
    expect(field(0, 'settings-sip-ice-credential').type).toBe('password');
    expect(within(editor).queryByTestId('settings-sip-ice-add')).toBeNull();
    expect(within(editor).queryByTestId('settings-sip-ice-remove')).toBeNull();

    if (path === 'sip.iceServers') fireEvent.change(screen.getByTestId('settings-sip-display-name'), { target: { value: 'Desk 2' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    if (path === 'sip.iceServers') {
      await waitFor(() => expect(message().textContent).toBe('Saved.'));
      expect(writes(desk)).toEqual([{ name: 'settings.update', input: { sip: { displayName: 'Desk 2' } } }]);
    } else {
      expect(writes(desk)).toEqual([]);
    }
  });
});
