import { access, appendFile, constants, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { z } from 'zod';
import { MisError, type MisSubmission, type MisSubmitResult } from '../mis/mis-connector';
import { MIS_WRITE_KINDS } from '../mis/mis-writes';
import { NOTES_FILE_NAME } from './spreadsheet-file';

/**
 * The operators' notes for a clinic without a MIS API: wrap-ups, call-back outcomes and
 * new-patient drafts appended as rows of `registratura-notes.csv` in the export folder (UTF-8
 * with a BOM, `;`-separated, so Excel opens it as it is). The idempotency key is a column:
 * keys already in the file are read back once, so a write is appended at most once per key and
 * a repeat answers `duplicate`.
 */

export const NOTES_HEADER = ['Ключ', 'Тип', 'Время', 'Пациент (ID)', 'Звонок', 'Телефон', 'Итог', 'Комментарий'] as const;

const text = (max: number) => z.string().max(max);
const WrapupPayloadSchema = z.object({
  localId: text(200),
  callId: text(200),
  misId: text(64).nullable(),
  category: text(200),
  outcome: text(200),
  note: text(5_000).nullable(),
  acwSec: z.number().nullable().optional(),
  savedAt: z.union([text(64), z.number()]),
});
const NewPatientPayloadSchema = z.object({
  localId: text(200),
  callId: text(200).nullable(),
  phone: z.string().regex(/^\+\d{11,15}$/),
  surname: text(100),
  givenName: text(100),
  patronymic: text(100).nullable(),
  birthDate: text(10).nullable(),
  note: text(5_000).nullable(),
  createdAt: z.union([text(64), z.number()]),
});
const CallbackOutcomePayloadSchema = z.object({
  number: text(40),
  outcome: text(40),
  reasons: z.array(text(40)).max(50),
  count: z.number(),
  firstAt: z.number(),
  at: z.number(),
  agent: text(40),
});

/** The notes file of one folder; submits are serialised so two writes never interleave their lines. */
export class NotesFile {
  readonly path: string;
  private keys: Set<string> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(folder: string) {
    this.path = join(folder, NOTES_FILE_NAME);
  }

  /** Appends the write unless its key is already in the file. Booking writes and malformed payloads are `rejected`. */
  submit(submission: MisSubmission): Promise<MisSubmitResult> {
    let row: string[];
    try {
      row = rowOf(submission);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const run = this.queue.then(async () => {
      const keys = await this.loadKeys();
      const ref = `notes:${submission.idempotencyKey}`;
      if (keys.has(submission.idempotencyKey)) return { status: 'duplicate' as const, ref };
      const exists = await fileExists(this.path);
      const lines = `${exists ? '' : `\uFEFF${csvLine([...NOTES_HEADER])}`}${csvLine(row)}`;
      try {
        await appendFile(this.path, lines, { encoding: 'utf8', flush: true });
      } catch (error) {
        throw new MisError('unreachable', `${NOTES_FILE_NAME} cannot be written (${codeOf(error)}): is it open in Excel, or the folder read-only?`, { cause: error });
      }
      keys.add(submission.idempotencyKey);
      return { status: 'applied' as const, ref };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The keys already in the file (read once; the file may also have been edited by hand). */
  async loadKeys(): Promise<Set<string>> {
    if (this.keys) return this.keys;
    let body: string;
    try {
      body = (await readFile(this.path, 'utf8')).replace(/^\uFEFF/, '');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return (this.keys = new Set());
      throw new MisError('unreachable', `${NOTES_FILE_NAME} cannot be read (${codeOf(error)}).`, { cause: error });
    }
    const rows = Papa.parse<string[]>(body, { delimiter: ';', skipEmptyLines: true }).data;
    const column = Math.max(0, (rows[0] ?? []).indexOf(NOTES_HEADER[0]));
    return (this.keys = new Set(rows.slice(1).map((row) => row[column] ?? '').filter((key) => key !== '')));
  }
}

/** The row of a write, or `rejected` (permanent) for a kind a spreadsheet cannot take or a payload that does not fit. */
function rowOf(submission: MisSubmission): string[] {
  const { kind, idempotencyKey: key } = submission;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new MisError('rejected', 'A write without a usable idempotency key.');
  if ((Object.values(MIS_WRITE_KINDS) as string[]).includes(kind) && kind !== MIS_WRITE_KINDS.callListOutcome) {
    throw new MisError('rejected', 'A spreadsheet has no schedule to book in.');
  }
  const invalid = (error: z.ZodError) => new MisError('rejected', `The ${kind} write does not fit the notes file (${error.issues.slice(0, 3).map((issue) => issue.path.join('.') || '(root)').join(', ')}).`);
  switch (kind) {
    case 'wrapup': {
      const parsed = WrapupPayloadSchema.safeParse(submission.payload);
      if (!parsed.success) throw invalid(parsed.error);
      const p = parsed.data;
      return [key, kind, timeText(p.savedAt), p.misId ?? '', p.callId, '', [p.category, p.outcome].filter((s) => s !== '').join(': '), safeText(p.note ?? '')];
    }
    case 'new-patient': {
      const parsed = NewPatientPayloadSchema.safeParse(submission.payload);
      if (!parsed.success) throw invalid(parsed.error);
      const p = parsed.data;
      const who = [p.surname, p.givenName, p.patronymic ?? ''].filter((s) => s !== '').join(' ');
      return [key, kind, timeText(p.createdAt), '', p.callId ?? '', p.phone, safeText(`${who}${p.birthDate ? `, ${p.birthDate}` : ''}`), safeText(p.note ?? '')];
    }
    case 'callback-outcome': {
      const parsed = CallbackOutcomePayloadSchema.safeParse(submission.payload);
      if (!parsed.success) throw invalid(parsed.error);
      const p = parsed.data;
      return [key, kind, timeText(p.at), '', '', p.number, `${p.outcome} (${p.count})`, safeText(`${p.reasons.join(', ')}; ${p.agent}`)];
    }
    default:
      throw new MisError('rejected', `A spreadsheet takes wrap-ups, call-back outcomes and new-patient drafts, not ${String(kind).slice(0, 40)} writes.`);
  }
}

function timeText(value: string | number): string {
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

/** Text a person typed, made safe for Excel: a leading `=`, `+`, `-` or `@` would be run as a formula. */
function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One `;`-separated CSV line (RFC 4180 quoting), CRLF-terminated as Excel writes them. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((cell) => (/[;"\r\n]|^\s|\s$/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(';')}\r\n`;
}

/**
 * True when the desk can append to the notes file: opened for appending when it exists (a
 * file open in Excel on Windows, or a folder of that name, fails), else a probe file created
 * and removed in the folder.
 */
export async function notesWritable(folder: string): Promise<boolean> {
  const path = join(folder, NOTES_FILE_NAME);
  const target = (await fileExists(path)) ? path : join(folder, `.registratura-write-check-${process.pid}`);
  try {
    const handle = await open(target, 'a');
    await handle.close();
    if (target !== path) await rm(target, { force: true });
    return true;
  } catch {
    return false;
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
