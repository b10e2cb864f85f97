// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiagnosticsBundle } from '../../../src-shared/diagnostics/diagnostics-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Language } from '../../../src-shared/settings/settings-schema';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk } from '../../test-support/fake-desk';
import { formatBundleSize, SettingsDiagnostics } from './settings-diagnostics';

afterEach(cleanup);

const BUNDLE: DiagnosticsBundle = {
  path: '/home/desk/.config/registratura/diagnostics/registratura-diagnostics-20251206T081700Z.zip',
  bytes: 1_468_006,
  files: ['manifest.json', 'versions.json', 'settings.json', 'connectors.json', 'sip-registration.json', 'databases.json', 'logs/desk.log'],
};

function renderSection(language: Language = 'ru') {
  const desk = createFakeDesk();
  render(
    <I18nextProvider i18n={createI18n(language)}>
      <DeskContext.Provider value={desk}>
        <SettingsDiagnostics />
      </DeskContext.Provider>
    </I18nextProvider>,
  );
  return desk;
}

const message = () => screen.getByTestId('settings-diagnostics-message');

describe('Settings: «Сохранить диагностику»', () => {
  it('asks main for the bundle once, says «saving» meanwhile, then shows where the file is and its size', async () => {
    const desk = renderSection();
    let finish!: (bundle: DiagnosticsBundle) => void;
    desk.handle('diagnostics.saveBundle', () => new Promise<DiagnosticsBundle>((resolve) => (finish = resolve)));
    const button = screen.getByTestId('settings-diagnostics-save') as HTMLButtonElement;
    expect(button.textContent).toBe('Сохранить диагностику');
    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(button.textContent).toBe('Сохраняю диагностику…');
    fireEvent.click(button);
    finish(BUNDLE);
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('ok'));
    expect(desk.callsTo('diagnostics.saveBundle')).toEqual([{}]);
    expect(screen.getByTestId('settings-diagnostics-path').textContent).toBe(BUNDLE.path);
    expect(message().textContent).toBe(`Диагностика сохранена (${formatBundleSize(BUNDLE.bytes, 'ru')}, файлов в архиве: 7). Отправьте этот файл в техподдержку: ${BUNDLE.path}`);
    expect(button.disabled).toBe(false);
  });

  it('says the file could not be written, or why the request failed, in the UI language', async () => {
    const desk = renderSection('en');
    desk.fail('diagnostics.saveBundle', new DeskError('NOT_AVAILABLE', 'The diagnostics file could not be written (ENOSPC).'));
    fireEvent.click(screen.getByTestId('settings-diagnostics-save'));
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('error'));
    expect(message().textContent).toBe('The diagnostics could not be written: check the free disk space and access to the data folder.');

    desk.fail('diagnostics.saveBundle', new DeskError('BRIDGE_DISCONNECTED', 'gone'));
    fireEvent.click(screen.getByTestId('settings-diagnostics-save'));
    await waitFor(() => expect(message().textContent).toMatch(/^Diagnostics were not saved: /));
    expect(message().textContent).not.toContain('gone');
    expect(screen.queryByTestId('settings-diagnostics-path')).toBeNull();
  });

  it('writes sizes in kB below a megabyte and in MB above, in the UI language', () => {
    expect(formatBundleSize(380 * 1024, 'en')).toBe('380 kB');
    expect(formatBundleSize(1_468_006, 'en')).toBe('1.4 MB');
    expect(formatBundleSize(10, 'en')).toBe('1 kB');
    expect(formatBundleSize(1_468_006, 'ru')).toMatch(/^1,4\sМБ$/);
  });
});
