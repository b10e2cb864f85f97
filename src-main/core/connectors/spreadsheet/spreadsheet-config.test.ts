import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { SpreadsheetConfigSchema } from './spreadsheet-config';
import { spreadsheetRegistration } from './index';

describe('spreadsheet settings form', () => {
  it('renders from the schema in both languages: a folder picker, choices with labels, the column mapping as a group', () => {
    const schema = z.toJSONSchema(SpreadsheetConfigSchema, { io: 'input', unrepresentable: 'any' });
    const ru = connectorFormFields(schema, 'ru');
    expect(ru.find((f) => f.path === 'folder')).toMatchObject({ type: 'path', label: 'Папка', required: true });
    expect(ru.find((f) => f.path === 'delimiter')?.options).toEqual([
      { value: 'auto', label: 'Определить' },
      { value: ';', label: 'Точка с запятой ;' },
      { value: ',', label: 'Запятая ,' },
      { value: 'tab', label: 'Табуляция' },
    ]);
    expect(ru.find((f) => f.path === 'mapping.fullName')).toMatchObject({ type: 'text', label: 'ФИО одной колонкой', group: 'Колонки', required: false });
    const en = connectorFormFields(schema, 'en');
    expect(en.map((f) => f.path)).toEqual(expect.arrayContaining(['filePattern', 'encoding', 'dateFormat', 'syncIntervalSec', 'usePolling', 'mapping.surname', 'mapping.phone2']));
    expect(en.every((f) => f.type !== 'secret' && f.help !== null)).toBe(true);
    expect(spreadsheetRegistration.manifest).toMatchObject({ id: 'spreadsheet', pull: 'full', push: 'natural-key', preview: true });
  });

  it('fills the defaults and refuses a relative folder', () => {
    expect(SpreadsheetConfigSchema.parse({ folder: '/srv/export' })).toMatchObject({ filePattern: '*.csv, *.xlsx', encoding: 'auto', delimiter: 'auto', syncIntervalSec: 10, usePolling: false, mapping: {} });
    expect(SpreadsheetConfigSchema.safeParse({ folder: 'export' }).success).toBe(false);
    expect(SpreadsheetConfigSchema.safeParse({ folder: '/srv/export', extra: 1 }).success).toBe(false);
  });
});
