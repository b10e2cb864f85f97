import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/node';
import { decodeBody } from '../http/http-client';
import { MisError } from '../mis/mis-connector';
import type { SpreadsheetConfig } from './spreadsheet-config';

/**
 * Finding and reading the clinic's export: the newest file of the folder matching the
 * patterns, parsed into a header and rows that remember their place in the file (the physical
 * line of a CSV, counting the header and any line breaks inside quoted cells; the row of an
 * XLSX sheet), so a refused row can be named for the clinic to find.
 */

/** An export file as the folder lists it. */
export interface ExportFile {
  /** The file name, without the folder (what messages and the preview show). */
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** A cell as read: text (XLSX numbers are kept as their exact text), a date (an XLSX date cell), or empty. */
export type SheetCell = string | Date | null;

export interface SheetRow {
  /** Where the row is: a CSV's physical line number (the header is line 1 when it is the first line), an XLSX row number. */
  line: number;
  cells: SheetCell[];
  /** Why the row cannot be trusted as read (an unclosed quote, more cells than headers), or null. */
  problem: string | null;
}

export interface SheetTable {
  file: string;
  format: 'csv' | 'xlsx';
  /** `utf-8` / `windows-1251` for CSV; null for XLSX. */
  encoding: string | null;
  /** `;`, `,`, `\t` for CSV; null for XLSX. */
  delimiter: string | null;
  /** The header row's cells, trimmed. */
  header: string[];
  /** Data rows after the header; blank rows are left out. */
  rows: SheetRow[];
  /** How a row's place is named: `line` (CSV) or `row` (XLSX). */
  placeWord: 'line' | 'row';
}

/** A larger export is refused (the desk keeps what it has): 256 MB is ~2 million patients. */
export const MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/** The identity of one version of a file: a changed name, size or modification time is a new export. */
export function fingerprintOf(file: ExportFile): string {
  return `${file.name}|${file.size}|${Math.round(file.mtimeMs)}`;
}

/** `*.csv, *.xlsx` → a test of file names (case-insensitive; `*` and `?` wildcards). */
export function filePatternMatcher(pattern: string): (name: string) => boolean {
  const parts = pattern
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return (name) => parts.some((regex) => regex.test(name));
}

/** The name of the file the connector writes its notes to; never taken for an export. */
export const NOTES_FILE_NAME = 'registratura-notes.csv';

/**
 * The matching files of the folder, newest first (by modification time, then name). A folder
 * that does not exist or cannot be read is `unreachable` (a network share that is down): the
 * desk keeps what it has and tries again.
 */
export async function listExportFiles(folder: string, pattern: string): Promise<ExportFile[]> {
  const matches = filePatternMatcher(pattern);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new MisError('unreachable', `The export folder ${folder} cannot be read (${codeOf(error)}).`, { cause: error });
  }
  const files: ExportFile[] = [];
  for (const name of names) {
    if (name === NOTES_FILE_NAME || name.startsWith('~$') || name.startsWith('.') || !matches(name)) continue;
    try {
      const info = await stat(join(folder, name));
      if (info.isFile()) files.push({ name, path: join(folder, name), size: info.size, mtimeMs: info.mtimeMs });
    } catch {
      // removed between listing and stat: not an export any more
    }
  }
  return files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Reads and parses one export file: XLSX by its extension, anything else as CSV. */
export async function readExportFile(file: ExportFile, config: Pick<SpreadsheetConfig, 'encoding' | 'delimiter'>): Promise<SheetTable> {
  if (file.size > MAX_EXPORT_BYTES) {
    throw new MisError('protocol', `${file.name} is ${Math.round(file.size / 1024 / 1024)} MB, more than the desk reads (${MAX_EXPORT_BYTES / 1024 / 1024} MB).`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch (error) {
    throw new MisError('unreachable', `${file.name} cannot be read (${codeOf(error)}).`, { cause: error });
  }
  return extname(file.name).toLowerCase() === '.xlsx' ? parseXlsx(bytes, file.name) : parseCsv(bytes, file.name, config);
}

/**
 * Parses CSV bytes: decoded by `decodeBody` (a BOM, else UTF-8, else windows-1251 — or the
 * configured encoding), separated by the configured or detected delimiter (`;`, `,`, tab),
 * quotes per RFC 4180. Every row keeps its physical line number.
 */
export function parseCsv(bytes: Uint8Array, fileName: string, config: Pick<SpreadsheetConfig, 'encoding' | 'delimiter'>): SheetTable {
  const declared = config.encoding === 'auto' ? null : `text/csv; charset=${config.encoding}`;
  const { text, charset } = decodeBody(bytes, declared);
  const body = text.replace(/^\uFEFF/, '');
  const delimiter = config.delimiter === 'auto' ? undefined : config.delimiter === 'tab' ? '\t' : config.delimiter;
  const records: { start: number; cells: string[]; problem: string | null }[] = [];
  let previousCursor = 0;
  let detected: string | null = delimiter ?? null;
  Papa.parse<string[]>(body, {
    ...(delimiter === undefined ? { delimitersToGuess: [';', ',', '\t'] } : { delimiter }),
    skipEmptyLines: false,
    step: (result) => {
      detected ??= result.meta.delimiter;
      const problem = result.errors.some((error) => error.code === 'MissingQuotes' || error.code === 'InvalidQuotes') ? 'an unclosed or stray quote' : null;
      records.push({ start: previousCursor, cells: result.data, problem });
      previousCursor = result.meta.cursor;
    },
  });
  // Line numbers: 1 + the line breaks before each record's first character, counted once.
  let line = 1;
  let scanned = 0;
  const lineAt = (offset: number) => {
    for (; scanned < offset && scanned < body.length; scanned++) if (body.charCodeAt(scanned) === 10) line++;
    return line;
  };
  const rows: SheetRow[] = records.map((record) => ({ line: lineAt(record.start), cells: record.cells, problem: record.problem }));
  return tableOf(fileName, 'csv', charset, detected ?? ',', rows, 'line');
}

/**
 * Parses XLSX bytes (the first sheet) with `read-excel-file`: numbers as their exact text (a
 * 16-digit policy number stays exact), date cells as dates; row N is the sheet's row N.
 */
export async function parseXlsx(bytes: Buffer, fileName: string): Promise<SheetTable> {
  let data: unknown[][];
  try {
    data = (await readSheet(bytes, { parseNumber: (value: string) => value })) as unknown[][];
  } catch (error) {
    throw new MisError('protocol', `${fileName} is not a readable XLSX workbook (${(error instanceof Error ? error.message : String(error)).slice(0, 120)}).`, { cause: error });
  }
  const rows: SheetRow[] = data.map((cells, index) => ({ line: index + 1, cells: cells.map(xlsxCell), problem: null }));
  return tableOf(fileName, 'xlsx', null, null, rows, 'row');
}

function xlsxCell(value: unknown): SheetCell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string') return value;
  return String(value as number | boolean);
}

/** True when a cell holds nothing but whitespace. */
export function isBlankCell(cell: SheetCell): boolean {
  return cell === null || (typeof cell === 'string' && cell.trim() === '');
}

function tableOf(file: string, format: 'csv' | 'xlsx', encoding: string | null, delimiter: string | null, all: SheetRow[], placeWord: 'line' | 'row'): SheetTable {
  const nonBlank = all.filter((row) => !row.cells.every(isBlankCell));
  const [headerRow, ...rows] = nonBlank;
  const header = (headerRow?.cells ?? []).map((cell) => cellText(cell).replace(/^\uFEFF/, '').trim());
  // A data row with more non-empty cells than headers was split at a separator inside a value.
  for (const row of rows) {
    if (row.problem === null && row.cells.slice(header.length).some((cell) => !isBlankCell(cell))) {
      row.problem = `${row.cells.length} cells where the header has ${header.length}`;
    }
  }
  return { file, format, encoding, delimiter, header, rows, placeWord };
}

/** A cell as text for the preview and for text fields (a date cell as `YYYY-MM-DD`). */
export function cellText(cell: SheetCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return cell;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 120) : 'error';
}
