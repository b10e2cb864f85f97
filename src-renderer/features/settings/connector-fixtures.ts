import { z } from 'zod';
import { connectorFormFields } from '../../../src-shared/connectors/connector-form';
import type { ConnectorDescriptor, ConnectorPreview, ConnectorsView, DiagnosticsResult } from '../../../src-shared/connectors/connector-model';

/**
 * Connectors for the settings tests, their forms made the way main makes them: a zod config
 * schema through `z.toJSONSchema` and `connectorFormFields`. `fhir-test` has a field of every
 * type and an auth choice whose branches show their own fields; `sheet-test` is a file source
 * with a preview. Synthetic data only.
 */
export const FhirTestConfigSchema = z.object({
  baseUrl: z.url().meta({ title: 'Server address', title_ru: 'Адрес сервера', description: 'FHIR base URL.', description_ru: 'Базовый адрес FHIR.' }),
  auth: z
    .discriminatedUnion('type', [
      z.object({
        type: z.literal('basic'),
        username: z.string().min(1).max(200).meta({ title: 'User', title_ru: 'Пользователь' }),
        password: z.string().min(1).max(200).meta({ title: 'Password', title_ru: 'Пароль' }),
      }),
      z.object({ type: z.literal('bearer'), token: z.string().min(1).meta({ title: 'Token', title_ru: 'Токен' }) }),
    ])
    .meta({ title: 'Sign-in', title_ru: 'Вход', optionLabels: { basic: 'Login and password', bearer: 'Token' }, optionLabels_ru: { basic: 'Логин и пароль', bearer: 'Токен' } }),
  timeoutMs: z.number().int().min(1000).max(60000).default(10000).meta({ title: 'Timeout, ms', title_ru: 'Тайм-аут, мс' }),
  pageFactor: z.number().min(0.5).max(4).optional().meta({ title: 'Page factor', title_ru: 'Множитель страницы' }),
  verifyTls: z.boolean().default(true).meta({ title: 'Verify TLS', title_ru: 'Проверять сертификат' }),
  version: z.enum(['r4', 'r4b']).default('r4').meta({ title: 'FHIR version', title_ru: 'Версия FHIR', optionLabels_ru: { r4: 'R4', r4b: 'R4B' } }),
  caFile: z.string().max(4096).optional().meta({ title: 'CA file', title_ru: 'Файл центра сертификации', widget: 'path' }),
  extraHeaders: z.string().max(2000).optional().meta({ title: 'Extra headers', title_ru: 'Доп. заголовки', widget: 'textarea' }),
});

export const SheetTestConfigSchema = z.object({
  file: z.string().min(1).meta({ title: 'File', title_ru: 'Файл выгрузки', widget: 'path' }),
  encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto').meta({ title: 'Encoding', title_ru: 'Кодировка' }),
});

function descriptor(id: string, title: string, schema: z.ZodType, extra: Partial<ConnectorDescriptor> = {}): ConnectorDescriptor {
  return {
    id,
    kind: 'mis',
    title,
    version: '1.0.0',
    apiVersion: 3,
    source: 'built-in',
    capabilities: ['changesSince', 'getCard'],
    pull: 'since',
    push: 'none',
    fields: connectorFormFields(z.toJSONSchema(schema, { io: 'input' }), 'ru'),
    preview: false,
    ...extra,
  };
}

export const FHIR_TEST = descriptor('fhir-test', 'FHIR R4 (тест)', FhirTestConfigSchema);
export const SHEET_TEST = descriptor('sheet-test', 'Таблица (тест)', SheetTestConfigSchema, { preview: true, pull: 'full' });
export const PLUGIN_TEST = descriptor('clinic-plugin', 'МИС клиники (плагин)', z.object({ endpoint: z.string().min(1).meta({ title_ru: 'Адрес' }) }), {
  source: 'plugin',
  version: '0.3.1',
});
export const DEMO_PBX: ConnectorDescriptor = {
  ...descriptor('demo', 'Демо-АТС', z.object({})),
  kind: 'pbx',
  capabilities: [],
  pull: null,
  push: null,
};

export function makeConnectorsView(overrides: Partial<ConnectorsView> = {}): ConnectorsView {
  return {
    mis: [FHIR_TEST, SHEET_TEST, PLUGIN_TEST],
    pbx: [DEMO_PBX],
    current: {
      mis: { id: 'fhir-test', config: { baseUrl: 'https://mis.clinic.test/fhir', auth: { type: 'basic', username: 'desk7' }, timeoutMs: 15000 }, secretsSet: ['auth.password'] },
      pbx: { id: 'demo', config: {}, secretsSet: [] },
    },
    pluginProblems: [],
    ...overrides,
  };
}

/** A wrong password: the run stops at authentication, what follows is skipped. */
export const WRONG_PASSWORD: DiagnosticsResult = {
  ok: false,
  steps: [
    { n: 1, step: 'config', status: 'ok', detail: 'The settings are complete and valid.', hint: null, ms: 1 },
    { n: 2, step: 'reach', status: 'ok', detail: 'Connected to mis.clinic.test:443', hint: null, ms: 12 },
    { n: 3, step: 'tls', status: 'ok', detail: 'TLS 1.3, certificate valid until 2026-01-01', hint: null, ms: 20 },
    { n: 4, step: 'auth', status: 'failed', detail: 'HTTP 401 from /fhir/metadata', hint: 'checkCredentials', ms: 31 },
    { n: 5, step: 'read-patient', status: 'skipped', detail: '', hint: null, ms: 0 },
    { n: 6, step: 'read-schedule', status: 'skipped', detail: '', hint: null, ms: 0 },
    { n: 7, step: 'write-permission', status: 'skipped', detail: '', hint: null, ms: 0 },
  ],
};

/** An unreachable host: the run stops at step 2. */
export const UNREACHABLE: DiagnosticsResult = {
  ok: false,
  steps: [
    { n: 1, step: 'config', status: 'ok', detail: 'The settings are complete and valid.', hint: null, ms: 1 },
    { n: 2, step: 'reach', status: 'failed', detail: 'connect ECONNREFUSED 127.0.0.1:9', hint: 'checkHostAndPort', ms: 3 },
    { n: 3, step: 'tls', status: 'skipped', detail: '', hint: null, ms: 0 },
    { n: 4, step: 'auth', status: 'skipped', detail: '', hint: null, ms: 0 },
  ],
};

/** The first rows of a synthetic export (invented people). */
export const SHEET_PREVIEW: ConnectorPreview = {
  file: 'patients-export.csv',
  encoding: 'windows-1251',
  delimiter: ';',
  columns: ['Код', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Телефон'],
  rows: [
    ['10001', 'Тестова', 'Марфа', 'Игнатьевна', '12.03.1971', '+7 900 000-00-01'],
    ['10002', 'Пробный', 'Елисей', 'Савельевич', '01.11.1988', '8 (900) 000-00-02'],
  ],
  totalRows: 1842,
  mapping: { id: 'Код', surname: 'Фамилия', givenName: 'Имя', patronymic: 'Отчество', birthDate: 'Дата рождения', phone: 'Телефон' },
};
