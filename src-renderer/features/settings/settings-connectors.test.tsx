// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectorsView, DiagnosticsResult } from '../../../src-shared/connectors/connector-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeStatus, makeView, T0, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { makeConnectorsView, SHEET_PREVIEW, UNREACHABLE, WRONG_PASSWORD } from './connector-fixtures';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

interface Setup {
  connectors?: ConnectorsView;
  view?: SettingsView;
  language?: 'ru' | 'en';
}

/** Opens Settings with a desk that answers `connectors.list` like main: the stored choice follows `settings.update`. */
async function openConnectors({ connectors = makeConnectorsView(), view = makeView(), language = 'ru' }: Setup = {}): Promise<FakeDesk> {
  const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language } } });
  let listed = structuredClone(connectors);
  desk.handle('connectors.list', () => structuredClone(listed));
  desk.handle('settings.update', (patch) => {
    const choice = patch.connectors?.mis;
    if (choice) {
      const secretsSet = choice.config.auth && typeof (choice.config.auth as Record<string, unknown>).password === 'string' ? ['auth.password'] : listed.current.mis.secretsSet;
      const auth = choice.config.auth as Record<string, unknown> | undefined;
      const { password: _secret, ...storedAuth } = auth ?? {};
      const config = auth ? { ...choice.config, auth: storedAuth } : choice.config;
      listed = { ...listed, current: { ...listed.current, mis: { id: choice.id, config, secretsSet: choice.id === listed.current.mis.id ? secretsSet : [] } } };
      desk.view = { ...desk.view, settings: { ...desk.view.settings, connectors: { ...desk.view.settings.connectors, mis: { id: choice.id, config } } } };
    }
    return structuredClone(desk.view);
  });
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('connector-block-mis');
  return desk;
}

const mis = () => within(screen.getByTestId('connector-block-mis'));
const control = (path: string) => mis().getByTestId(`connector-field-${path}`) as HTMLInputElement;
const type = (path: string, value: string) => fireEvent.change(control(path), { target: { value } });
const message = () => screen.getByTestId('connector-message-mis');
const updates = (desk: FakeDesk) => desk.callsTo('settings.update');

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('Settings: connections', () => {
  it('draws the chosen connector’s form from its schema: a control per field type, groups, help, defaults, required marks', async () => {
    await openConnectors();
    expect(screen.getByTestId('settings-connectors').textContent).toContain('Подключения');
    const select = screen.getByTestId('connector-select-mis') as HTMLSelectElement;
    expect(select.value).toBe('fhir-test');
    expect([...select.options].map((option) => option.textContent)).toEqual(['FHIR R4 (тест) · 1.0.0', 'Таблица (тест) · 1.0.0', 'МИС клиники (плагин) · 0.3.1 · плагин']);

    expect(control('baseUrl').type).toBe('url');
    expect(control('baseUrl').value).toBe('https://mis.clinic.test/fhir');
    expect(mis().getByText('Адрес сервера *')).toBeTruthy();
    expect(mis().getByText('Базовый адрес FHIR.')).toBeTruthy();
    expect(control('auth.type').tagName).toBe('SELECT');
    expect([...(control('auth.type') as unknown as HTMLSelectElement).options].map((option) => option.textContent)).toEqual(['Логин и пароль', 'Токен']);
    expect(mis().getByText('Вход', { selector: 'h4' })).toBeTruthy();
    expect(control('auth.username').value).toBe('desk7');
    expect(control('auth.password').type).toBe('password');
    expect(control('timeoutMs').value).toBe('15000');
    expect(control('timeoutMs').placeholder).toBe('10000');
    expect(control('timeoutMs').getAttribute('inputmode')).toBe('numeric');
    expect(mis().getByText('Допустимо от 1000 до 60000.')).toBeTruthy();
    expect(control('pageFactor').getAttribute('inputmode')).toBe('decimal');
    expect(control('verifyTls').type).toBe('checkbox');
    expect(control('verifyTls').checked).toBe(true);
    expect((control('version') as unknown as HTMLSelectElement).value).toBe('r4');
    expect(control('caFile').type).toBe('text');
    expect(control('extraHeaders').tagName).toBe('TEXTAREA');
    // The branch not chosen is not drawn.
    expect(mis().queryByTestId('connector-field-auth.token')).toBeNull();
    // The PBX block has its own form.
    expect(screen.getByTestId('connector-block-pbx')).toBeTruthy();
    expect((screen.getByTestId('connector-select-pbx') as HTMLSelectElement).value).toBe('demo');
  });

  it('shows a choice’s own fields only while it is chosen, and sends only those', async () => {
    const desk = await openConnectors();
    fireEvent.change(control('auth.type'), { target: { value: 'bearer' } });
    expect(mis().queryByTestId('connector-field-auth.username')).toBeNull();
    expect(mis().queryByTestId('connector-field-auth.password')).toBeNull();
    expect(control('auth.token').type).toBe('password');
    expect(mis().getByTestId('connector-field-auth.token-state').textContent).toBe('Не задан');

    // A required token that is not stored must be typed.
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    expect(message().textContent).toBe('Проверьте поле «Токен»; ничего не сохранено.');
    expect(screen.getByTestId('connector-mis-field-auth.token-error').textContent).toBe('Обязательное поле.');
    expect(document.activeElement).toBe(control('auth.token'));
    expect(updates(desk)).toEqual([]);

    type('auth.token', 'tok-123');
    expect(screen.queryByTestId('connector-mis-field-auth.token-error')).toBeNull();
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('ok'));
    expect(updates(desk)).toEqual([
      {
        connectors: {
          mis: {
            id: 'fhir-test',
            config: { baseUrl: 'https://mis.clinic.test/fhir', auth: { type: 'bearer', token: 'tok-123' }, timeoutMs: 15000, verifyTls: true, version: 'r4' },
          },
        },
      },
    ]);
  });

  it('a stored secret left empty is kept (not sent) and marked stored; a typed one is sent once and cleared', async () => {
    const desk = await openConnectors();
    expect(mis().getByTestId('connector-field-auth.password-state').textContent).toBe('Сохранён');
    expect(control('auth.password').placeholder).toBe('Оставьте пустым, чтобы не менять сохранённый');
    expect(control('auth.password').getAttribute('autocomplete')).toBe('off');

    type('timeoutMs', '20000');
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('ok'));
    const first = updates(desk)[0] as { connectors: { mis: { config: { auth: Record<string, unknown> } } } };
    expect(first.connectors.mis.config.auth).toEqual({ type: 'basic', username: 'desk7' });

    type('auth.password', 'n3w pass');
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    await waitFor(() => expect(updates(desk)).toHaveLength(2));
    const second = updates(desk)[1] as { connectors: { mis: { config: { auth: Record<string, unknown> } } } };
    expect(second.connectors.mis.config.auth).toEqual({ type: 'basic', username: 'desk7', password: 'n3w pass' });
    await waitFor(() => expect(control('auth.password').value).toBe(''));
    expect(mis().getByTestId('connector-field-auth.password-state').textContent).toBe('Сохранён');
  });

  it('saving sends the connector and its config, says the MIS link restarts and shows the MIS state; saving again has nothing to send', async () => {
    const desk = await openConnectors();
    type('baseUrl', '  https://mis2.clinic.test/fhir ');
    type('pageFactor', '1,5');
    fireEvent.click(control('verifyTls'));
    type('caFile', 'C:\\certs\\clinic-ca.pem');
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    await waitFor(() => expect(message().textContent).toBe('Сохранено. Рабочее место переподключается к МИС с новыми настройками.'));
    expect(updates(desk)).toEqual([
      {
        connectors: {
          mis: {
            id: 'fhir-test',
            config: {
              baseUrl: 'https://mis2.clinic.test/fhir',
              auth: { type: 'basic', username: 'desk7' },
              timeoutMs: 15000,
              pageFactor: 1.5,
              verifyTls: false,
              version: 'r4',
              caFile: 'C:\\certs\\clinic-ca.pem',
            },
          },
        },
      },
    ]);
    // The list is read again, and the form shows what is stored.
    await waitFor(() => expect(desk.callsTo('connectors.list')).toHaveLength(2));
    expect(control('baseUrl').value).toBe('https://mis2.clinic.test/fhir');

    // Main restarts the MIS link; the block follows the status the bar shows.
    desk.emit('status:changed', makeStatus({ mis: { state: 'online', since: T0, detail: null } }));
    await waitFor(() => expect(screen.getByTestId('connector-status-mis').getAttribute('data-state')).toBe('online'));
    expect(screen.getByTestId('connector-status-mis').textContent).toBe('МИС сейчас: в сети');

    fireEvent.click(screen.getByTestId('connector-save-mis'));
    expect(message().textContent).toBe('Сохранять нечего: изменений нет.');
    expect(updates(desk)).toHaveLength(1);
  });

  it('a wrong value is named at its field before anything is sent', async () => {
    const desk = await openConnectors();
    type('baseUrl', '');
    type('timeoutMs', '500');
    fireEvent.blur(control('timeoutMs'));
    expect(screen.getByTestId('connector-mis-field-timeoutMs-error').textContent).toBe('Меньше допустимого.');
    fireEvent.click(screen.getByTestId('connector-test-mis'));
    expect(message().textContent).toBe('Проверьте поле «Адрес сервера»; ничего не сохранено.');
    expect(screen.getByTestId('connector-mis-field-baseUrl-error').textContent).toBe('Обязательное поле.');
    expect(control('baseUrl').getAttribute('aria-invalid')).toBe('true');
    expect(desk.callsTo('connectors.diagnose')).toEqual([]);
    expect(updates(desk)).toEqual([]);
  });

  it('a wrong password: test connection runs the unsaved form, numbers the steps and names the failed one with what to check', async () => {
    const desk = await openConnectors();
    const pending = deferred<DiagnosticsResult>();
    desk.handle('connectors.diagnose', () => pending.promise);
    type('auth.username', 'desk8');
    type('auth.password', 'wrong-one');
    fireEvent.click(screen.getByTestId('connector-test-mis'));

    // Busy while it runs.
    expect((screen.getByTestId('connector-test-mis') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('connector-test-mis').textContent).toBe('Проверяем…');
    expect(screen.getByTestId('connector-diagnostics-running')).toBeTruthy();
    expect(desk.callsTo('connectors.diagnose')).toEqual([
      {
        kind: 'mis',
        id: 'fhir-test',
        config: { baseUrl: 'https://mis.clinic.test/fhir', auth: { type: 'basic', username: 'desk8', password: 'wrong-one' }, timeoutMs: 15000, verifyTls: true, version: 'r4' },
      },
    ]);
    pending.resolve(WRONG_PASSWORD);

    const summary = await screen.findByTestId('connector-diagnostics-summary');
    expect(summary.textContent).toBe('Ошибка на шаге 4 из 7: Аутентификация');
    expect(summary.getAttribute('data-tone')).toBe('bad');
    const steps = screen.getAllByTestId('connector-step');
    expect(steps.map((step) => [step.getAttribute('data-step'), step.getAttribute('data-status')])).toEqual([
      ['config', 'ok'],
      ['reach', 'ok'],
      ['tls', 'ok'],
      ['auth', 'failed'],
      ['read-patient', 'skipped'],
      ['read-schedule', 'skipped'],
      ['write-permission', 'skipped'],
    ]);
    const failed = steps[3]!;
    expect(failed.textContent).toContain('4');
    expect(failed.textContent).toContain('Аутентификация');
    expect(failed.textContent).toContain('ошибка');
    expect(failed.textContent).toContain('31 мс');
    expect(within(failed).getByTestId('connector-step-detail').textContent).toBe('HTTP 401 from /fhir/metadata');
    expect(within(failed).getByTestId('connector-step-hint').textContent).toBe('Что проверить: логин и пароль (или токен) и не заблокирована ли учётная запись.');
    expect(screen.getAllByTestId('connector-step-hint')).toHaveLength(1);
    expect(steps[4]!.textContent).toContain('не выполнялся');
    expect((screen.getByTestId('connector-test-mis') as HTMLButtonElement).disabled).toBe(false);
    // Testing saves nothing.
    expect(updates(desk)).toEqual([]);
  });

  it('an unreachable host fails at step 2 with what to check, in English too', async () => {
    const desk = await openConnectors({ language: 'en' });
    desk.handle('connectors.diagnose', () => UNREACHABLE);
    fireEvent.click(screen.getByTestId('connector-test-mis'));
    expect((await screen.findByTestId('connector-diagnostics-summary')).textContent).toBe('Failed at step 2 of 4: Reach the server');
    const failed = screen.getAllByTestId('connector-step').find((step) => step.getAttribute('data-status') === 'failed')!;
    expect(failed.getAttribute('data-step')).toBe('reach');
    expect(within(failed).getByTestId('connector-step-hint').textContent).toBe("What to check: the server's address and port, and that its service is running.");
    expect(within(failed).getByTestId('connector-step-detail').textContent).toBe('connect ECONNREFUSED 127.0.0.1:9');
  });

  it('all steps passing says so; a refused test says why', async () => {
    const desk = await openConnectors();
    desk.handle('connectors.diagnose', () => ({ ok: true, steps: WRONG_PASSWORD.steps.slice(0, 3) }));
    fireEvent.click(screen.getByTestId('connector-test-mis'));
    expect((await screen.findByTestId('connector-diagnostics-summary')).textContent).toBe('Подключение работает: пройдены все шаги (3).');
    expect(screen.queryByTestId('connector-step-hint')).toBeNull();

    desk.fail('connectors.diagnose', new DeskError('NOT_AVAILABLE', 'not in this build'));
    fireEvent.click(screen.getByTestId('connector-test-mis'));
    await waitFor(() => expect(message().textContent).toBe('Проверка не запустилась: Это действие сейчас недоступно на этом рабочем месте.'));
    expect(screen.queryByTestId('connector-diagnostics')).toBeNull();
  });

  it('a file source shows its first rows; the mapping the preview guessed is pre-selected and a choice goes into the saved config', async () => {
    const desk = await openConnectors();
    desk.handle('connectors.preview', () => SHEET_PREVIEW);
    fireEvent.change(screen.getByTestId('connector-select-mis'), { target: { value: 'sheet-test' } });
    expect(mis().queryByTestId('connector-field-baseUrl')).toBeNull();
    type('file', 'C:\\exports\\patients-export.csv');
    fireEvent.click(mis().getByTestId('connector-preview-load'));

    const table = await mis().findByTestId('connector-preview');
    expect([...table.querySelectorAll('th')].map((cell) => cell.textContent)).toEqual(SHEET_PREVIEW.columns);
    expect(table.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(mis().getByTestId('connector-preview-source').textContent).toBe(
      'Файл: patients-export.csv · кодировка: windows-1251 · разделитель: точка с запятой · строк: 1842',
    );
    expect(desk.callsTo('connectors.preview')).toEqual([{ kind: 'mis', id: 'sheet-test', config: { file: 'C:\\exports\\patients-export.csv', encoding: 'auto' } }]);
    const mapping = (field: string) => mis().getByTestId(`connector-mapping-${field}`) as HTMLSelectElement;
    expect(mapping('surname').value).toBe('Фамилия');
    expect(mapping('phone').value).toBe('Телефон');
    expect(mapping('email').value).toBe('');
    expect([...mapping('email').options].map((option) => option.textContent)).toEqual(['— не используется —', ...SHEET_PREVIEW.columns]);

    fireEvent.change(mapping('phone2'), { target: { value: 'Телефон' } });
    fireEvent.change(mapping('surname'), { target: { value: 'Отчество' } });
    expect(mapping('surname').value).toBe('Отчество');
    fireEvent.click(screen.getByTestId('connector-save-mis'));
    await waitFor(() => expect(updates(desk)).toHaveLength(1));
    expect(updates(desk)[0]).toEqual({
      connectors: { mis: { id: 'sheet-test', config: { file: 'C:\\exports\\patients-export.csv', encoding: 'auto', mapping: { phone2: 'Телефон', surname: 'Отчество' } } } },
    });
  });

  it('a preview that cannot be read says so and points to the test', async () => {
    const desk = await openConnectors({ connectors: makeConnectorsView({ current: { ...makeConnectorsView().current, mis: { id: 'sheet-test', config: { file: 'C:\\nowhere.csv' }, secretsSet: [] } } }) });
    desk.fail('connectors.preview', new DeskError('INVALID_INPUT', 'no such file'));
    fireEvent.click(mis().getByTestId('connector-preview-load'));
    expect((await mis().findByTestId('connector-preview-error')).textContent).toContain('Нажмите «Проверить подключение»');
    expect(mis().queryByTestId('connector-preview')).toBeNull();
  });

  it('lists the MIS records the desk refused, with where each came from, and follows the cache', async () => {
    let quarantine = { total: 0, items: [] as { stream: string; reason: string; at: string }[] };
    const desk = createFakeDesk({ view: makeView() });
    desk.handle('connectors.list', () => makeConnectorsView());
    desk.handle('cache.quarantine', () => structuredClone(quarantine));
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
    await screen.findByTestId('app-info');
    fireEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('connector-block-mis');
    expect(screen.queryByTestId('connector-quarantine')).toBeNull();
    quarantine = { total: 1, items: [{ stream: 'patients', reason: 'patients.csv line 4: card 503: birthDate: is not a real calendar date', at: new Date(T0).toISOString() }] };
    desk.emit('cache:changed', structuredClone(desk.cache));
    const list = await screen.findByTestId('connector-quarantine');
    expect(list.textContent).toContain('Не приняты записи МИС: 1');
    expect(within(list).getByTestId('connector-quarantine-item').textContent).toContain('patients.csv line 4: card 503: birthDate');
  });

  it('a block IT manages is locked with the managed mark; testing it stays possible', async () => {
    const desk = await openConnectors({ view: makeView({ managed: ['connectors.mis'] }) });
    expect(screen.getByTestId('connector-managed-mis').textContent).toBe('Управляется вашим ИТ-отделом (файл развёртывания)');
    expect((screen.getByTestId('connector-select-mis') as HTMLSelectElement).disabled).toBe(true);
    for (const path of ['baseUrl', 'auth.type', 'auth.username', 'auth.password', 'timeoutMs', 'verifyTls', 'extraHeaders']) expect(control(path).disabled, path).toBe(true);
    expect((screen.getByTestId('connector-save-mis') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('connector-test-mis') as HTMLButtonElement).disabled).toBe(false);
    // The PBX block is not managed.
    expect(screen.queryByTestId('connector-managed-pbx')).toBeNull();
    expect((screen.getByTestId('connector-select-pbx') as HTMLSelectElement).disabled).toBe(false);
    fireEvent.submit(screen.getByTestId('connector-block-mis'));
    expect(updates(desk)).toEqual([]);
  });

  it('marks a plugin, lists the plugins that failed to load, and says when the stored connector is not in this build', async () => {
    await openConnectors({
      connectors: makeConnectorsView({
        current: { ...makeConnectorsView().current, mis: { id: 'onec-http', config: {}, secretsSet: [] } },
        pluginProblems: [{ folder: 'plugins/old-mis', problem: 'apiVersion 9 is newer than this desk supports (3)' }],
      }),
    });
    expect(screen.getAllByTestId('connector-plugin-problem').map((item) => item.textContent)).toEqual(['plugins/old-mis: apiVersion 9 is newer than this desk supports (3)']);
    expect((screen.getByTestId('connector-select-mis') as HTMLSelectElement).value).toBe('onec-http');
    expect(screen.getByTestId('connector-missing-mis').textContent).toBe('Этого коннектора нет в сборке — выберите другой.');
    expect((screen.getByTestId('connector-save-mis') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByTestId('connector-select-mis'), { target: { value: 'clinic-plugin' } });
    expect(screen.getByTestId('connector-plugin-badge-mis').textContent).toBe('плагин');
    expect(control('endpoint').value).toBe('');
  });

  it('when the desk service cannot list connectors, the rest of Settings still works', async () => {
    const desk = createFakeDesk({ view: makeView() });
    desk.fail('connectors.list', new DeskError('NOT_AVAILABLE', 'older service'));
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
    await screen.findByTestId('app-info');
    fireEvent.click(screen.getByTestId('nav-settings'));
    expect((await screen.findByTestId('connectors-unavailable')).textContent).toContain('Не удалось получить список подключений');
    expect(screen.getByTestId('settings-form')).toBeTruthy();
  });
});
