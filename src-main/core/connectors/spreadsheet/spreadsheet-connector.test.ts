import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { PatientCardSchema, type PatientCard } from '../../../../src-shared/patients/patient-card';
import { runDiagnostics } from '../mis/diagnostics';
import { isMisError, type MisChangesPage, type MisConnector } from '../mis/mis-connector';
import { NOTES_FILE_NAME } from './spreadsheet-file';
import { ExportFolder, encodeWindows1251 } from './spreadsheet-test-support';

// Synthetic people only.
const RUSSIAN_CSV = [
  'Номер карты;Фамилия;Имя;Отчество;Дата рождения;Пол;Телефон;Адрес;Полис ОМС;СНИЛС',
  '1001;Сёмина;Алёна;Игоревна;12.03.1985;Ж;8 (916) 123-45-67;"г. Тверь; ул. Лесная, 5";1234567890123456;112-233-445 95',
  '1002;Карпов;Олег;Петрович;01.11.1972;М;+7 903 555-12-34, 8 (4822) 55-66-77;"г. Тверь,',
  'ул. Речная, 2";;',
  '',
  '1003;Зуева;Нина;;30.02.1990;Ж;8 916 000-11-22;;;',
  '1004;Лаптев;Ильдар;Ринатович;12.03.85;М;89035550000;;;',
].join('\r\n');

async function drain(connector: MisConnector, cursor: string | null, limit = 50): Promise<{ pages: MisChangesPage[]; cursor: string }> {
  const pages: MisChangesPage[] = [];
  let position = cursor;
  for (;;) {
    const page = await connector.changesSince(position, limit);
    pages.push(page);
    position = page.nextCursor;
    if (!page.hasMore) return { pages, cursor: position };
  }
}

/** What the core would do with the pages: valid cards by id, refused ones with their origin and reason. */
function asCore(pages: MisChangesPage[]): { cards: Map<string, PatientCard>; quarantined: string[]; deletions: string[] } {
  const cards = new Map<string, PatientCard>();
  const quarantined: string[] = [];
  for (const page of pages) {
    page.cards.forEach((raw, i) => {
      const parsed = PatientCardSchema.safeParse(raw);
      if (parsed.success) cards.set(parsed.data.misId, parsed.data);
      else quarantined.push(`${page.origins?.[i]}: ${[...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ')}`);
    });
  }
  return { cards, quarantined, deletions: pages.flatMap((page) => page.deletions) };
}

let dir: ExportFolder;
beforeEach(() => {
  dir = new ExportFolder();
});
afterEach(async () => {
  await dir.close();
});

describe('spreadsheet connector: reading exports', () => {
  it('imports a windows-1251 «;» export with Russian headers and dates; broken rows are quarantined with their line numbers', async () => {
    dir.write('patients.csv', encodeWindows1251(RUSSIAN_CSV));
    const { pages } = await drain(dir.connector(), null, 2);
    const { cards, quarantined } = asCore(pages);
    expect([...cards.keys()]).toEqual(['1001', '1002']);
    expect(cards.get('1001')).toMatchObject({
      surname: 'Сёмина',
      givenName: 'Алёна',
      patronymic: 'Игоревна',
      birthDate: '1985-03-12',
      sex: 'female',
      phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }],
      address: 'г. Тверь; ул. Лесная, 5',
      omsPolicy: '1234567890123456',
      snils: '11223344595',
    });
    expect(cards.get('1002')!.phones.map((p) => p.e164)).toEqual(['+79035551234', '+74822556677']);
    expect(cards.get('1002')!.address).toBe('г. Тверь, ул. Речная, 2');
    // Line 3 holds a line break inside quotes and line 5 is blank: the broken rows are on physical lines 6 and 7.
    expect(quarantined).toEqual(['patients.csv line 6: birthDate', 'patients.csv line 7: birthDate']);
  });

  it('imports a UTF-8 «,» export with a BOM and one «ФИО» column, deriving stable ids without an id column', async () => {
    dir.write('export.csv', '\uFEFFФИО,ДР,Мобильный,E-mail\n"Белова Дарья Сергеевна",1990-07-01,+79261112233,d.belova@example.org\nТкачук Богдан,05.05.2001,89261112244,\n');
    const connector = dir.connector();
    const { cards, quarantined } = asCore((await drain(connector, null)).pages);
    expect(quarantined).toEqual([]);
    const belova = [...cards.values()].find((card) => card.surname === 'Белова')!;
    expect(belova).toMatchObject({ givenName: 'Дарья', patronymic: 'Сергеевна', birthDate: '1990-07-01', email: 'd.belova@example.org' });
    expect(belova.misId).toMatch(/^p-/);
    expect([...cards.values()].find((card) => card.surname === 'Ткачук')).toMatchObject({ givenName: 'Богдан', patronymic: null, birthDate: '2001-05-05' });
    const preview = await connector.preview();
    expect(preview).toMatchObject({ file: 'export.csv', encoding: 'utf-8', delimiter: ',', totalRows: 2, columns: ['ФИО', 'ДР', 'Мобильный', 'E-mail'] });
    expect(preview.mapping).toEqual({ fullName: 'ФИО', birthDate: 'ДР', phone: 'Мобильный', email: 'E-mail' });
  });

  it('imports an XLSX export with date cells; a bad row is named by its sheet row', async () => {
    const date = (y: number, m: number, d: number) => ({ value: new Date(Date.UTC(y, m - 1, d)), type: Date, format: 'dd.mm.yyyy' });
    const buffer = await writeXlsxFile([
      ['Код', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Телефон', 'Полис ОМС'],
      ['A-1', 'Гусева', 'Вера', 'Павловна', date(1979, 12, 31), '+7 916 765-43-21', '7700000000000001'],
      [null, null, null, null, null, null, null],
      ['A-2', 'Орлов', 'Глеб', null, 'вчера', '+7 916 765-43-22', null],
    ]).toBuffer();
    dir.write('patients.xlsx', buffer);
    const connector = dir.connector();
    const { cards, quarantined } = asCore((await drain(connector, null)).pages);
    expect(cards.get('A-1')).toMatchObject({ surname: 'Гусева', birthDate: '1979-12-31', omsPolicy: '7700000000000001', phones: [{ e164: '+79167654321' }] });
    expect(quarantined).toEqual(['patients.xlsx row 4: birthDate']);
    expect(await connector.preview()).toMatchObject({ file: 'patients.xlsx', encoding: null, delimiter: null, totalRows: 2 });
  });

  it('a row split at a separator inside a value, and a repeated id, are quarantined, not imported as they read', async () => {
    dir.write('p.csv', 'Код;Фамилия;Имя;ДР;Телефон\n7;Соколова;Инна;01.01.1970;89160000001\n8;Рыбаков;Юрий;02.02.1960;89160000002;лишнее\n7;Соколова;Инна;01.01.1970;89160000003\n');
    const { pages } = await drain(dir.connector(), null);
    const { cards } = asCore(pages);
    expect(cards.get('7')!.phones[0]!.e164).toBe('+79160000001');
    expect(cards.has('8')).toBe(false);
    expect(pages.flatMap((page) => page.origins)).toEqual(['p.csv line 2', 'p.csv line 3 (6 cells where the header has 5)', 'p.csv line 4 (the same patient id as line 2)']);
  });

  it('hostile input: a control character in a name is refused by field, a broken workbook is a protocol error naming the file', async () => {
    dir.write('p.csv', `Код;Фамилия;Имя;ДР;Телефон\n1;Ива\u0007нова;Анна;01.01.1970;89160000001\n2;${'Я'.repeat(100_000)};Анна;01.01.1970;89160000002\n`);
    const { quarantined } = asCore((await drain(dir.connector(), null)).pages);
    expect(quarantined).toEqual(['p.csv line 2: surname', 'p.csv line 3: surname']);
    dir.write('z.xlsx', 'PK\u0003\u0004 not really a zip');
    const error = await dir.connector().changesSince(null, 10).catch((e: unknown) => e);
    expect(isMisError(error) && error.kind === 'protocol' && error.message.startsWith('z.xlsx is not a readable XLSX')).toBe(true);
  });

  it('finds patients in the newest export by any form of the number, by name and by id', async () => {
    dir.write('old.csv', 'Код;Фамилия;Имя;ДР;Телефон\n1;Старый;Файл;01.01.1970;89160000009\n');
    dir.write('new.csv', encodeWindows1251(RUSSIAN_CSV));
    const connector = dir.connector();
    for (const form of ['+79161234567', '89161234567', '8 (916) 123-45-67']) {
      expect((await connector.findByPhone(form)).map((card) => PatientCardSchema.parse(card).misId)).toEqual(['1001']);
    }
    expect(await connector.findByPhone('+79160000009')).toEqual([]);
    expect((await connector.search('семина ален')).map((card) => (card as PatientCard).misId)).toEqual(['1001']);
    expect((await connector.search('4567')).map((card) => (card as PatientCard).misId)).toEqual(['1001']);
    expect(PatientCardSchema.parse(await connector.getCard('1002')).surname).toBe('Карпов');
    expect(await connector.getCard('9999')).toBeNull();
  });
});

describe('spreadsheet connector: only the changes', () => {
  const header = 'Код;Фамилия;Имя;ДР;Телефон';
  const rows = ['1;Авдеева;Мария;01.02.1980;89160000001', '2;Баранов;Иван;03.04.1975;89160000002', '3;Власова;Ольга;05.06.1990;89160000003'];

  it('after the first import, an edit, a removal and an addition are the only changes, with higher versions', async () => {
    dir.write('p.csv', [header, ...rows].join('\n'));
    const connector = dir.connector();
    const first = await drain(connector, null, 2);
    const before = asCore(first.pages).cards;
    expect(before.size).toBe(3);
    // Nothing changed: an empty page, the same cursor.
    expect(await connector.changesSince(first.cursor, 2)).toMatchObject({ cards: [], deletions: [], hasMore: false, nextCursor: first.cursor });

    dir.clock.advance(60_000);
    dir.write('p.csv', [header, rows[0]!.replace('Мария', 'Марина'), rows[2], '4;Гордеев;Пётр;07.08.2000;89160000004'].join('\n'));
    const delta = await drain(connector, first.cursor, 50);
    const { cards, deletions } = asCore(delta.pages);
    expect([...cards.keys()]).toEqual(['1', '4']);
    expect(cards.get('1')!.givenName).toBe('Марина');
    expect(cards.get('1')!.version).toBeGreaterThan(before.get('1')!.version);
    expect(deletions).toEqual(['2']);
    expect((await connector.changesSince(delta.cursor, 50)).cards).toEqual([]);
  });

  it('a crash before the desk commits the page: the old cursor brings the same changes again', async () => {
    dir.write('p.csv', [header, ...rows].join('\n'));
    const connector = dir.connector();
    const first = await drain(connector, null);
    dir.write('p.csv', [header, rows[0], rows[1]!.replace('Баранов', 'Баранова')].join('\n'));
    const delivered = await drain(connector, first.cursor, 1);
    // A restarted desk (a new connector on the same state folder) asks again from the committed cursor.
    const again = await drain(dir.connector(), first.cursor, 1);
    expect(again.pages.map((page) => [page.cards, page.deletions])).toEqual(delivered.pages.map((page) => [page.cards, page.deletions]));
    expect(asCore(again.pages)).toMatchObject({ deletions: ['3'] });
    expect(asCore(again.pages).cards.get('2')!.surname).toBe('Баранова');
  });

  it('a cursor of another source or of a forgotten import is refused as rejected, so the desk imports again', async () => {
    dir.write('p.csv', [header, ...rows].join('\n'));
    const connector = dir.connector();
    for (const cursor of ['demo1:5', 'sheet1:999:0', 'sheet1:1:999999']) {
      const error = await connector.changesSince(cursor, 10).catch((e: unknown) => e);
      expect(isMisError(error) && error.kind === 'rejected', cursor).toBe(true);
    }
  });

  it('an export still being written is not imported until it has been still for a while', async () => {
    dir.write('p.csv', [header, ...rows].join('\n'));
    const connector = dir.connector({}, { settleMs: 1_000 });
    const first = await drain(connector, null);
    dir.clock.advance(60_000);
    // Written "now" on the connector's clock.
    dir.write('p.csv', [header, rows[0]].join('\n'));
    const { utimesSync } = await import('node:fs');
    utimesSync(join(dir.folder, 'p.csv'), dir.clock.now() / 1000, dir.clock.now() / 1000);
    expect(await connector.changesSince(first.cursor, 50)).toMatchObject({ cards: [], deletions: [], nextCursor: first.cursor });
    dir.clock.advance(1_500);
    expect(asCore((await drain(connector, first.cursor)).pages).deletions).toEqual(['2', '3']);
  });

  it('tells the desk when an export is dropped in the folder', async () => {
    const connector = dir.connector({}, { settleMs: 100 });
    const changed = new Promise<void>((resolve) => connector.onChanged(resolve));
    await connector.whenWatching();
    dir.write('notes.txt', 'not an export');
    dir.write('patients.csv', [header, ...rows].join('\n'));
    await changed;
  });
});

describe('spreadsheet connector: notes, preview, diagnostics', () => {
  it('appends a note once per key to registratura-notes.csv (UTF-8 BOM, «;»), also after a restart; refuses bookings', async () => {
    dir.write('p.csv', 'Код;Фамилия;Имя;ДР;Телефон\n1;Авдеева;Мария;01.02.1980;89160000001\n');
    const write = {
      idempotencyKey: 'wrapup:call-1',
      kind: 'wrapup',
      payload: { localId: 'w1', callId: 'call-1', misId: '1', category: 'Запись', outcome: 'resolved', note: '=HYPERLINK("x");перезвонить', acwSec: 12, savedAt: '2025-06-01T10:00:00.000Z' },
    };
    expect((await dir.connector().submit(write)).status).toBe('applied');
    expect((await dir.connector().submit(write)).status).toBe('duplicate');
    const text = readFileSync(join(dir.folder, NOTES_FILE_NAME), 'utf8');
    expect(text.startsWith('\uFEFFКлюч;Тип;')).toBe(true);
    expect(text.split('\r\n').filter((line) => line.startsWith('wrapup:call-1;'))).toEqual(['wrapup:call-1;wrapup;2025-06-01T10:00:00.000Z;1;call-1;;Запись: resolved;"\'=HYPERLINK(""x"");перезвонить"']);
    const booking = await dir.connector().submit({ idempotencyKey: 'b1', kind: 'booking.create', payload: {} }).catch((e: unknown) => e);
    expect(isMisError(booking) && booking.kind === 'rejected' && booking.permanent).toBe(true);
    const malformed = await dir.connector().submit({ idempotencyKey: 'n1', kind: 'new-patient', payload: { phone: 'x' } }).catch((e: unknown) => e);
    expect(isMisError(malformed) && malformed.kind === 'rejected').toBe(true);
  });

  it('"test connection" passes on a good export and names what to fix otherwise', async () => {
    dir.write('p.csv', 'Код;Фамилия;Имя;ДР;Телефон\n1;Авдеева;Мария;01.02.1980;89160000001\n');
    const good = await runDiagnostics(dir.connector().diagnostics());
    expect(good.steps.map((s) => [s.step, s.status])).toEqual([
      ['read-folder', 'ok'],
      ['read-file', 'ok'],
      ['read-patient', 'ok'],
      ['write-permission', 'ok'],
    ]);
    expect(good.steps[1]!.detail).toContain('separator ;, 1 rows');

    const missing = await runDiagnostics(dir.connector({ folder: join(dir.root, 'nowhere') }).diagnostics());
    expect(missing.steps[0]).toMatchObject({ step: 'read-folder', status: 'failed', hint: 'checkFolder' });
    expect(missing.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);

    dir.write('p.csv', 'Код;Имя;ДР;Телефон\n1;Мария;01.02.1980;89160000001\n');
    const noSurname = await runDiagnostics(dir.connector().diagnostics());
    expect(noSurname.steps[1]).toMatchObject({ step: 'read-file', status: 'failed', hint: 'checkFileFormat' });
    expect(noSurname.steps[1]!.detail).toContain('surname');
    // The same export refused by a sync is a transient protocol error naming the column, not a crash.
    const error = await dir.connector().changesSince(null, 10).catch((e: unknown) => e);
    expect(isMisError(error) && error.kind === 'protocol' && error.message.includes('surname')).toBe(true);
  });

  it('a notes file the desk cannot append to is a warning at write-permission', async () => {
    dir.write('p.csv', 'Код;Фамилия;Имя;ДР;Телефон\n1;Авдеева;Мария;01.02.1980;89160000001\n');
    mkdirSync(join(dir.folder, NOTES_FILE_NAME));
    const result = await runDiagnostics(dir.connector().diagnostics());
    expect(result.ok).toBe(true);
    expect(result.steps[3]).toMatchObject({ step: 'write-permission', status: 'warning' });
    const error = await dir.connector().submit({ idempotencyKey: 'k', kind: 'callback-outcome', payload: { number: '+79160000001', outcome: 'reached', reasons: ['abandoned'], count: 1, firstAt: 1, at: 2, agent: '101' } }).catch((e: unknown) => e);
    expect(isMisError(error) && !error.permanent).toBe(true);
  });

  it('an empty folder: no export yet is transient, and the preview is empty', async () => {
    const connector = dir.connector();
    const error = await connector.changesSince(null, 10).catch((e: unknown) => e);
    expect(isMisError(error) && error.kind === 'unreachable').toBe(true);
    expect(await connector.preview()).toMatchObject({ file: null, columns: [], rows: [], totalRows: 0 });
    rmSync(dir.folder, { recursive: true });
    const gone = await connector.changesSince(null, 10).catch((e: unknown) => e);
    expect(isMisError(gone) && gone.kind === 'unreachable').toBe(true);
  });
});
