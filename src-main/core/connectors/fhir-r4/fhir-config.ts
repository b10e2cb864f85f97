import { z } from 'zod';

/**
 * `settings.connectors.mis.config` of the `fhir-r4` connector, rendered as its settings form
 * (`src-shared/connectors/connector-form.ts`): every field has an English and a Russian title.
 * Secrets (`auth.password`, `auth.token`, `auth.clientSecret`) go to the secret store.
 */

function text(title: string, titleRu: string, description?: string, descriptionRu?: string) {
  return { title, title_ru: titleRu, ...(description && { description }), ...(descriptionRu && { description_ru: descriptionRu }) };
}

/**
 * Identifier systems the connector reads ОМС and СНИЛС from, besides the configured one:
 * the OIDs of N3.Здравоохранение (the regional integration buses and the MIS talking to them)
 * and the URIs of HL7 FHIR Россия's RuCoreIG (`core-patient` slices `omsPolicy`, `snils`).
 */
export const KNOWN_OMS_SYSTEMS = [
  // N3.Здравоохранение: "полис ОМС единого образца" (ЕНП)
  'urn:oid:1.2.643.2.69.1.1.1.6.228',
  // RuCoreIG NamingSystem core-ns-rf-oms (the profile's slice spells it /OMS)
  'https://fhir.ru/ig/core/systems/oms',
  'https://fhir.ru/ig/core/systems/OMS',
] as const;

export const KNOWN_SNILS_SYSTEMS = [
  // N3.Здравоохранение: СНИЛС (assigner ПФР)
  'urn:oid:1.2.643.2.69.1.1.1.6.223',
  // RuCoreIG NamingSystem core-ns-rf-snils
  'https://fhir.ru/ig/core/systems/snils',
  // The OID of СНИЛС in Russian qualified certificates
  'urn:oid:1.2.643.100.3',
] as const;

const secret = (title: string, titleRu: string) =>
  z
    .string()
    .min(1)
    .max(4_096)
    .meta({ ...text(title, titleRu), secret: true });

const url = (title: string, titleRu: string, description: string, descriptionRu: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(2_000)
    .meta(text(title, titleRu, description, descriptionRu));

export const FhirAuthSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none') }).strict().meta(text('None', 'Без входа')),
    z
      .object({
        type: z.literal('basic'),
        user: z.string().trim().min(1).max(200).meta(text('User', 'Пользователь')),
        password: secret('Password', 'Пароль'),
      })
      .strict()
      .meta(text('Basic (user and password)', 'Basic (логин и пароль)')),
    z
      .object({ type: z.literal('bearer'), token: secret('Token', 'Токен') })
      .strict()
      .meta(text('Bearer token', 'Bearer-токен')),
    z
      .object({
        type: z.literal('client-credentials'),
        tokenUrl: url('Token endpoint', 'Адрес выдачи токенов', 'OAuth2 token URL (SMART backend services).', 'Адрес OAuth2 для получения токена (SMART backend services).'),
        clientId: z.string().trim().min(1).max(200).meta(text('Client id', 'Идентификатор клиента')),
        clientSecret: secret('Client secret', 'Секрет клиента'),
        scope: z
          .string()
          .trim()
          .max(1_000)
          .optional()
          .meta(text('Scope', 'Scope', 'Space-separated, e.g. system/Patient.read system/Communication.write', 'Через пробел, например system/Patient.read system/Communication.write')),
      })
      .strict()
      .meta(text('OAuth2 client credentials', 'OAuth2 client credentials')),
  ])
  .meta(text('Authentication', 'Аутентификация', 'How the desk signs in to the FHIR server.', 'Как рабочее место входит на FHIR-сервер.'));
export type FhirAuthConfig = z.infer<typeof FhirAuthSchema>;

const identifierSystem = (title: string, titleRu: string, fallback: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(500)
    .regex(/^\S+$/, 'must be one URI without spaces')
    .default(fallback)
    .meta(
      text(
        title,
        titleRu,
        'The identifier system the MIS uses; the N3.Здравоохранение OIDs and the RuCoreIG URIs are read as well.',
        'Система идентификатора в МИС; OID N3.Здравоохранения и URI RuCoreIG читаются в любом случае.',
      ),
    );

const writeSwitch = (title: string, titleRu: string) => z.boolean().default(true).meta(text(title, titleRu));

export const FhirWritesSchema = z
  .object({
    notes: writeSwitch('Call notes as Communication', 'Заметки о звонках — Communication'),
    callbacks: writeSwitch('Callback outcomes as Task', 'Итоги перезвонов — Task'),
    newPatients: writeSwitch('New patients as Patient', 'Новые пациенты — Patient'),
    bookings: writeSwitch('Bookings as Appointment', 'Записи на приём — Appointment'),
    callListOutcomes: writeSwitch('Call list outcomes as Task', 'Итоги обзвона — Task'),
  })
  .strict()
  .meta(
    text(
      'What the desk writes to the MIS',
      'Что рабочее место пишет в МИС',
      'A write turned off is kept in the desk only (it is not sent, and not listed as undelivered); bookings off hides booking.',
      'Выключенное остаётся только на рабочем месте (не отправляется и не считается недоставленным); без записей на приём запись скрыта.',
    ),
  );
export type FhirWritesConfig = z.infer<typeof FhirWritesSchema>;

export const FhirR4ConfigSchema = z
  .object({
    baseUrl: url('Server base URL', 'Базовый адрес сервера', 'The FHIR R4 base, e.g. https://mis.clinic.local/fhir', 'База FHIR R4, например https://mis.clinic.local/fhir'),
    auth: FhirAuthSchema.default({ type: 'none' }),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(100)
      .meta(text('Page size', 'Размер страницы', 'Resources per search page (_count).', 'Ресурсов на странице поиска (_count).')),
    syncIntervalSec: z
      .number()
      .int()
      .min(5)
      .max(3_600)
      .default(60)
      .meta(text('Check for changes every (s)', 'Проверять изменения каждые (с)', 'How often the desk asks for patients changed since the last sync.', 'Как часто спрашивать пациентов, изменённых после прошлой синхронизации.')),
    timeoutSec: z
      .number()
      .min(0.1)
      .max(300)
      .default(15)
      .meta(text('Request timeout (s)', 'Таймаут запроса (с)')),
    identifierSystems: z
      .object({
        oms: identifierSystem('ОМС policy system', 'Система полиса ОМС', KNOWN_OMS_SYSTEMS[0]),
        snils: identifierSystem('СНИЛС system', 'Система СНИЛС', KNOWN_SNILS_SYSTEMS[0]),
      })
      .strict()
      .default({ oms: KNOWN_OMS_SYSTEMS[0], snils: KNOWN_SNILS_SYSTEMS[0] })
      .meta(text('Identifier systems', 'Системы идентификаторов')),
    writes: FhirWritesSchema.default({ notes: true, callbacks: true, newPatients: true, bookings: true, callListOutcomes: true }),
  })
  .strict();
export type FhirR4Config = z.infer<typeof FhirR4ConfigSchema>;
