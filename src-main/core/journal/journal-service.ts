import { join } from 'node:path';
import type { JournalStatus } from '../../../src-shared/journal/journal-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_AUDIT_RETENTION_YEARS } from '../../../src-shared/settings/settings-schema';
import { AuditLog, auditRetentionCutoff, type AuditInput } from '../audit/audit-log';
import type { DatabaseKeySource } from '../cache/database-key';
import { CallbackStore } from '../callbacks/callback-store';
import { CallJournal } from '../calls/call-journal';
import { WrapUps } from '../calls/wrap-ups';
import { DatabaseError } from '../db/database-error';
import type { Db } from '../db/open-database';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log/logger';
import { PopChoices } from '../screen-pop/pop-choices';
import type { Service } from '../services/service-registry';
import type { StatusService } from '../status/status-service';
import { Outbox } from '../sync/outbox';
import { JournalSummaryWriter } from './journal-summary';
import { KeptJournals, setJournalAside, type KeptJournalReason } from './kept-journals';
import { openJournalDatabase } from './open-journal';

/** Everything journal.db holds, as one object: all there, or (journal not open) none of it. */
export interface JournalStores {
  /** The connection, for a transaction spanning several stores. */
  readonly db: Db;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly calls: CallJournal;
  readonly wrapUps: WrapUps;
  readonly popChoices: PopChoices;
  readonly kept: KeptJournals;
  readonly callbacks: CallbackStore;
}

export interface JournalServiceOptions {
  dataDir: string;
  /** The run's database key, shared with cache.db. */
  keys: DatabaseKeySource;
  logger: Logger;
  status: StatusService;
  events: EventBus;
  now?: () => number;
  /** `settings.privacy.auditRetentionYears`, read at each purge (default 5). */
  auditRetentionYears?: () => number;
}

/**
 * Owns journal.db — what only this desk knows: the call journal, wrap-ups and drafts, the
 * outbox of writes to the MIS, the access audit log, the pop's choices. Opens it with the run's
 * key; when it cannot be read with that key (lost or replaced) or is damaged, keeps it under a
 * dated name (never deletes it), starts a fresh one and records what the kept file held (from
 * its counts-only summary). Any other failure leaves the desk without a journal, and says why.
 */
export class JournalService implements Service {
  readonly name = 'journal';
  private opened: JournalStores | null = null;
  private problem: string | null = null;
  private summary: JournalSummaryWriter | null = null;

  constructor(private readonly options: JournalServiceOptions) {}

  get path(): string {
    return join(this.options.dataDir, 'journal.db');
  }

  start(): void {
    const { logger, status } = this.options;
    let db: Db;
    let kept: { path: string; reason: KeptJournalReason; keptAt: number; summary: ReturnType<typeof setJournalAside>['summary'] } | null = null;
    try {
      const keyState = this.options.keys.load();
      try {
        db = openJournalDatabase({ path: this.path, key: keyState.key });
      } catch (error) {
        if (!(error instanceof DatabaseError) || (error.code !== 'WRONG_KEY_OR_NOT_A_DATABASE' && error.code !== 'CORRUPT')) throw error;
        const reason: KeptJournalReason = keyState.createdNow ? 'key-lost' : error.code === 'CORRUPT' ? 'damaged' : 'unreadable';
        const keptAt = this.now();
        kept = { ...setJournalAside(this.path, reason, keptAt), reason, keptAt };
        logger.warn('journal.kept-aside', {
          reason,
          code: error.code,
          keptAt: kept.path,
          undeliveredInKept: kept.summary?.undelivered ?? 'unknown',
          auditEntriesInKept: kept.summary?.auditEntries ?? 'unknown',
          countedAt: kept.summary?.countedAt ?? null,
        });
        db = openJournalDatabase({ path: this.path, key: keyState.key });
      }
    } catch (error) {
      logger.error('journal.unavailable', { error });
      this.problem = error instanceof DatabaseError || error instanceof Error ? error.message : 'The call journal (journal.db) could not be opened.';
      status.report('sync', 'error', 'journalUnavailable');
      return;
    }
    const outbox = new Outbox(db);
    this.opened = {
      db,
      audit: new AuditLog(db, { now: () => this.now() }),
      outbox,
      calls: new CallJournal(db),
      wrapUps: new WrapUps(db, outbox),
      popChoices: new PopChoices(db),
      kept: new KeptJournals(db, () => this.now()),
      callbacks: new CallbackStore(db),
    };
    if (kept) this.opened.kept.add(kept);
    this.summary = new JournalSummaryWriter(db, this.path, { now: () => this.now(), onError: (error) => logger.warn('journal.summary-failed', { error }) });
    this.summary.flush();
    const recovered = outbox.recoverInflight();
    if (recovered > 0) logger.info('outbox.recovered-inflight', { items: recovered });
  }

  stop(): void {
    this.summary?.flush();
    this.summary = null;
    // Its statements die with the connection: later requests get JOURNAL_UNAVAILABLE, not a crash.
    const db = this.opened?.db;
    this.opened = null;
    db?.close();
  }

  /** journal.db's stores while it is open, else null. */
  get stores(): JournalStores | null {
    return this.opened;
  }

  /**
   * The stores, or the reason there are none.
   *
   * @param what what cannot be done without them ("the wrap-up was not saved"), for the message.
   * @throws DeskError `JOURNAL_UNAVAILABLE`
   */
  require(what: string): JournalStores {
    if (!this.opened) throw new DeskError('JOURNAL_UNAVAILABLE', `The journal of this desk is not open (see the status bar); ${what}.`);
    return this.opened;
  }

  /**
   * Records an access to a card — who (`actor` id, and the signed-in person's `actorName` and
   * `role`), what, which card, which call or reason; a desk without its journal still works,
   * and says so in the log.
   */
  audit(input: AuditInput): void {
    if (!this.opened) {
      this.options.logger.warn('audit.unavailable', { action: input.action });
      return;
    }
    this.opened.audit.append(input);
    this.changed();
  }

  /**
   * Audit retention, run daily: removes the audit entries older than
   * `settings.privacy.auditRetentionYears` and moves the chain's anchor onto the last one
   * removed, in one transaction ({@link AuditLog.purgeOlderThan}). Logs `audit.purged` with the
   * count (nothing else) when it removed any; a purge that fails changes nothing, is logged as
   * `audit.purge-failed` and is tried again at the next run.
   *
   * @returns how many entries were removed (0 also without a journal, or when it failed).
   */
  purgeAuditLog(): number {
    if (!this.opened) return 0;
    const years = this.options.auditRetentionYears?.() ?? DEFAULT_AUDIT_RETENTION_YEARS;
    let removed: number;
    try {
      removed = this.opened.audit.purgeOlderThan(auditRetentionCutoff(this.now(), years));
    } catch (error) {
      this.options.logger.warn('audit.purge-failed', { error, retentionYears: years });
      return 0;
    }
    if (removed > 0) {
      this.options.logger.info('audit.purged', { removed, retentionYears: years, anchorSeq: this.opened.audit.anchor()?.seq ?? null });
      this.changed();
    }
    return removed;
  }

  /** Its counts moved (a write queued or delivered, a card audited): the summary follows within 2 s. */
  changed(): void {
    this.summary?.touch();
  }

  /** journal.db as the UI shows it: open or not, and the journals set aside before this one. */
  status(): JournalStatus {
    return {
      state: this.opened ? 'open' : 'unavailable',
      problem: this.opened ? null : (this.problem ?? 'The call journal (journal.db) is not open.'),
      kept: this.opened?.kept.list() ?? [],
    };
  }

  /** The notice about a kept journal was read. @throws DeskError `JOURNAL_UNAVAILABLE` without a journal. */
  acknowledgeKept(id: number): JournalStatus {
    if (this.require('the notice cannot be acknowledged').kept.acknowledge(id)) this.options.logger.info('journal.kept-acknowledged', { id });
    const view = this.status();
    this.options.events.emit('journal:changed', view);
    return view;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
