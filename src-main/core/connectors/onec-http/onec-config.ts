import { z } from 'zod';
import { DEFAULT_CLINIC_TIME_ZONE, isKnownTimeZone } from '../../../../src-shared/schedule/clinic-time';

/**
 * Settings of the `onec-http` connector (1C:Medicina), rendered as its settings form. Two
 * modes: the clinic's own published HTTP service (read and write, docs/1c-http-service.md) or
 * the platform's standard OData interface (read only; 1C:Enterprise 8.3 «Стандартный интерфейс
 * OData», OData v3 under `/odata/standard.odata/`). Nothing about a configuration's catalogs is
 * hard-coded: the entity and every field name are settings, because they differ between
 * 1C:Medicina editions and local changes.
 */

const text = (title: string, titleRu: string, description: string, descriptionRu: string) => ({ title, title_ru: titleRu, description, description_ru: descriptionRu });

/** A relative path segment of the HTTP service (`patients/{id}`), no scheme, no `..`. */
const relativePath = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s?#]+$/, 'must be a path without spaces, ? or #')
  .refine((value) => !/^[a-z]+:/i.test(value) && !value.split('/').includes('..'), { message: 'must be a path relative to the publication' });

/** A 1C metadata name as OData spells it (`Фамилия`, `Ref_Key`, `Catalog_Пациенты`): letters, digits and `_`. */
const onecName = z
  .string()
  .trim()
  .max(200)
  .regex(/^[\p{L}_][\p{L}\p{N}_]*$/u, 'must be a 1C name: letters, digits and _');
const optionalOnecName = z.union([onecName, z.literal('')]);

export const OnecHttpServicePathsSchema = z
  .object({
    patientsByPhone: relativePath.default('patients/by-phone').meta(text('Patients by phone', 'Пациенты по телефону', 'GET ?phone=+7…', 'GET ?phone=+7…')),
    patient: relativePath.default('patients/{id}').meta(text('One patient', 'Один пациент', '{id} is replaced by the patient GUID.', '{id} заменяется GUID пациента.')),
    changes: relativePath.default('patients/changes').meta(text('Changes since', 'Изменения с номера', 'GET ?since=N&limit=M', 'GET ?since=N&limit=M')),
    search: relativePath.default('patients/search').meta(text('Search', 'Поиск', 'GET ?q=…', 'GET ?q=…')),
    schedule: relativePath.default('schedule/{stream}').meta(text('Schedule', 'Расписание', '{stream}: branches, doctors, services, slots, call-tasks.', '{stream}: branches, doctors, services, slots, call-tasks.')),
    bookings: relativePath.default('bookings').meta(text('Bookings', 'Записи на приём', 'POST booking writes.', 'POST записи, переносы и отмены.')),
    notes: relativePath.default('notes').meta(text('Notes', 'Заметки', 'POST wrap-ups, new-patient drafts, callback outcomes.', 'POST итоги звонков, черновики новых пациентов, итоги перезвонов.')),
  })
  .strict()
  .meta(text('Method paths', 'Пути методов', 'Relative to the service path.', 'Относительно пути сервиса.'));

export const OnecHttpServiceModeSchema = z
  .object({
    type: z.literal('http-service'),
    servicePath: relativePath
      .default('hs/registratura/v1')
      .meta(text('Service path', 'Путь HTTP-сервиса', 'The published HTTP service under the infobase (1C publishes them under hs/).', 'Опубликованный HTTP-сервис внутри публикации базы (1С публикует их под hs/).')),
    paths: OnecHttpServicePathsSchema.default(OnecHttpServicePathsSchema.parse({})),
  })
  .strict()
  .meta(text('HTTP service', 'HTTP-сервис', 'Read and write through the clinic’s HTTP service.', 'Чтение и запись через HTTP-сервис клиники.'));

export const OnecODataFieldsSchema = z
  .object({
    id: onecName.default('Ref_Key').meta(text('Id', 'Ссылка', 'The GUID key.', 'Ключ-GUID.')),
    surname: onecName.default('Фамилия').meta(text('Surname', 'Фамилия', '', '')),
    givenName: onecName.default('Имя').meta(text('Given name', 'Имя', '', '')),
    patronymic: optionalOnecName.default('Отчество').meta(text('Patronymic', 'Отчество', 'Empty: not kept.', 'Пусто — не хранится.')),
    description: onecName.default('Description').meta(text('Full name (search)', 'Наименование (поиск)', 'Searched with substringof.', 'Поиск через substringof.')),
    birthDate: onecName.default('ДатаРождения').meta(text('Birth date', 'Дата рождения', '', '')),
    sex: optionalOnecName.default('Пол').meta(text('Sex', 'Пол', 'Enum value Мужской / Женский.', 'Значение перечисления Мужской / Женский.')),
    phoneFields: z
      .string()
      .trim()
      .max(500)
      .regex(/^([\p{L}_][\p{L}\p{N}_]*(\s*,\s*[\p{L}_][\p{L}\p{N}_]*)*)?$/u, 'must be 1C names separated by commas')
      .default('')
      .meta(text('Phone fields', 'Реквизиты телефонов', 'Attributes holding a phone, comma separated (Телефон, ТелефонМобильный).', 'Реквизиты с телефоном через запятую (Телефон, ТелефонМобильный).')),
    contactSection: optionalOnecName
      .default('КонтактнаяИнформация')
      .meta(text('Contact information section', 'Табличная часть контактной информации', 'Empty: phones only from the phone fields.', 'Пусто — телефоны только из реквизитов.')),
    contactValue: onecName.default('Представление').meta(text('Contact value column', 'Колонка значения', '', '')),
    contactType: onecName.default('Тип').meta(text('Contact type column', 'Колонка типа', '', '')),
    contactPhoneType: z.string().trim().min(1).max(100).default('Телефон').meta(text('Phone type value', 'Значение типа «телефон»', '', '')),
    contactEmailType: z.string().trim().min(1).max(100).default('АдресЭлектроннойПочты').meta(text('E-mail type value', 'Значение типа «эл. почта»', '', '')),
    omsPolicy: optionalOnecName.default('НомерПолисаОМС').meta(text('ОМС policy', 'Полис ОМС', '', '')),
    snils: optionalOnecName.default('СНИЛС').meta(text('СНИЛС', 'СНИЛС', '', '')),
    mergedInto: optionalOnecName
      .default('ОсновнойПациент_Key')
      .meta(text('Merged into', 'Основной пациент (дубль)', 'A reference to the card a duplicate was merged into; empty: none.', 'Ссылка на карту, с которой объединён дубль; пусто — нет.')),
    deletionMark: onecName.default('DeletionMark').meta(text('Deletion mark', 'Пометка удаления', '', '')),
    version: onecName.default('DataVersion').meta(text('Version', 'Версия данных', '', '')),
  })
  .strict()
  .meta(text('Field mapping', 'Сопоставление полей', 'Names of the attributes as $metadata shows them.', 'Имена реквизитов как в $metadata.'));

export const OnecODataModeSchema = z
  .object({
    type: z.literal('odata'),
    entity: onecName
      .default('Catalog_Пациенты')
      .meta(text('Entity set', 'Набор сущностей', 'The patients catalog as OData names it (Catalog_<name>).', 'Справочник пациентов, как его называет OData (Catalog_<имя>).')),
    fields: OnecODataFieldsSchema.default(OnecODataFieldsSchema.parse({})),
    pageSize: z.number().int().min(1).max(5_000).default(500).meta(text('Page size', 'Размер страницы', '$top of one request.', '$top одного запроса.')),
  })
  .strict()
  .meta(text('OData (read only)', 'OData (только чтение)', 'The standard OData interface: read only, no writes.', 'Стандартный интерфейс OData: только чтение, без записи.'));

export const OnecHttpConfigSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .max(2_000)
      .meta(text('Infobase URL', 'Адрес публикации базы', 'The web publication of the infobase, e.g. http://1c.clinic.local/medicina', 'Веб-публикация базы, например http://1c.clinic.local/medicina')),
    user: z.string().min(1).max(200).meta(text('1C user', 'Пользователь 1С', '', '')),
    password: z.string().max(500).default('').meta(text('Password', 'Пароль', '', '')),
    mode: z
      .discriminatedUnion('type', [OnecHttpServiceModeSchema, OnecODataModeSchema])
      .default({ type: 'http-service', servicePath: 'hs/registratura/v1', paths: OnecHttpServicePathsSchema.parse({}) })
      .meta({ ...text('Mode', 'Режим', '', ''), optionLabels: { 'http-service': 'HTTP service', odata: 'OData (read only)' }, optionLabels_ru: { 'http-service': 'HTTP-сервис', odata: 'OData (только чтение)' } }),
    timeoutSec: z.number().min(0.1).max(300).default(15).meta(text('Timeout, s', 'Тайм-аут, с', 'Per request.', 'На один запрос.')),
    syncIntervalSec: z.number().int().min(5).max(86_400).default(60).meta(text('Sync interval, s', 'Интервал синхронизации, с', '', '')),
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .refine(isKnownTimeZone, { message: 'must be an IANA time zone like Europe/Moscow' })
      .default(DEFAULT_CLINIC_TIME_ZONE)
      .meta(text('Time zone of the 1C server', 'Часовой пояс сервера 1С', '1C dates carry no offset.', 'Даты 1С без смещения.')),
  })
  .strict();

export type OnecHttpConfig = z.infer<typeof OnecHttpConfigSchema>;
export type OnecHttpServiceMode = z.infer<typeof OnecHttpServiceModeSchema>;
export type OnecODataMode = z.infer<typeof OnecODataModeSchema>;
export type OnecODataFields = z.infer<typeof OnecODataFieldsSchema>;
