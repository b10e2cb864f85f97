import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../../db/open-database';

/** One write the demo MIS received, as its ledger keeps it. */
export interface LedgerEntry {
  idempotencyKey: string;
  localId: string;
  kind: string;
  firstReceivedAt: number;
  /** How many times this key was submitted (1 = never retried). */
  receipts: number;
}

/** What the ledger proves about a set of local changes. */
export interface LedgerReport {
  /** Expected local ids applied at least once. */
  delivered: number;
  /** Expected local ids never applied. */
  lost: string[];
  /** Local ids applied under more than one idempotency key: the real exactly-once violation. */
  duplicated: string[];
  /** Submits beyond the first, absorbed as `duplicate` (retries that were safe). */
  duplicateReceipts: number;
}

/** Delivered / lost / duplicated over the expected local ids, from every key received (of one ledger or several). */
export function ledgerReport(received: Iterable<{ localId: string; receipts: number }>, expectedLocalIds: Iterable<string>): LedgerReport {
  const keysPerLocal = new Map<string, number>();
  let duplicateReceipts = 0;
  for (const row of received) {
    keysPerLocal.set(row.localId, (keysPerLocal.get(row.localId) ?? 0) + 1);
    duplicateReceipts += row.receipts - 1;
  }
  let delivered = 0;
  const lost: string[] = [];
  for (const id of new Set(expectedLocalIds)) {
    if (keysPerLocal.has(id)) delivered += 1;
    else lost.push(id);
  }
  const duplicated = [...keysPerLocal].filter(([, keys]) => keys > 1).map(([id]) => id);
  return { delivered, lost, duplicated, duplicateReceipts };
}

/**
 * The demo MIS's own database: every write it received, keyed by idempotency key. It is a
 * plain (unencrypted) SQLite file because it stands in for the MIS's server, not the desk; it
 * uses `synchronous=FULL` so a write the MIS acknowledged survives the desk being SIGKILLed,
 * which is what the exactly-once tests count on.
 */
export class DemoLedger {
  private readonly db: Db;
  private readonly insert;
  private readonly bump;
  private readonly byKey;
  private readonly addHistory;
  private readonly appendChangeStatement;

  /** @param path a file, or `:memory:` for a ledger that lives as long as this object. */
  constructor(path: string) {
    this.db = new Database(path);
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ledger (
        idempotency_key   TEXT    PRIMARY KEY,
        local_id          TEXT    NOT NULL,
        kind              TEXT    NOT NULL,
        first_received_at INTEGER NOT NULL,
        receipts          INTEGER NOT NULL DEFAULT 1
      ) STRICT;
      CREATE INDEX IF NOT EXISTS ledger_local_id ON ledger (local_id);
      CREATE TABLE IF NOT EXISTS history (
        id      INTEGER PRIMARY KEY,
        mis_id  TEXT    NOT NULL,
        at      INTEGER NOT NULL,
        call_id TEXT,
        text    TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS history_mis_id ON history (mis_id, id);
      -- The clinic's change log (what it changed after it was created), so a restarted demo
      -- clinic is the same clinic: a desk's cursor into it stays valid, as with a real MIS.
      CREATE TABLE IF NOT EXISTS changes (
        seq    INTEGER PRIMARY KEY,
        entry  TEXT    NOT NULL
      ) STRICT;
      -- Which clinic (seed, size) the log belongs to.
      CREATE TABLE IF NOT EXISTS clinic (
        key    TEXT    PRIMARY KEY,
        value  TEXT    NOT NULL
      ) STRICT;
    `);
    this.appendChangeStatement = this.db.prepare<[string]>('INSERT INTO changes (entry) VALUES (?)');
    this.addHistory = this.db.prepare<[string, number, string | null, string]>('INSERT INTO history (mis_id, at, call_id, text) VALUES (?, ?, ?, ?)');
    this.insert = this.db.prepare<[string, string, string, number]>(
      'INSERT INTO ledger (idempotency_key, local_id, kind, first_received_at) VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING',
    );
    this.bump = this.db.prepare<[string]>('UPDATE ledger SET receipts = receipts + 1 WHERE idempotency_key = ?');
    this.byKey = this.db.prepare<[string], { idempotency_key: string; local_id: string; kind: string; first_received_at: number; receipts: number }>(
      'SELECT * FROM ledger WHERE idempotency_key = ?',
    );
  }

  /**
   * Records a receipt. Returns `applied` the first time a key is seen (committed before this
   * returns), `duplicate` afterwards (and counts the receipt).
   */
  receive(idempotencyKey: string, localId: string, kind: string, at: number, apply?: () => void): 'applied' | 'duplicate' {
    return this.db.transaction(() => {
      const inserted = this.insert.run(idempotencyKey, localId, kind, at).changes === 1;
      if (inserted) {
        apply?.();
        return 'applied' as const;
      }
      this.bump.run(idempotencyKey);
      return 'duplicate' as const;
    }).immediate();
  }

  /** The entry for a key, or `null`. */
  entry(idempotencyKey: string): LedgerEntry | null {
    const row = this.byKey.get(idempotencyKey);
    if (!row) return null;
    return { idempotencyKey: row.idempotency_key, localId: row.local_id, kind: row.kind, firstReceivedAt: row.first_received_at, receipts: row.receipts };
  }

  /** Every entry, oldest first, optionally of one kind. */
  entries(kind?: string): LedgerEntry[] {
    const rows = this.db
      .prepare<[string | null, string | null], { idempotency_key: string; local_id: string; kind: string; first_received_at: number; receipts: number }>(
        'SELECT * FROM ledger WHERE ? IS NULL OR kind = ? ORDER BY first_received_at, rowid',
      )
      .all(kind ?? null, kind ?? null);
    return rows.map((row) => ({ idempotencyKey: row.idempotency_key, localId: row.local_id, kind: row.kind, firstReceivedAt: row.first_received_at, receipts: row.receipts }));
  }

  /** Appends a line to a patient's history (inside {@link receive}'s transaction). */
  appendHistory(misId: string, at: number, callId: string | null, text: string): void {
    this.addHistory.run(misId, at, callId, text);
  }

  /** A patient's history lines, oldest first. */
  history(misId: string): { at: number; callId: string | null; text: string }[] {
    return this.db
      .prepare<[string], { at: number; call_id: string | null; text: string }>('SELECT at, call_id, text FROM history WHERE mis_id = ? ORDER BY id')
      .all(misId)
      .map((row) => ({ at: row.at, callId: row.call_id, text: row.text }));
  }

  /** Delivered / lost / duplicated counts over the local ids the desk meant to send. */
  report(expectedLocalIds: Iterable<string>): LedgerReport {
    return ledgerReport(this.receipts(), expectedLocalIds);
  }

  /** Every key's local id and receipt count (what a report is made of). */
  receipts(): { localId: string; receipts: number }[] {
    return this.db
      .prepare<[], { local_id: string; receipts: number }>('SELECT local_id, receipts FROM ledger')
      .all()
      .map((row) => ({ localId: row.local_id, receipts: row.receipts }));
  }

  /**
   * The change log kept for the clinic `clinicId` (seed and size), oldest first; a log of
   * another clinic (the desk was started with another `--demo-patients`) is dropped, since its
   * entries describe patients this clinic does not have.
   */
  loadChanges(clinicId: string): unknown[] {
    return this.db.transaction(() => {
      const stored = this.db.prepare<[], string>("SELECT value FROM clinic WHERE key = 'id'").pluck().get();
      if (stored !== clinicId) {
        this.db.exec('DELETE FROM changes');
        this.db.prepare("INSERT INTO clinic (key, value) VALUES ('id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(clinicId);
        return [];
      }
      return this.db
        .prepare<[], string>('SELECT entry FROM changes ORDER BY seq')
        .pluck()
        .all()
        .map((entry) => JSON.parse(entry) as unknown);
    }).immediate();
  }

  /** Appends one entry to the change log (committed before this returns). */
  appendChange(entry: unknown): void {
    this.appendChangeStatement.run(JSON.stringify(entry));
  }

  /** Runs `fn` in one transaction (many changes at once commit together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
