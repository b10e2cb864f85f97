import { createHash, randomUUID } from 'node:crypto';
import type { CallDirection, CallOutcome, CallWrapUpInput, WrapUpOutcome } from '../../../src-shared/calls/calls-contract';
import { PATIENT_HISTORY_LIMIT, type PatientDraftInput, type PatientHistoryItem } from '../../../src-shared/patients/patients-contract';
import type { Db } from '../db/open-database';
import type { Outbox } from '../sync/outbox';

/** The idempotency key of a call's wrap-up: derived from the call id, so one call is one write to the MIS. */
export function wrapUpKey(callId: string): string {
  return `wrapup-${createHash('sha256').update(callId).digest('hex').slice(0, 40)}`;
}

export interface WrapUpsOptions {
  now?: () => number;
  newId?: () => string;
}

interface HistoryRow {
  at: number;
  kind: 'call' | 'note';
  call_id: string | null;
  text: string | null;
  direction: CallDirection | null;
  outcome: CallOutcome | null;
  category: string | null;
  wrap_up_outcome: WrapUpOutcome | null;
}

/**
 * Wrap-ups, callback requests and new-patient drafts in journal.db (migrations 0003–0006),
 * each written with its outbox item in one transaction. Notes and names are patient data:
 * they live only in the encrypted journal and are never logged.
 */
export class WrapUps {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    options: WrapUpsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.s = {
      insert: db.prepare<[string, string | null, string, string, string, number, number]>(
        `INSERT INTO wrap_ups (call_id, mis_id, category, outcome, note, acw_sec, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (call_id) DO NOTHING`,
      ),
      setOutbox: db.prepare<[number, string]>('UPDATE wrap_ups SET outbox_id = ? WHERE call_id = ?'),
      callNumber: db.prepare<[string], string>('SELECT number FROM calls WHERE id = ?').pluck(),
      callback: db.prepare<[string, string, string | null, number]>('INSERT INTO callback_requests (call_id, number, mis_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING'),
      callbacks: db.prepare<[], { call_id: string; number: string; mis_id: string | null; created_at: number; state: string }>(
        "SELECT call_id, number, mis_id, created_at, state FROM callback_requests WHERE state = 'open' ORDER BY created_at, id",
      ),
      draft: db.prepare(
        `INSERT INTO patient_drafts (id, call_id, phone, surname, given_name, patronymic, birth_date, note, created_at, outbox_id)
         VALUES (@id, @callId, @phone, @surname, @givenName, @patronymic, @birthDate, @note, @createdAt, @outboxId)`,
      ),
      // The patient's calls (through the wrap-up or the card shown for the call) and wrap-up
      // notes, newest first: index range reads by mis_id, then a sort of that patient's rows.
      history: db.prepare<{ misId: string; limit: number }, HistoryRow>(
        `SELECT at, kind, call_id, text, direction, outcome, category, wrap_up_outcome FROM (
           SELECT c.started_at AS at, 'call' AS kind, c.id AS call_id, NULL AS text, c.direction, c.outcome, w.category, w.outcome AS wrap_up_outcome
             FROM calls c LEFT JOIN wrap_ups w ON w.call_id = c.id
            WHERE c.id IN (SELECT call_id FROM wrap_ups WHERE mis_id = @misId UNION SELECT call_id FROM call_patients WHERE mis_id = @misId)
           UNION ALL
           SELECT saved_at AS at, 'note' AS kind, call_id, note AS text, NULL, NULL, category, NULL
             FROM wrap_ups WHERE mis_id = @misId AND note <> ''
         ) ORDER BY at DESC, kind DESC LIMIT @limit`,
      ),
    };
  }

  /**
   * Saves a call's wrap-up: the row, its outbox item (kind `wrapup`, key from the call id) and,
   * for outcome `callback`, an open callback request, in one transaction.
   *
   * @param fallbackNumber the caller's number when the call is not journalled (yet).
   * @returns saved false (and no outbox item) when the call already has a wrap-up.
   */
  save(input: CallWrapUpInput, fallbackNumber: string | null): { saved: boolean; outboxId: number | null } {
    return this.db.transaction(() => {
      const savedAt = this.now();
      const inserted = this.s.insert.run(input.callId, input.misId, input.category, input.outcome, input.note, input.acwSec, savedAt).changes === 1;
      if (!inserted) return { saved: false, outboxId: null };
      const item = this.outbox.enqueue(
        'wrapup',
        {
          localId: `wrapup:${input.callId}`,
          callId: input.callId,
          misId: input.misId,
          category: input.category,
          outcome: input.outcome,
          note: input.note,
          acwSec: input.acwSec,
          savedAt: new Date(savedAt).toISOString(),
        },
        { idempotencyKey: wrapUpKey(input.callId) },
      );
      this.s.setOutbox.run(item.id, input.callId);
      if (input.outcome === 'callback') {
        const number = this.s.callNumber.get(input.callId) ?? fallbackNumber ?? '';
        this.s.callback.run(input.callId, number, input.misId, savedAt);
      }
      return { saved: true, outboxId: item.id };
    }).immediate();
  }

  /** Open callback requests, oldest first (for the callbacks feature). */
  openCallbacks(): { callId: string; number: string; misId: string | null; createdAt: number; state: string }[] {
    return this.s.callbacks.all().map((row) => ({ callId: row.call_id, number: row.number, misId: row.mis_id, createdAt: row.created_at, state: row.state }));
  }

  /**
   * Stores a new-patient draft and queues it for the MIS (kind `new-patient`, the draft id as
   * `localId`) in one transaction.
   *
   * @param phoneE164 the caller's number, normalised.
   */
  createDraft(input: PatientDraftInput, phoneE164: string): { draftId: string; outboxId: number } {
    return this.db.transaction(() => {
      const draftId = this.newId();
      const createdAt = this.now();
      const item = this.outbox.enqueue('new-patient', {
        localId: draftId,
        callId: input.callId,
        phone: phoneE164,
        surname: input.surname,
        givenName: input.givenName,
        patronymic: input.patronymic || null,
        birthDate: input.birthDate ?? null,
        note: input.note || null,
        createdAt: new Date(createdAt).toISOString(),
      });
      this.s.draft.run({
        id: draftId,
        callId: input.callId,
        phone: phoneE164,
        surname: input.surname,
        givenName: input.givenName,
        patronymic: input.patronymic || null,
        birthDate: input.birthDate ?? null,
        note: input.note || null,
        createdAt,
        outboxId: item.id,
      });
      return { draftId, outboxId: item.id };
    }).immediate();
  }

  /** The patient's recent calls and wrap-up notes (local, even before the MIS has them), newest first. */
  history(misId: string, limit = PATIENT_HISTORY_LIMIT): PatientHistoryItem[] {
    return this.s.history.all({ misId, limit }).map((row): PatientHistoryItem => {
      const at = new Date(row.at).toISOString();
      if (row.kind === 'note') return { at, kind: 'note', callId: row.call_id, text: row.text ?? '' };
      // A call row always has its id, direction and outcome (calls' NOT NULL columns).
      return {
        at,
        kind: 'call',
        callId: row.call_id!,
        direction: row.direction!,
        outcome: row.outcome!,
        category: row.category,
        wrapUpOutcome: row.wrap_up_outcome,
      };
    });
  }
}
