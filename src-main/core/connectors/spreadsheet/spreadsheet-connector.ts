import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { nameMatchesWords, nameSortKey, nameTokens } from '../../../../src-shared/patients/name-folding';
import { MisIdSchema, PatientCardSchema } from '../../../../src-shared/patients/patient-card';
import type { ConnectorPreview } from '../../../../src-shared/connectors/connector-model';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import { normalizePhone } from '../../patients/phone-normalisation';
import {
  DiagnosticFailure,
  MIS_CONNECTOR_API_VERSION,
  MisError,
  type DiagnosticCheck,
  type MisChangesPage,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisSubmission,
  type MisSubmitResult,
} from '../mis/mis-connector';
import { cardFromRow, missingRequiredFields, resolveMapping, shortHash, type ResolvedMapping, type RowCard } from './spreadsheet-card';
import { SpreadsheetConfigSchema, type SpreadsheetConfig } from './spreadsheet-config';
import { cellText, filePatternMatcher, fingerprintOf, listExportFiles, readExportFile, type ExportFile, type SheetTable } from './spreadsheet-file';
import { NotesFile, notesWritable } from './spreadsheet-notes';
import { SnapshotStore, type Snapshot } from './spreadsheet-snapshots';

export const SPREADSHEET_MANIFEST: MisConnectorManifest<SpreadsheetConfig> = {
  id: 'spreadsheet',
  kind: 'mis',
  version: '0.1.0',
  apiVersion: MIS_CONNECTOR_API_VERSION,
  title: 'CSV / XLSX export',
  capabilities: ['changesSince', 'getCard', 'findByPhone', 'search', 'submit'],
  pull: 'full',
  push: 'natural-key',
  configSchema: SpreadsheetConfigSchema,
  preview: true,
};

const CURSOR = /^sheet1:(\d{1,15}):(\d{1,9})$/;
const SEARCH_LIMIT = 50;
const MAX_PAGE = 10_000;
/** Rows "test connection" validates. */
const DIAGNOSTIC_ROWS = 100;

export interface SpreadsheetConnectorOptions {
  config: SpreadsheetConfig;
  stateDir: string;
  logger: Logger;
  clock: Clock;
  /**
   * A file modified less than this long ago is still being written and is not imported yet
   * (default 1000 ms: exports are written slowly); the watcher waits the same for its event.
   */
  settleMs?: number;
}

/** One data row of the loaded export, ready for pages and lookups. */
interface RowEntry {
  /** The card's misId, or (a duplicate id, a blank id) a key no misId can be. */
  key: string;
  card: RowCard;
  hash: string;
  /** `patients.csv line 17`, plus the row's problem when it has one. */
  origin: string;
  /** Folded `surname|given|patronymic` for search. */
  nameKey: string;
}

interface LoadedExport {
  file: ExportFile;
  fingerprint: string;
  table: SheetTable;
  resolved: ResolvedMapping;
  /** Why the rows cannot be turned into cards (a mapped column missing), or null. */
  mappingProblem: string | null;
  rows: RowEntry[];
  byKey: Map<string, RowEntry>;
  byNational10: Map<string, RowEntry[]>;
}

/**
 * The `spreadsheet` MIS connector (docs/architecture.md, "Connectors"): a clinic without a MIS
 * API exports its patients as CSV or XLSX into a folder; the newest matching file is the
 * source. `changesSince` diffs it against the snapshot of what the desk's cursor says it has
 * and pages only the changes (`pull: 'full'`); lookups read the newest export in memory; notes
 * go to `registratura-notes.csv` once per key (`push: 'natural-key'`). See README.md for the
 * invariants.
 */
export class SpreadsheetConnector implements MisConnector {
  readonly manifest = SPREADSHEET_MANIFEST as MisConnectorManifest;
  readonly pollIntervalMs: number;
  private readonly config: SpreadsheetConfig;
  private readonly store: SnapshotStore;
  private readonly notes: NotesFile;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly settleMs: number;
  private readonly matchesPattern: (name: string) => boolean;
  private loaded: LoadedExport | null = null;
  private loading: { fingerprint: string; promise: Promise<LoadedExport> } | null = null;
  /** The newest snapshot, for the versions of looked-up cards (undefined: not read yet). */
  private latest: Snapshot | null | undefined = undefined;
  private pulls: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | null = null;
  private watcherReady: Promise<void> | null = null;
  private released = false;

  constructor(options: SpreadsheetConnectorOptions) {
    this.config = options.config;
    this.store = new SnapshotStore(options.stateDir);
    this.notes = new NotesFile(options.config.folder);
    this.logger = options.logger;
    this.clock = options.clock;
    this.settleMs = options.settleMs ?? 1_000;
    this.pollIntervalMs = options.config.syncIntervalSec * 1000;
    this.matchesPattern = filePatternMatcher(options.config.filePattern);
  }

  async health(): Promise<MisHealth> {
    const started = this.clock.now();
    const files = await listExportFiles(this.config.folder, this.config.filePattern);
    return { state: files.length > 0 ? 'online' : 'degraded', latencyMs: Math.max(0, this.clock.now() - started) };
  }

  /**
   * The changes after `cursor` (`sheet1:<generation>:<offset>`). At the end of a generation it
   * compares the newest export's fingerprint with the generation's (unchanged: an empty page at
   * once); otherwise diffs the export against that generation, writes the next generation's
   * snapshot, and pages its changes — cards in the file's order, then deletions. A cursor of a
   * generation this folder does not have is `rejected`, so the desk imports everything again.
   */
  changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    const run = this.pulls.then(() => this.pull(cursor, Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1))));
    this.pulls = run.catch(() => undefined);
    return run;
  }

  private async pull(cursor: string | null, limit: number): Promise<MisChangesPage> {
    let base: Snapshot | null = null;
    if (cursor !== null) {
      const match = CURSOR.exec(cursor);
      if (!match) throw new MisError('rejected', 'The sync cursor is not one of this spreadsheet connector; a full import is needed.');
      const generation = Number(match[1]);
      const offset = Number(match[2]);
      base = await this.store.read(generation);
      if (base === null) throw new MisError('rejected', `The import the sync cursor names (generation ${generation}) is no longer kept; a full import is needed.`);
      const items = base.changed.length + base.deleted.length;
      if (offset > items) throw new MisError('rejected', 'The sync cursor points past its import; a full import is needed.');
      if (offset < items) return this.page(base, offset, limit);
    }
    const newest = await this.newestFile();
    if (base !== null && fingerprintOf(newest) === base.fingerprint) return emptyPage(cursor!);
    if (this.settleMs > 0 && this.clock.now() - newest.mtimeMs < this.settleMs) {
      if (cursor !== null) return emptyPage(cursor);
      throw new MisError('timeout', `${newest.name} is still being written; it is read once it has not changed for ${Math.round(this.settleMs / 1000)} s.`);
    }
    const loaded = await this.load(newest);
    if (loaded.mappingProblem !== null) throw new MisError('protocol', loaded.mappingProblem);
    const generations = await this.store.generations();
    const newestGeneration = generations.at(-1) ?? 0;
    const latest = newestGeneration > 0 ? await this.store.read(newestGeneration) : null;
    const baseGeneration = base?.generation ?? 0;
    // The same diff made before (the desk crashed before committing its first page): serve it again.
    if (latest && latest.base === baseGeneration && latest.fingerprint === loaded.fingerprint && latest.generation > baseGeneration) {
      this.latest = latest;
      return this.page(latest, 0, limit);
    }
    const stamp = Math.max(Math.floor(this.clock.now()), (latest?.stamp ?? 0) + 1, (base?.stamp ?? 0) + 1);
    const entries = new Map<string, [string, number]>();
    const changed: string[] = [];
    for (const row of loaded.rows) {
      const before = base?.entries.get(row.key);
      if (before && before[0] === row.hash) entries.set(row.key, before);
      else {
        entries.set(row.key, [row.hash, stamp]);
        changed.push(row.key);
      }
    }
    const deleted = base ? [...base.entries.keys()].filter((key) => !entries.has(key) && MisIdSchema.safeParse(key).success) : [];
    const next: Snapshot = { generation: newestGeneration + 1, base: baseGeneration, stamp, fingerprint: loaded.fingerprint, entries, changed, deleted };
    await this.store.write(next);
    this.latest = next;
    this.logger.info('spreadsheet.import', { file: loaded.file.name, generation: next.generation, base: baseGeneration, changed: changed.length, deleted: deleted.length });
    return this.page(next, 0, limit);
  }

  /** Items `offset…offset+limit` of a generation's changes, the cards as the newest export has them now. */
  private async page(snapshot: Snapshot, offset: number, limit: number): Promise<MisChangesPage> {
    const items = snapshot.changed.length + snapshot.deleted.length;
    const end = Math.min(items, offset + limit);
    const cards: unknown[] = [];
    const origins: (string | null)[] = [];
    const deletions: string[] = [];
    const changedEnd = Math.min(end, snapshot.changed.length);
    if (offset < changedEnd) {
      const loaded = await this.load(await this.newestFile());
      if (loaded.mappingProblem !== null) throw new MisError('protocol', loaded.mappingProblem);
      for (const key of snapshot.changed.slice(offset, changedEnd)) {
        const row = loaded.byKey.get(key);
        // Gone from the file since this generation was made: the next generation deletes it.
        if (!row) continue;
        cards.push({ ...row.card, version: snapshot.entries.get(key)?.[1] ?? snapshot.stamp });
        origins.push(row.origin);
      }
    }
    for (let i = Math.max(offset, snapshot.changed.length); i < end; i++) deletions.push(snapshot.deleted[i - snapshot.changed.length]!);
    return { cards, deletions, merges: [], origins, nextCursor: `sheet1:${snapshot.generation}:${end}`, hasMore: end < items, total: items - offset };
  }

  async getCard(misId: string): Promise<unknown> {
    const loaded = await this.loadForLookup();
    const row = loaded.byKey.get(misId);
    return row ? this.withVersion(row) : null;
  }

  async findByPhone(raw: string): Promise<unknown[]> {
    const phone = normalizePhone(raw);
    if (!phone) return [];
    const loaded = await this.loadForLookup();
    const rows = (loaded.byNational10.get(phone.national10) ?? []).filter((row) => (row.card.phones as { e164: string }[]).some((p) => p.e164 === phone.e164));
    return this.validCards(rows, SEARCH_LIMIT);
  }

  /** Names (every word a prefix of a name part, in any order), or digits: an id, the end of a phone, a policy or СНИЛС. */
  async search(query: string): Promise<unknown[]> {
    const text = query.trim().slice(0, 200);
    if (text === '') return [];
    const loaded = await this.loadForLookup();
    const digits = text.replace(/\D/g, '');
    let match: (row: RowEntry) => boolean;
    if (digits.length >= 4 && digits.length >= text.replace(/\s/g, '').length - 1) {
      match = (row) =>
        row.key === text ||
        (row.card.phones as { e164: string }[]).some((p) => p.e164.endsWith(digits)) ||
        row.card.omsPolicy === digits ||
        row.card.snils === digits;
    } else {
      const words = nameTokens(text);
      if (words.length === 0) return [];
      match = (row) => row.key === text || nameMatchesWords(row.nameKey, words);
    }
    const found: RowEntry[] = [];
    for (const row of loaded.rows) if (match(row)) found.push(row);
    return this.validCards(found, SEARCH_LIMIT);
  }

  submit(submission: MisSubmission): Promise<MisSubmitResult> {
    return this.notes.submit(submission);
  }

  /** The first rows of the newest export, for the column mapping; works even while the mapping is wrong. */
  async preview(): Promise<ConnectorPreview> {
    const files = await listExportFiles(this.config.folder, this.config.filePattern);
    const newest = files[0];
    if (!newest) {
      const mapping = Object.fromEntries(Object.entries(this.config.mapping).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
      return { file: null, encoding: null, delimiter: null, columns: [], rows: [], totalRows: 0, mapping };
    }
    const { table, resolved } = await this.load(newest);
    const width = Math.min(200, table.header.length);
    return {
      file: clip(table.file, 260),
      encoding: table.encoding,
      delimiter: table.delimiter,
      columns: table.header.slice(0, width).map((header) => clip(header, 200)),
      rows: table.rows.slice(0, 10).map((row) => Array.from({ length: width }, (_, i) => clip(cellText(row.cells[i]), 1000))),
      totalRows: table.rows.length,
      mapping: Object.fromEntries(Object.entries(resolved.mapping).map(([field, column]) => [field, clip(column, 200)])),
    };
  }

  /** "Test connection": the folder, the newest file and its mapping, a patient that validates, permission to write notes. */
  diagnostics(): DiagnosticCheck[] {
    let newest: ExportFile | null = null;
    let loaded: LoadedExport | null = null;
    return [
      {
        step: 'read-folder',
        run: async () => {
          let info;
          try {
            info = await stat(this.config.folder);
          } catch (error) {
            throw new DiagnosticFailure('checkFolder', `The folder ${this.config.folder} does not exist or cannot be reached (${(error as { code?: string }).code ?? 'error'}).`);
          }
          if (!info.isDirectory()) throw new DiagnosticFailure('checkFolder', `${this.config.folder} is a file, not a folder.`);
          let files: ExportFile[];
          try {
            files = await listExportFiles(this.config.folder, this.config.filePattern);
          } catch (error) {
            throw new DiagnosticFailure('checkFolder', (error as Error).message);
          }
          newest = files[0] ?? null;
          if (!newest) throw new DiagnosticFailure('checkFolder', `No file in ${this.config.folder} matches ${this.config.filePattern}.`);
          return `${files.length} file(s) match ${this.config.filePattern}; the newest is ${newest.name} (${Math.ceil(newest.size / 1024)} KB, modified ${new Date(newest.mtimeMs).toISOString()}).`;
        },
      },
      {
        step: 'read-file',
        run: async () => {
          try {
            loaded = await this.load(newest!);
          } catch (error) {
            throw new DiagnosticFailure('checkFileFormat', (error as Error).message);
          }
          const { table, resolved } = loaded;
          if (resolved.notFound.length > 0) {
            throw new DiagnosticFailure('checkFileFormat', `${table.file} has no column ${resolved.notFound.map((m) => `«${m.column}» (for ${m.field})`).join(', ')}; its columns: ${table.header.join(', ').slice(0, 400)}.`);
          }
          const missing = [...missingRequiredFields(resolved.columns), ...(resolved.columns.phone === undefined ? ['phone'] : [])];
          if (missing.length > 0) {
            throw new DiagnosticFailure('checkFileFormat', `${table.file}: no column found for ${missing.join(', ')}; map them in the settings (its columns: ${table.header.join(', ').slice(0, 400)}).`);
          }
          const format = table.format === 'xlsx' ? 'XLSX' : `CSV, ${table.encoding}, separator ${table.delimiter === '\t' ? 'tab' : table.delimiter}`;
          return `${table.file}: ${format}, ${table.rows.length} rows; mapped: ${Object.keys(resolved.mapping).join(', ')}.`;
        },
      },
      {
        step: 'read-patient',
        run: () => {
          const rows = loaded!.rows.slice(0, DIAGNOSTIC_ROWS);
          if (rows.length === 0) return Promise.resolve({ detail: `${loaded!.table.file} has no patient rows.`, warning: true as const });
          let firstValid: RowEntry | null = null;
          let firstInvalid: string | null = null;
          let invalid = 0;
          for (const row of rows) {
            const parsed = PatientCardSchema.safeParse({ ...row.card, version: 0 });
            if (parsed.success) firstValid ??= row;
            else {
              invalid++;
              firstInvalid ??= `${row.origin}: ${parsed.error.issues
                .slice(0, 3)
                .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
                .join('; ')}`;
            }
          }
          if (!firstValid) throw new DiagnosticFailure('checkFileFormat', `None of the first ${rows.length} rows is a valid card; ${firstInvalid ?? ''}.`);
          const detail = `${firstValid.origin} reads as a valid card; ${invalid} of the first ${rows.length} rows do not validate${firstInvalid ? ` (first: ${firstInvalid})` : ''}.`;
          return Promise.resolve(invalid > 0 ? { detail, warning: true as const } : detail);
        },
      },
      {
        step: 'write-permission',
        run: async () =>
          (await notesWritable(this.config.folder))
            ? `The desk can write ${this.notes.path.slice(this.config.folder.length + 1)} in the folder.`
            : { detail: `The folder is read-only for the desk: operators' notes cannot be saved to registratura-notes.csv.`, warning: true as const },
      },
    ];
  }

  /** Calls `listener` when a matching file is added or changed and has been still for ~1 s (chokidar's `awaitWriteFinish`). */
  onChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    this.startWatching();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once the folder watch is running (its initial scan done); for tests and diagnostics. */
  whenWatching(): Promise<void> {
    return this.watcherReady ?? Promise.resolve();
  }

  async release(): Promise<void> {
    this.released = true;
    this.listeners.clear();
    const watcher = this.watcher;
    this.watcher = null;
    this.watcherReady = null;
    await watcher?.close();
    this.loaded = null;
  }

  private startWatching(): void {
    if (this.watcher || this.released) return;
    const watcher = watch(this.config.folder, {
      ignoreInitial: true,
      depth: 0,
      usePolling: this.config.usePolling,
      ...(this.config.usePolling && { interval: 1_000 }),
      awaitWriteFinish: { stabilityThreshold: Math.max(50, this.settleMs), pollInterval: 100 },
    });
    this.watcher = watcher;
    this.watcherReady = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    const onFile = (path: string) => {
      if (!this.matchesPattern(basename(path)) || basename(path) === basename(this.notes.path)) return;
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch (error) {
          this.logger.warn('spreadsheet.listener-failed', { error });
        }
      }
    };
    watcher.on('add', onFile);
    watcher.on('change', onFile);
    watcher.on('error', (error) => this.logger.warn('spreadsheet.watch-failed', { error }));
  }

  private async newestFile(): Promise<ExportFile> {
    const files = await listExportFiles(this.config.folder, this.config.filePattern);
    const newest = files[0];
    if (!newest) throw new MisError('unreachable', `The folder ${this.config.folder} has no export matching ${this.config.filePattern} yet.`);
    return newest;
  }

  private async loadForLookup(): Promise<LoadedExport> {
    const loaded = await this.load(await this.newestFile());
    if (loaded.mappingProblem !== null) throw new MisError('protocol', loaded.mappingProblem);
    if (this.latest === undefined) {
      const generation = (await this.store.generations()).at(-1);
      this.latest = generation === undefined ? null : await this.store.read(generation);
    }
    return loaded;
  }

  /** The export parsed and mapped, cached by its fingerprint (a large file is parsed once per version). */
  private load(file: ExportFile): Promise<LoadedExport> {
    const fingerprint = fingerprintOf(file);
    if (this.loaded?.fingerprint === fingerprint) return Promise.resolve(this.loaded);
    if (this.loading?.fingerprint === fingerprint) return this.loading.promise;
    const promise = (async () => {
      const table = await readExportFile(file, this.config);
      const after = await stat(file.path).catch(() => null);
      if (!after || after.size !== file.size || Math.round(after.mtimeMs) !== Math.round(file.mtimeMs)) {
        throw new MisError('timeout', `${file.name} changed while it was being read; it is read again at the next check.`);
      }
      const loaded = buildExport(file, fingerprint, table, this.config);
      this.loaded = loaded;
      return loaded;
    })();
    this.loading = { fingerprint, promise };
    void promise.finally(() => {
      if (this.loading?.promise === promise) this.loading = null;
    }).catch(() => undefined);
    return promise;
  }

  private withVersion(row: RowEntry): unknown {
    const known = this.latest?.entries.get(row.key);
    return { ...row.card, version: known && known[0] === row.hash ? known[1] : Math.floor(this.clock.now()) };
  }

  private validCards(rows: RowEntry[], limit: number): unknown[] {
    const cards: unknown[] = [];
    for (const row of rows) {
      if (cards.length >= limit) break;
      const card = this.withVersion(row);
      if (PatientCardSchema.safeParse(card).success) cards.push(card);
    }
    return cards;
  }
}

/** The rows of a table as cards with their keys, hashes and origins; indexes for lookups. */
function buildExport(file: ExportFile, fingerprint: string, table: SheetTable, config: SpreadsheetConfig): LoadedExport {
  const resolved = resolveMapping(table.header, config.mapping);
  const missing = missingRequiredFields(resolved.columns);
  const mappingProblem =
    resolved.notFound.length > 0
      ? `${table.file} has no column ${resolved.notFound.map((m) => `«${m.column}» (mapped to ${m.field})`).join(', ')}; fix the column mapping in the settings.`
      : missing.length > 0
        ? `${table.file}: no column found for ${missing.join(', ')}; map the columns in the settings.`
        : null;
  const rows: RowEntry[] = [];
  const byKey = new Map<string, RowEntry>();
  const byNational10 = new Map<string, RowEntry[]>();
  if (mappingProblem === null) {
    const firstLineOf = new Map<string, number>();
    const fromXlsx = table.format === 'xlsx';
    for (const row of table.rows) {
      const card = cardFromRow(row, resolved.columns, { dateFormat: config.dateFormat, fromXlsx });
      let problem = row.problem;
      let key = card.misId;
      const earlier = firstLineOf.get(key);
      if (earlier !== undefined) {
        problem ??= `the same patient id as ${table.placeWord} ${earlier}`;
        key = `${key}\u0000${row.line}`;
      } else if (key === '') key = `\u0000${row.line}`;
      else firstLineOf.set(key, row.line);
      if (problem !== null) card.rowProblem = problem;
      const entry: RowEntry = {
        key,
        card,
        hash: shortHash(JSON.stringify(card)),
        origin: `${table.file} ${table.placeWord} ${row.line}${problem !== null ? ` (${problem})` : ''}`,
        nameKey: nameSortKey({ surname: String(card.surname), givenName: String(card.givenName), patronymic: typeof card.patronymic === 'string' ? card.patronymic : null }),
      };
      rows.push(entry);
      byKey.set(key, entry);
      for (const phone of card.phones as { national10: string }[]) {
        if (phone.national10 === '') continue;
        const list = byNational10.get(phone.national10);
        if (list) list.push(entry);
        else byNational10.set(phone.national10, [entry]);
      }
    }
  }
  return { file, fingerprint, table, resolved, mappingProblem, rows, byKey, byNational10 };
}

function emptyPage(cursor: string): MisChangesPage {
  return { cards: [], deletions: [], merges: [], origins: [], nextCursor: cursor, hasMore: false, total: 0 };
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
