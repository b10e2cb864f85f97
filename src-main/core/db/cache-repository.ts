import { existsSync } from 'node:fs';
import { CacheFillSchema, type CacheFill } from '../../../src-shared/cache/cache-contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { nameSortKey } from '../../../src-shared/patients/name-folding';
import { normalizePhone, reversedDigits } from '../patients/phone-normalisation';
import { SCHEDULE_CURSOR_PREFIX } from '../schedule/schedule-streams';
import { INSERT_QUARANTINE_SQL, quarantineRowValues, type QuarantineEntry } from './cache-quarantine';
import { CACHE_PAGE_SIZE, installCacheSnapshot, removeDatabaseFiles, writeCacheSnapshot, type CacheSnapshotReport } from './cache-bulk-load';
import { patientRowValues, phoneRowValues, prepareCardWriter, type CardWriter } from './cache-rows';
import { PatientSearch, type PatientSearchOptions, type PatientSearchResult } from './cache-search';
import { readCard } from './card-codec';
import { classifyDatabaseError, DatabaseError, withDatabaseErrors } from './database-error';
import { CACHE_MIGRATIONS } from './migrations/cache';
import { LAST_USED_SQL } from './migrations/cache/0005-card-retention';
import { migrate } from './migrations/migrate';
import { openEncryptedDatabase, type DatabaseCipher, type Db } from './open-database';

export interface CacheRepositoryOptions {
  /** cache.db; created (and migrated) when missing. */
  path: string;
  key: Buffer;
  /**
   * SQLite page cache. Default 64 MB: at a million cards it keeps the hot pages of the phone and
   * FTS indexes resident (the OS's file cache holds the rest) while the desk process stays under
   * 400 MB. Measured on this class of machine: phone lookup p99 2.17 ms with SQLite's 2 MB default,
   * 0.28 ms with 256 MB; a fresh desk after its million-card first sync, 2,000 rings and 200
   * searches: pop p95 0.56 ms and RSS 378 MiB with 64 MB, RSS 441 MiB with 256 MB.
   */
  cacheSizeMb?: number;
  /** Candidate bound of {@link CacheRepository.search}; see SEARCH_CANDIDATE_LIMIT. */
  searchCandidateLimit?: number;
  cipher?: DatabaseCipher;
  now?: () => number;
  /**
   * Told when any query on this connection finds the file damaged (`CORRUPT`) or unreadable
   * (`WRONG_KEY_OR_NOT_A_DATABASE`), before the error reaches the caller. The owner of the
   * file decides what to do (set it aside and rebuild); this class never moves files itself.
   */
  onDamage?: (error: DatabaseError) => void;
}

/** What {@link CacheRepository.applyCards} did. */
export interface ApplyCardsResult {
  inserted: number;
  updated: number;
  /** Cards whose version was not newer than the cached one (replays, out-of-order pages). */
  skipped: number;
}

/** One page of changes from a MIS stream, applied atomically with its cursor. */
export interface CacheChanges {
  upserts: readonly PatientCard[];
  deletes: readonly string[];
  cursor?: { stream: string; cursor: string };
}

export interface BulkLoadOptions {
  /** The stream position the loaded cards correspond to; stored in the same file. */
  cursor?: { stream: string; cursor: string };
  onProgress?: (loaded: number) => void;
}

export { QUARANTINE_EXCERPT_LENGTH, type QuarantineEntry } from './cache-quarantine';
/** Cards returned for one phone at most (a switchboard number can be on hundreds of cards). */
export const BY_PHONE_LIMIT = 50;
/**
 * A card's "opened" time is rewritten at most this often: retention counts in days, and a card
 * reopened through a call is not worth a write each time.
 */
export const OPENED_RESOLUTION_MS = 60 * 60_000;
/** Pages of FTS output one {@link CacheRepository.scrubIndexStep} writes (4 KB each), roughly. */
export const FTS_MERGE_PAGES = 16;
/** `name_terms` rows one {@link CacheRepository.pruneNameTermsStep} checks. */
export const NAME_TERMS_STEP = 500;
/** `cache_meta` key counting removals whose text may still be in the FTS index's old segments. */
const REMOVALS_KEY = 'removals';

const KIND_RANK: Record<string, number> = { mobile: 0, home: 1, work: 2, relative: 3 };

interface ExistingRow {
  id: number;
  version: number;
  name_key: string;
}

/**
 * The patient cache: a rebuildable, encrypted replica of MIS cards with the lookups a screen
 * pop and the search box need. Other connections to the same file are fine (WAL) except
 * during {@link CacheRepository.bulkLoad}, which swaps the file and refuses to while another
 * connection holds it open.
 */
export class CacheRepository {
  private db: Db;
  private statements!: ReturnType<typeof prepareStatements>;
  private writer!: CardWriter;
  private searcher!: PatientSearch;
  /** Errors already passed to `onDamage` (a transaction's guard sees its inner query's error again). */
  private readonly damageReported = new WeakSet<DatabaseError>();

  private constructor(
    private readonly options: CacheRepositoryOptions,
    db: Db,
  ) {
    this.db = db;
    this.prepare();
  }

  /**
   * Opens (creating and migrating when needed) the cache at `options.path`.
   *
   * @throws DatabaseError wrong key, corrupt, newer schema, read-only or missing folder.
   */
  static open(options: CacheRepositoryOptions): CacheRepository {
    const db = openCache(options);
    return new CacheRepository(options, db);
  }

  /** The connection, for diagnostics and query-plan tests; do not write through it. */
  get connection(): Db {
    return this.db;
  }

  /**
   * Inserts or updates cards. Idempotent by (misId, version): a card whose version is not
   * newer than the cached one is skipped, so replays and out-of-order pages never roll a card back.
   */
  applyCards(cards: readonly PatientCard[]): ApplyCardsResult {
    return this.transaction(() => this.applyCardsInTransaction(cards));
  }

  /**
   * Removes cards — deleted or merged away in the MIS, or purged for retention: the one way a
   * card leaves the cache. In one transaction: its key row, card, phones (with their suffix keys),
   * FTS entry and the quarantine rows about it go, with `secure_delete` zeroing what they held;
   * `name_terms` and the FTS index's older segments still hold its words until the next
   * {@link scrubIndexStep} pass, which the file records as owed ({@link removalsPending}).
   * Returns how many were cached.
   */
  deleteCards(misIds: readonly string[]): number {
    return this.transaction(() => this.removeInTransaction(misIds));
  }

  /**
   * Removes at most `limit` cards neither synced nor opened since `cutoff` (epoch ms), through
   * {@link deleteCards}'s path, in one transaction; returns their MIS ids (fewer than `limit`:
   * none are left). An index search on "last used", never a scan.
   */
  removeUnusedSince(cutoff: number, limit: number): string[] {
    return this.transaction(() => {
      const misIds = this.statements.unusedSince.all(cutoff, limit);
      this.removeInTransaction(misIds);
      return misIds;
    });
  }

  /**
   * The desk showed this card at `at` (epoch ms): it stays cached for the retention period from
   * then. Written at most once per {@link OPENED_RESOLUTION_MS}; an uncached id changes nothing.
   */
  markOpened(misId: string, at: number): void {
    this.guard(() => this.statements.markOpened.run(at, misId, at - OPENED_RESOLUTION_MS));
  }

  /** When the MIS last delivered this card and when the desk last showed it (epoch ms; `openedAt` null: never), or null. */
  cardUse(misId: string): { syncedAt: number; openedAt: number | null } | null {
    return this.guard(() => this.statements.cardUse.get(misId)) ?? null;
  }

  /** Removes at most `limit` quarantine rows written before `cutoff` (epoch ms); returns how many. */
  ageOutQuarantine(cutoff: number, limit: number): number {
    return this.guard(() => this.statements.ageOutQuarantine.run(cutoff, limit).changes);
  }

  /**
   * Non-zero while cards removed from this file (by any connection) may still have words in the
   * FTS index's older segments and in `name_terms`: a counter, passed back to {@link clearRemovalsPending}.
   */
  removalsPending(): number {
    const value = this.guard(() => this.statements.getMeta.get(REMOVALS_KEY));
    return value === undefined ? 0 : Number(value) || 0;
  }

  /** The scrub that began at `seen` ({@link removalsPending}) is done, unless more cards were removed since. */
  clearRemovalsPending(seen: number): void {
    this.guard(() => this.statements.clearRemovals.run(REMOVALS_KEY, String(seen)));
  }

  /**
   * One bounded step of rewriting the FTS index into one segment, which drops the entries of
   * removed rows (FTS5 only marks them deleted until their segment is merged; with
   * `secure_delete` the old segments' pages are zeroed as they are freed). `start` begins the
   * full merge (`'merge'` with a negative page count), later steps continue it. Each step
   * writes about {@link FTS_MERGE_PAGES} pages (one term's entries at least). Returns true while
   * work remains.
   */
  scrubIndexStep(start: boolean): boolean {
    return this.guard(() => {
      const before = this.statements.totalChanges.get() ?? 0;
      (start ? this.statements.ftsMergeStart : this.statements.ftsMerge).run();
      // The documented test for "no more work": a step that wrote (almost) nothing.
      return (this.statements.totalChanges.get() ?? 0) - before >= 2;
    });
  }

  /**
   * One step of dropping from `name_terms` the words no cached name has any more (a removed or
   * renamed card's), checked against the FTS vocabulary: run it after {@link scrubIndexStep}
   * has finished, when the vocabulary is exact. Checks the {@link NAME_TERMS_STEP} terms after
   * `after` (null: from the first); returns where to go on, or null when done.
   */
  pruneNameTermsStep(after: string | null): string | null {
    return this.transaction(() => {
      const s = this.statements;
      const terms = after === null ? s.termsFirst.all(NAME_TERMS_STEP) : s.termsAfter.all(after, NAME_TERMS_STEP);
      if (terms.length === 0) return null;
      const last = terms[terms.length - 1]!;
      const indexed = new Set(s.vocabularyRange.all(terms[0]!, last));
      for (const term of terms) if (!indexed.has(term)) s.deleteTerm.run(term);
      return terms.length < NAME_TERMS_STEP ? null : last;
    });
  }

  /**
   * Copies the WAL into the file and truncates it to nothing (`wal_checkpoint(TRUNCATE)`), so
   * neither keeps old page images of removed cards. Never waits: when another connection is
   * reading (the background integrity check) it answers false and changes nothing; try again later.
   */
  checkpointTruncate(): boolean {
    return this.guard(() => {
      const timeout = Number(this.db.pragma('busy_timeout', { simple: true }));
      this.db.pragma('busy_timeout = 0');
      try {
        const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
        return result !== undefined && result.busy === 0;
      } finally {
        this.db.pragma(`busy_timeout = ${timeout}`);
      }
    });
  }

  /**
   * Applies one page of a MIS stream and its new cursor in a single transaction, so a crash
   * never leaves the cursor ahead of the data (docs/architecture.md, "Sync and outbox").
   */
  applyChanges(changes: CacheChanges): ApplyCardsResult & { deleted: number } {
    return this.transaction(() => {
      const applied = this.applyCardsInTransaction(changes.upserts);
      const deleted = this.removeInTransaction(changes.deletes);
      if (changes.cursor) this.setCursor(changes.cursor.stream, changes.cursor.cursor);
      return { ...applied, deleted };
    });
  }

  /**
   * Replaces the whole cache with `cards` (first sync, rebuild after corruption): builds a new
   * file beside this one on the fast path, then closes this connection, swaps the file in with
   * one rename and reopens. Screen pops keep working on the old file until the swap.
   */
  bulkLoad(cards: Iterable<PatientCard>, options: BulkLoadOptions = {}): CacheSnapshotReport {
    const snapshotPath = `${this.options.path}.loading`;
    const report = writeCacheSnapshot({
      path: snapshotPath,
      key: this.options.key,
      cards,
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(this.options.cipher ? { cipher: this.options.cipher } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
    });
    this.db.close();
    try {
      installCacheSnapshot(snapshotPath, this.options.path);
    } finally {
      // Reopen whichever file is now live (the new one, or the old one if the swap failed).
      this.db = openCache(this.options);
      this.prepare();
      if (existsSync(snapshotPath)) removeDatabaseFiles(snapshotPath);
    }
    return report;
  }

  /**
   * Cards carrying this phone, for the screen pop: normalised, then one lookup of its reversed digits.
   * Own numbers rank before a relative's, then alphabetically. Empty when the number is not
   * a valid phone or not cached.
   */
  byPhone(raw: string): PatientCard[] {
    const phone = normalizePhone(raw);
    if (!phone) return [];
    return this.byE164(phone.e164);
  }

  /** {@link byPhone} for a number already normalised to E.164 (the screen pop normalises once). */
  byE164(e164: string): PatientCard[] {
    // An E.164 number is `+` and its digits: its reversed digits name it exactly (migration 0006).
    const rows = this.guard(() => this.statements.byPhone.all(reversedDigits(e164), BY_PHONE_LIMIT));
    if (rows.length === 1) return [readCard(rows[0]!.card)];
    // A shared number (family, switchboard): own numbers first, then alphabetically.
    return rows
      .map((row) => {
        const card = readCard(row.card);
        return { card, rank: KIND_RANK[row.kind] ?? 9, key: nameSortKey(card) };
      })
      .sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((entry) => entry.card);
  }

  /** Searches by phone, policy, СНИЛС, birth date and name words; see `search-query.ts` for the grammar. */
  search(query: string, options: PatientSearchOptions = {}): PatientSearchResult {
    return this.guard(() => this.searcher.run(query, options));
  }

  /** The cached card, or `null`. */
  getCard(misId: string): PatientCard | null {
    const json = this.guard(() => this.statements.cardByMisId.get(misId));
    return json === undefined ? null : readCard(json);
  }

  /** Number of cached cards. */
  count(): number {
    return this.guard(() => this.statements.count.get() ?? 0);
  }

  /** When a patients stream last committed a page (epoch ms), or `null` before the first sync; the schedule streams keep their own. */
  lastSyncedAt(): number | null {
    const at = this.guard(() => this.statements.lastSyncedAt.get());
    return typeof at === 'number' ? at : null;
  }

  /**
   * Runs the screen pop's queries once, so the first caller of a session does not pay for
   * reading the phone index's upper pages from the encrypted file and decoding a first card:
   * with a number the cache holds (any one; the cards are returned to warm the caller's own
   * checks, never shown or logged), or with one no card can have when the cache is empty.
   */
  warmScreenPop(): PatientCard[] {
    this.lastSyncedAt();
    return this.byE164(this.anyPhone() ?? NO_CARD_E164);
  }

  /** Some number the cache holds (E.164), or `null` when it is empty: for warm-ups only. */
  anyPhone(): string | null {
    return this.guard(() => this.statements.anyPhone.get()) ?? null;
  }

  /** The stored position of a sync stream, or `null` before its first sync. */
  getCursor(stream: string): string | null {
    return this.guard(() => this.statements.getCursor.get(stream)) ?? null;
  }

  /** Stores a stream position; call inside {@link transaction} together with the data it covers. */
  setCursor(stream: string, cursor: string): void {
    this.guard(() => this.statements.setCursor.run(stream, cursor, this.now()));
  }

  /** Keeps a record that could not be applied, for support; never throws for a long payload. */
  quarantine(entry: QuarantineEntry): void {
    this.guard(() => this.statements.quarantine.run(...quarantineRowValues(entry, this.now())));
  }

  /** The newest quarantined records (stream, reason, when) and how many there are; never their payloads. */
  quarantined(limit: number): { total: number; items: { stream: string; reason: string; at: number }[] } {
    return this.guard(() => ({
      total: this.statements.quarantineCount.get() ?? 0,
      items: this.statements.quarantineNewest.all(limit),
    }));
  }

  /** How this file was (or is being) filled; `null` for a file from before migration 2, or one no fill was recorded in. */
  fill(): CacheFill | null {
    const json = this.guard(() => this.statements.getMeta.get('fill'));
    if (json === undefined) return null;
    try {
      const parsed = CacheFillSchema.safeParse(JSON.parse(json));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Records how this file is being filled (see {@link fill}). */
  setFill(fill: CacheFill): void {
    const json = JSON.stringify(CacheFillSchema.parse(fill));
    this.guard(() => this.statements.setMeta.run('fill', json));
  }

  /** Which MIS this file's cards came from (`fhir-r4 https://fhir.clinic/r4`), or null for a file that never recorded one. */
  misIdentity(): string | null {
    return this.guard(() => this.statements.getMeta.get('mis')) ?? null;
  }

  /** Records which MIS this file's cards come from (see {@link misIdentity}). */
  setMisIdentity(identity: string): void {
    this.guard(() => this.statements.setMeta.run('mis', identity));
  }

  /**
   * The `cache_meta` rows a bulk-loaded file carries from birth (the fill record and the MIS
   * identity, as {@link setFill} and {@link setMisIdentity} write them): the snapshot is complete
   * and self-describing the moment it is renamed into place.
   */
  static snapshotMeta(fill: CacheFill, misIdentity: string | null): Record<string, string> {
    return { fill: JSON.stringify(CacheFillSchema.parse(fill)), ...(misIdentity === null ? {} : { mis: misIdentity }) };
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn)());
  }

  /** Closes the connection. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs one query, turning file-level SQLite failures into `DatabaseError`s; a damaged or
   * unreadable file is reported to `onDamage` first (once per error, never from a nested guard).
   */
  private guard<T>(fn: () => T): T {
    try {
      return withDatabaseErrors('cache', fn);
    } catch (error) {
      const classified = error instanceof DatabaseError ? error : classifyDatabaseError(error, 'cache');
      if (classified && (classified.code === 'CORRUPT' || classified.code === 'WRONG_KEY_OR_NOT_A_DATABASE') && !this.damageReported.has(classified)) {
        this.damageReported.add(classified);
        this.options.onDamage?.(classified);
      }
      throw error;
    }
  }

  private applyCardsInTransaction(cards: readonly PatientCard[]): ApplyCardsResult {
    const result: ApplyCardsResult = { inserted: 0, updated: 0, skipped: 0 };
    const s = this.statements;
    // Every card delivered counts as synced now, a replayed or older copy too: the MIS still has it.
    const syncedAt = this.now();
    for (const card of cards) {
      const existing = s.existing.get(card.misId);
      if (existing && existing.version >= card.version) {
        s.touchSynced.run(syncedAt, existing.id);
        result.skipped += 1;
        continue;
      }
      const values = patientRowValues(card);
      let id: number;
      if (existing) {
        id = existing.id;
        const [, version, nameKey, birthDate, omsPolicy, snils, json] = values;
        s.updatePatient.run(version, nameKey, birthDate, omsPolicy, snils, syncedAt, id);
        s.updateCard.run(json, id);
        s.deletePhones.run(id);
        if (existing.name_key !== values[2]) {
          s.deleteFts.run(id);
          s.insertFts.run(id, values[2]);
          this.writer.insertTerms(values[2]);
        }
        result.updated += 1;
      } else {
        id = this.writer.insertPatient(values, syncedAt);
        s.insertFts.run(id, values[2]);
        this.writer.insertTerms(values[2]);
        result.inserted += 1;
      }
      this.writer.insertPhones(id, phoneRowValues(card));
    }
    return result;
  }

  /** {@link deleteCards} inside the caller's transaction. */
  private removeInTransaction(misIds: readonly string[]): number {
    const s = this.statements;
    let deleted = 0;
    for (const misId of misIds) {
      s.deleteQuarantined.run(misId);
      const existing = s.existing.get(misId);
      if (!existing) continue;
      s.deletePhones.run(existing.id);
      s.deleteFts.run(existing.id);
      s.deleteCard.run(existing.id);
      s.deletePatient.run(existing.id);
      deleted += 1;
    }
    if (deleted > 0) s.countRemovals.run(REMOVALS_KEY);
    return deleted;
  }

  private prepare(): void {
    this.statements = prepareStatements(this.db);
    this.writer = prepareCardWriter(this.db);
    this.searcher = new PatientSearch(this.db, this.options.searchCandidateLimit);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function openCache(options: CacheRepositoryOptions): Db {
  const db = openEncryptedDatabase({
    path: options.path,
    key: options.key,
    dbName: 'cache',
    durability: 'normal',
    cacheSizeMb: options.cacheSizeMb ?? 64,
    pageSize: CACHE_PAGE_SIZE,
    // A removed card's text leaves the file, not just the index (retention, MIS deletions).
    secureDelete: true,
    ...(options.cipher ? { cipher: options.cipher } : {}),
  });
  try {
    migrate(db, CACHE_MIGRATIONS, 'cache');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Not E.164 (too short), so never stored: a lookup of it reads the index and finds nothing. */
const NO_CARD_E164 = '+0';

function prepareStatements(db: Db) {
  // The FTS vocabulary (one row per indexed word) for pruning `name_terms`; a per-connection temp table.
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.patients_fts_terms USING fts5vocab(main, patients_fts, 'row')");
  return {
    existing: db.prepare<[string], ExistingRow>('SELECT id, version, name_key FROM patients WHERE mis_id = ?'),
    updatePatient: db.prepare<[number, string, string, string | null, string | null, number, number]>(
      'UPDATE patients SET version = ?, name_key = ?, birth_date = ?, oms_policy = ?, snils = ?, synced_at = ? WHERE id = ?',
    ),
    touchSynced: db.prepare<[number, number]>('UPDATE patients SET synced_at = ? WHERE id = ?'),
    markOpened: db.prepare<[number, string, number]>('UPDATE patients SET opened_at = ? WHERE mis_id = ? AND (opened_at IS NULL OR opened_at < ?)'),
    cardUse: db.prepare<[string], { syncedAt: number; openedAt: number | null }>('SELECT synced_at AS syncedAt, opened_at AS openedAt FROM patients WHERE mis_id = ?'),
    // The purge: an index search on the "last used" expression (pinned by an EXPLAIN QUERY PLAN test).
    unusedSince: db.prepare<[number, number], string>(`SELECT mis_id FROM patients WHERE ${LAST_USED_SQL} < ? LIMIT ?`).pluck(),
    deleteQuarantined: db.prepare<[string]>(`DELETE FROM quarantine WHERE record_id = ? AND stream NOT LIKE '${SCHEDULE_CURSOR_PREFIX}%'`),
    ageOutQuarantine: db.prepare<[number, number]>('DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE at < ? LIMIT ?)'),
    countRemovals: db.prepare<[string]>(
      "INSERT INTO cache_meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
    ),
    clearRemovals: db.prepare<[string, string]>('DELETE FROM cache_meta WHERE key = ? AND value = ?'),
    totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
    ftsMergeStart: db.prepare(`INSERT INTO patients_fts (patients_fts, rank) VALUES ('merge', ${-FTS_MERGE_PAGES})`),
    ftsMerge: db.prepare(`INSERT INTO patients_fts (patients_fts, rank) VALUES ('merge', ${FTS_MERGE_PAGES})`),
    termsFirst: db.prepare<[number], string>('SELECT term FROM name_terms ORDER BY term LIMIT ?').pluck(),
    termsAfter: db.prepare<[string, number], string>('SELECT term FROM name_terms WHERE term > ? ORDER BY term LIMIT ?').pluck(),
    vocabularyRange: db.prepare<[string, string], string>('SELECT term FROM temp.patients_fts_terms WHERE term >= ? AND term <= ?').pluck(),
    deleteTerm: db.prepare<[string]>('DELETE FROM name_terms WHERE term = ?'),
    updateCard: db.prepare<[string, number]>('UPDATE patient_cards SET card = ? WHERE patient_id = ?'),
    deletePatient: db.prepare<[number]>('DELETE FROM patients WHERE id = ?'),
    deleteCard: db.prepare<[number]>('DELETE FROM patient_cards WHERE patient_id = ?'),
    deletePhones: db.prepare<[number]>('DELETE FROM patient_phones WHERE patient_id = ?'),
    insertFts: db.prepare<[number, string]>('INSERT INTO patients_fts (rowid, name_key) VALUES (?, ?)'),
    deleteFts: db.prepare<[number]>('DELETE FROM patients_fts WHERE rowid = ?'),
    byPhone: db.prepare<[string, number], { card: string; kind: string }>(
      'SELECT c.card, ph.kind FROM patient_phones ph JOIN patient_cards c ON c.patient_id = ph.patient_id WHERE ph.reversed_digits = ? LIMIT ?',
    ),
    cardByMisId: db.prepare<[string], string>('SELECT c.card FROM patients p JOIN patient_cards c ON c.patient_id = p.id WHERE p.mis_id = ?').pluck(),
    count: db.prepare<[], number>('SELECT count(*) FROM patients').pluck(),
    getCursor: db.prepare<[string], string>('SELECT cursor FROM sync_cursors WHERE stream = ?').pluck(),
    // The patient cards' "data as of": the schedule's streams (`schedule.*`) have their own.
    lastSyncedAt: db.prepare<[], number | null>("SELECT max(updated_at) FROM sync_cursors WHERE stream NOT LIKE 'schedule.%'").pluck(),
    anyPhone: db.prepare<[], string>('SELECT e164 FROM patient_phones LIMIT 1').pluck(),
    setCursor: db.prepare<[string, string, number]>(
      'INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at',
    ),
    getMeta: db.prepare<[string], string>('SELECT value FROM cache_meta WHERE key = ?').pluck(),
    setMeta: db.prepare<[string, string]>('INSERT INTO cache_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    quarantine: db.prepare<ReturnType<typeof quarantineRowValues>>(INSERT_QUARANTINE_SQL),
    quarantineCount: db.prepare<[], number>('SELECT count(*) FROM quarantine').pluck(),
    quarantineNewest: db.prepare<[number], { stream: string; reason: string; at: number }>('SELECT stream, reason, at FROM quarantine ORDER BY id DESC LIMIT ?'),
  };
}
