import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { MAPPABLE_CARD_FIELDS, type MappableCardField } from '../../../../src-shared/connectors/connector-model';

/**
 * The settings of the `spreadsheet` MIS connector: where the clinic's export lands, how to read
 * it, and which column holds which card field. Rendered as the settings form
 * (`src-shared/connectors/connector-form.ts`): every field has an English and a Russian title
 * and help.
 */

function text(title: string, titleRu: string, description: string, descriptionRu: string) {
  return { title, title_ru: titleRu, description, description_ru: descriptionRu };
}

/** The card fields a column can be mapped to, in the order the form shows them (one list with Settings' mapping). */
export const SPREADSHEET_FIELDS = MAPPABLE_CARD_FIELDS;
export type SpreadsheetField = MappableCardField;

const FIELD_TITLES: Record<SpreadsheetField, [string, string]> = {
  id: ['Patient id (card number)', 'Код пациента (номер карты)'],
  surname: ['Surname', 'Фамилия'],
  givenName: ['Given name', 'Имя'],
  patronymic: ['Patronymic', 'Отчество'],
  fullName: ['Full name in one column', 'ФИО одной колонкой'],
  birthDate: ['Date of birth', 'Дата рождения'],
  sex: ['Sex', 'Пол'],
  phone: ['Phone', 'Телефон'],
  phone2: ['Second phone', 'Второй телефон'],
  email: ['Email', 'Эл. почта'],
  address: ['Address', 'Адрес'],
  omsPolicy: ['OMS policy', 'Полис ОМС'],
  snils: ['SNILS', 'СНИЛС'],
  allergies: ['Allergies', 'Аллергии'],
};

const columnName = (field: SpreadsheetField) =>
  z
    .string()
    .trim()
    .max(200)
    .optional()
    .meta(
      text(
        FIELD_TITLES[field][0],
        FIELD_TITLES[field][1],
        'The column header holding it; empty: guessed from the headers.',
        'Заголовок колонки с этим полем; пусто — угадать по заголовкам.',
      ),
    );

export const SpreadsheetMappingSchema = z
  .object(Object.fromEntries(SPREADSHEET_FIELDS.map((field) => [field, columnName(field)])) as Record<SpreadsheetField, ReturnType<typeof columnName>>)
  .strict()
  .meta(text('Columns', 'Колонки', 'Which column of the export holds which field of the card.', 'Какая колонка выгрузки содержит какое поле карты.'));
export type SpreadsheetMapping = Partial<Record<SpreadsheetField, string>>;

export const SpreadsheetConfigSchema = z
  .object({
    folder: z
      .string()
      .min(1)
      .max(4_096)
      .refine(isAbsolute, { message: 'must be an absolute path' })
      .meta({
        ...text('Folder', 'Папка', 'The folder the MIS exports patients to (a local folder or a network share).', 'Папка, куда МИС выгружает пациентов (локальная или сетевая).'),
        widget: 'path',
      }),
    filePattern: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default('*.csv, *.xlsx')
      .meta(
        text(
          'File names',
          'Имена файлов',
          'Patterns separated by commas (* and ? wildcards); the newest matching file is the export.',
          'Шаблоны через запятую (* и ?); выгрузкой считается самый новый подходящий файл.',
        ),
      ),
    encoding: z
      .enum(['auto', 'utf-8', 'windows-1251'])
      .default('auto')
      .meta({
        ...text('Encoding', 'Кодировка', 'Of CSV files; auto: a BOM, else UTF-8, else windows-1251.', 'Кодировка CSV; авто — по BOM, иначе UTF-8, иначе windows-1251.'),
        optionLabels: { auto: 'Detect', 'utf-8': 'UTF-8', 'windows-1251': 'Windows-1251 (Cyrillic)' },
        optionLabels_ru: { auto: 'Определить', 'utf-8': 'UTF-8', 'windows-1251': 'Windows-1251 (кириллица)' },
      }),
    delimiter: z
      .enum(['auto', ';', ',', 'tab'])
      .default('auto')
      .meta({
        ...text('Separator', 'Разделитель', 'Between the columns of a CSV file.', 'Между колонками CSV-файла.'),
        optionLabels: { auto: 'Detect', ';': 'Semicolon ;', ',': 'Comma ,', tab: 'Tab' },
        optionLabels_ru: { auto: 'Определить', ';': 'Точка с запятой ;', ',': 'Запятая ,', tab: 'Табуляция' },
      }),
    dateFormat: z
      .enum(['auto', 'dd.mm.yyyy', 'yyyy-mm-dd'])
      .default('auto')
      .meta({
        ...text(
          'Date format',
          'Формат дат',
          'Auto reads 12.03.1985 and 1985-03-12 (and Excel date cells). Two-digit years (12.03.85) are refused: the century cannot be known.',
          'Авто читает 12.03.1985 и 1985-03-12 (и даты Excel). Год из двух цифр (12.03.85) не принимается: век неизвестен.',
        ),
        optionLabels: { auto: 'Detect', 'dd.mm.yyyy': 'dd.mm.yyyy', 'yyyy-mm-dd': 'yyyy-mm-dd' },
        optionLabels_ru: { auto: 'Определить', 'dd.mm.yyyy': 'дд.мм.гггг', 'yyyy-mm-dd': 'гггг-мм-дд' },
      }),
    mapping: SpreadsheetMappingSchema.default({}),
    syncIntervalSec: z
      .number()
      .int()
      .min(2)
      .max(86_400)
      .default(10)
      .meta(text('Check every (s)', 'Проверять каждые (с)', 'How often the folder is checked besides its change notifications.', 'Как часто проверять папку помимо уведомлений об изменениях.')),
    usePolling: z
      .boolean()
      .default(false)
      .meta(
        text(
          'Poll the folder',
          'Опрашивать папку',
          'For network shares where change notifications do not arrive.',
          'Для сетевых папок, откуда не приходят уведомления об изменениях.',
        ),
      ),
  })
  .strict()
  .meta(text('Spreadsheet export', 'Выгрузка в таблицу', 'A CSV or XLSX export of patients in a folder.', 'Выгрузка пациентов в CSV или XLSX в папке.'));
export type SpreadsheetConfig = z.infer<typeof SpreadsheetConfigSchema>;
