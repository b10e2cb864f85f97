// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory, type FakePhone } from '../../test-support/fake-phone';

afterEach(cleanup);

let phones: FakePhone[] = [];

async function openSettings(view: SettingsView = makeView()): Promise<FakeDesk> {
  const desk = createFakeDesk({ view });
  const store = createAppStore({ bridge: 'open' });
  const fake = fakePhoneFactory();
  phones = fake.phones;
  render(<App desk={desk} i18n={createI18n('ru')} store={store} phoneFactory={fake.factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-form');
  return desk;
}

const input = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;
const message = () => screen.getByTestId('settings-message');
const writes = (desk: FakeDesk) => desk.calls.filter((call) => call.name === 'settings.update' || call.name === 'settings.setSipPassword');

describe('Settings pane', () => {
  it('shows current values, disables the paths IT manages and says why', async () => {
    await openSettings(
      makeView({
        settings: {
          role: 'operator',
          sip: { server: 'wss://pbx.clinic:8089/ws', uri: 'sip:1001@pbx.clinic', authUser: '1001', displayName: 'Reception 1', iceServers: [], iceGatheringTimeoutMs: 500, autoAnswerIntercom: false, dtmfMode: 'rfc4733' },
        },
        managed: ['role', 'sip.server'],
      }),
    );
    expect(input('settings-sip-server').value).toBe('wss://pbx.clinic:8089/ws');
    expect(input('settings-sip-server').disabled).toBe(true);
    expect((screen.getByTestId('settings-role') as HTMLSelectElement).disabled).toBe(true);
    expect(input('settings-sip-uri').disabled).toBe(false);
    expect(input('settings-sip-ice-timeout').value).toBe('500');
    expect(screen.getByTestId('settings-sip-server-managed').textContent).toBe('Управляется вашим ИТ-отделом (файл развёртывания)');
    expect(screen.getByTestId('settings-role-managed')).toBeTruthy();
    expect(screen.queryByTestId('settings-sip-uri-managed')).toBeNull();
  });

  it('an invalid SIP server URL shows a field error and sends nothing', async () => {
    const desk = await openSettings();
    fireEvent.change(input('settings-sip-server'), { target: { value: 'http://pbx.clinic' } });
    fireEvent.blur(input('settings-sip-server'));
    expect(screen.getByTestId('settings-sip-server-error').textContent).toContain('ws:// или wss://');
    expect(input('settings-sip-server').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(input('settings-sip-ice-timeout'), { target: { value: '50' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByTestId('settings-sip-ice-timeout-error')).toBeTruthy();
    expect(message().textContent).toBe('Проверьте отмеченные поля; ничего не сохранено.');
    expect(writes(desk)).toEqual([]);

    // Fixing the field clears its error as the user types.
    fireEvent.change(input('settings-sip-server'), { target: { value: 'wss://pbx.clinic:8089/ws' } });
    expect(screen.queryByTestId('settings-sip-server-error')).toBeNull();
  });

  it('saving sends the changed fields, then the new password, and clears the password field', async () => {
    const desk = await openSettings();
    expect(screen.getByTestId('settings-sip-password-state').textContent).toBe('Не задан');
    fireEvent.change(input('settings-sip-server'), { target: { value: ' wss://pbx.clinic:8089/ws ' } });
    fireEvent.change(input('settings-sip-uri'), { target: { value: 'sip:1001@pbx.clinic' } });
    fireEvent.change(input('settings-sip-auth-user'), { target: { value: '1001' } });
    fireEvent.change(input('settings-sip-ice-timeout'), { target: { value: '300' } });
    fireEvent.change(input('settings-sip-password'), { target: { value: 'correct horse' } });
    expect(input('settings-sip-password').type).toBe('password');
    expect(input('settings-sip-password').getAttribute('autocomplete')).toBe('off');
    fireEvent.click(screen.getByTestId('settings-save'));

    await waitFor(() => expect(message().textContent).toBe('Сохранено.'));
    expect(writes(desk)).toEqual([
      {
        name: 'settings.update',
        input: { sip: { server: 'wss://pbx.clinic:8089/ws', uri: 'sip:1001@pbx.clinic', authUser: '1001', iceGatheringTimeoutMs: 300 } },
      },
      { name: 'settings.setSipPassword', input: { password: 'correct horse' } },
    ]);
    expect(input('settings-sip-password').value).toBe('');
    expect(screen.getByTestId('settings-sip-password-state').textContent).toBe('Сохранён');
    expect(input('settings-sip-server').value).toBe('wss://pbx.clinic:8089/ws');

    // With an account and a password on file the softphone starts with them, and the phone pane
    // shows its registration state.
    await waitFor(() => expect(phones.at(-1)?.started.at(-1)?.password).toBe('correct horse'));
    fireEvent.click(screen.getByTestId('nav-phone'));
    expect((await screen.findByTestId('phone-registration')).getAttribute('data-state')).toBe('connecting');
  });

  it('saving nothing says so and sends nothing', async () => {
    const desk = await openSettings();
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(message().textContent).toBe('Сохранять нечего: изменений нет.');
    expect(writes(desk)).toEqual([]);
  });

  it('switching the language to English changes the navigation right after saving', async () => {
    const desk = await openSettings();
    expect(screen.getByTestId('nav-patients').textContent).toContain('Пациенты');
    fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'en' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('nav-patients').textContent).toContain('Patients'));
    expect(writes(desk)).toEqual([{ name: 'settings.update', input: { language: 'en' } }]);
    expect(message().textContent).toBe('Saved.');
    expect(document.documentElement.lang).toBe('en');
  });

  it('removes the stored password on request', async () => {
    const desk = await openSettings(makeView({ sipPasswordSet: true }));
    expect(screen.getByTestId('settings-sip-password-state').textContent).toBe('Сохранён');
    expect(input('settings-sip-password').value).toBe('');
    fireEvent.click(screen.getByTestId('settings-sip-password-clear'));
    await waitFor(() => expect(screen.getByTestId('settings-sip-password-state').textContent).toBe('Не задан'));
    expect(writes(desk)).toEqual([{ name: 'settings.setSipPassword', input: { password: null } }]);
    expect((screen.getByTestId('settings-sip-password-clear') as HTMLButtonElement).disabled).toBe(true);
  });

  it('a refused save shows the specific reason for the error code', async () => {
    const desk = await openSettings();
    desk.fail('settings.update', new DeskError('SETTINGS_MANAGED', 'role is managed'));
    fireEvent.change(screen.getByTestId('settings-role'), { target: { value: 'cashier' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('error'));
    expect(message().textContent).toBe('Эта настройка управляется вашим ИТ-отделом (файл развёртывания) и здесь не меняется.');
  });

  it('says how passwords are stored, and refuses a password when nothing can store it', async () => {
    await openSettings(makeView({ secretStorage: 'key-file' }));
    expect(screen.getByTestId('settings-secret-storage').textContent).toContain('ключ в файле на диске');
    cleanup();

    await openSettings(makeView({ secretStorage: 'unavailable' }));
    expect(screen.getByTestId('settings-secret-storage').textContent).toContain('нет хранилища ключей ОС');
    expect(input('settings-sip-password').disabled).toBe(true);
  });
});
