import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMisConnectorContract } from '../mis/testing/mis-contract-suite';
import { NOTES_FILE_NAME } from './spreadsheet-file';
import { ExportFolder, encodeWindows1251 } from './spreadsheet-test-support';

// A windows-1251 «;» export of synthetic patients, one of them with a date the desk must refuse.
const HEADER = 'Номер карты;Фамилия;Имя;Отчество;Дата рождения;Пол;Телефон';
const ROWS: [string, string][] = [
  ['1001', 'Сёмина;Алёна;Игоревна;12.03.1985;Ж;8 (916) 123-45-67'],
  ['1002', 'Карпов;Олег;Петрович;01.11.1972;М;+7 903 555-12-34'],
  ['1003', 'Зуева;Нина;;14.07.1990;Ж;8 916 000-11-22'],
  ['1004', 'Лаптев;Ильдар;Ринатович;12.03.85;М;89035550000'],
  ['1005', 'Осипова;Жанна;Олеговна;28.02.2001;Ж;+79265550101'],
];

describeMisConnectorContract('spreadsheet', async () => {
  const dir = new ExportFolder();
  const rows = new Map(ROWS);
  const save = () => dir.write('patients.csv', encodeWindows1251([HEADER, ...[...rows].map(([id, rest]) => `${id};${rest}`)].join('\r\n')));
  save();
  const connector = dir.connector();
  return {
    connector,
    known: { misId: '1001', phoneE164: '+79161234567', surnameQuery: 'Сёмина' },
    merged: null,
    invalidRecords: 1,
    edit: (misId, surname) => {
      const row = rows.get(misId)!;
      rows.set(misId, `${surname}${row.slice(row.indexOf(';'))}`);
      save();
      return Promise.resolve();
    },
    sampleWrite: (key) => ({
      idempotencyKey: key,
      kind: 'wrapup',
      payload: { localId: `local-${key}`, callId: 'call-1', misId: '1001', category: 'Запись', outcome: 'resolved', note: 'перезвонить после 15:00', acwSec: 20, savedAt: '2025-06-01T10:00:00.000Z' },
    }),
    writesFor: (key) => {
      const path = join(dir.folder, NOTES_FILE_NAME);
      if (!existsSync(path)) return Promise.resolve(0);
      return Promise.resolve(readFileSync(path, 'utf8').split('\r\n').filter((line) => line.startsWith(`${key};`)).length);
    },
    loseNextAnswer: null,
    withWrongPassword: null,
    close: () => dir.close(),
  };
});
