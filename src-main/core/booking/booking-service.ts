import { randomUUID } from 'node:crypto';
import type { Alternatives, FreeSlot, FreeSlots, FreeSlotsQuery, ScheduleCatalog, Visit } from '../../../src-shared/booking/booking-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Appointment, PatientCard } from '../../../src-shared/patients/patient-card';
import { addDays, clinicInstant } from '../../../src-shared/schedule/clinic-time';
import type { ServiceKind, Slot } from '../../../src-shared/schedule/schedule-model';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import type { Clock } from '../../../src-shared/time/clock';
import type { MisError, MisSubmitResult } from '../connectors/mis/mis-connector';
import {
  BookingCancelPayloadSchema,
  BookingCreatePayloadSchema,
  BookingMovePayloadSchema,
  MIS_WRITE_KINDS,
} from '../connectors/mis/mis-writes';
import type { Db } from '../db/open-database';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log/logger';
import type { ScheduleReader } from '../schedule/schedule-reader';
import type { Outbox, OutboxItem } from '../sync/outbox';
import type { OutboxSettleHandler } from '../sync/outbox-settle';
import { BookingStore, type BookingRow } from './booking-store';
import { mergeVisits, type VisitNames } from './visit-merge';

const DAY_MS = 86_400_000;
/** Alternatives offered per group (same doctor, same specialty). */
const ALTERNATIVES_PER_GROUP = 10;
/** MIS appointments remembered from listed visits, so `mis:<id>` can be moved or cancelled by id alone. */
const REMEMBERED_APPOINTMENTS = 5_000;
/**
 * How long a booking the MIS confirmed still holds its slot on this desk: the cached schedule
 * learns of it only with a later sync page (seconds with the demo, longer during a first sync or
 * with a slow MIS), and until then it still says free. After that the cache decides.
 */
export const CONFIRMED_HOLD_MS = 15 * 60_000;
/** The contract's caps on the catalog. */
const CATALOG_MAX = { branches: 200, doctors: 5_000, services: 5_000, specialties: 500 } as const;

/** journal.db as the booking needs it (`JournalService` is one). */
export interface BookingJournal {
  readonly stores: { readonly db: Db; readonly outbox: Outbox } | null;
  /** @throws DeskError `JOURNAL_UNAVAILABLE` */
  require(what: string): { readonly db: Db; readonly outbox: Outbox };
}

/** cache.db as the booking needs it (`PatientCacheService` is one): cards and the cached schedule. */
export interface BookingCache {
  getCard(misId: string): PatientCard | null;
  /** The cached schedule; null (or a throw) while cache.db is not open. */
  readonly schedule: ScheduleReader | null;
}

/** The MIS link as the booking needs it (`MisLinkService` is one). */
export interface BookingLink {
  wakeOutbox(): void;
  onSettled(kindPrefix: string, handler: OutboxSettleHandler): () => void;
}

export interface BookingServiceOptions {
  journal: BookingJournal;
  cache: BookingCache;
  link: BookingLink;
  events: Pick<EventBus, 'emit'>;
  settings: () => Settings;
  logger: Logger;
  clock?: Pick<Clock, 'now'>;
  /** Local ids; `crypto.randomUUID` unless a test pins them. */
  newId?: () => string;
  /** {@link CONFIRMED_HOLD_MS} unless a test changes it. */
  confirmedHoldMs?: number;
  /**
   * The MIS refused a booking or move of this desk for good (slot taken, …): the patient must be
   * called back with another time. Called after the refusal is committed (the core raises a task
   * on the callback worklist); a throw here is logged, never undoes the refusal.
   */
  onRejected?: (rejected: { patientMisId: string; localId: string; at: number }) => void;
}

export interface CreateBookingInput {
  patientMisId: string;
  slotId: string;
  serviceId: string;
  callId?: string | null;
}

export interface MoveBookingInput {
  visitId: string;
  slotId: string;
  callId?: string | null;
  /** The patient whose card lists the visit, when the caller knows it. */
  patientMisId?: string;
}

export interface CancelBookingInput {
  visitId: string;
  callId?: string | null;
  /**
   * For callers that know the visit from elsewhere (the outbound lists know a booked slot's
   * patient and slot): lets `mis:<appointment id>` be found without listing the patient's visits first.
   */
  patientMisId?: string;
  slotId?: string;
}

/** What a move or cancel changes, resolved from a visit id. */
interface Target {
  patientMisId: string;
  localId: string | null;
  appointmentId: string | null;
  slotId: string | null;
  doctorId: string | null;
  serviceId: string | null;
  serviceKind: ServiceKind | null;
  startsAt: string | null;
}

type CachedSlot = Omit<Slot, 'version'>;

/**
 * Book, move and cancel visits exactly once through the outbox (docs/architecture.md,
 * "Booking"; invariants in this folder's README). Every change is a `bookings` row and its
 * outbox item, committed together; the MIS's answer comes back through the outbox's settle hook
 * (`booking.*`) in the transaction that marks the item; a patient's visits merge the cached card
 * with these rows.
 */
export class BookingService {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly confirmedHoldMs: number;
  private cachedStore: BookingStore | null = null;
  private readonly appointmentPatients = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: BookingServiceOptions) {
    this.now = options.clock ? () => options.clock!.now() : Date.now;
    this.newId = options.newId ?? randomUUID;
    this.confirmedHoldMs = options.confirmedHoldMs ?? CONFIRMED_HOLD_MS;
    // Subscribed at once: the sender may settle items recovered at start before anything else runs.
    this.unsubscribe = options.link.onSettled('booking.', {
      delivered: (item, result) => this.onDelivered(item, result),
      failed: (item, error) => this.onFailed(item, error),
    });
  }

  /** Stops listening to the outbox. */
  dispose(): void {
    this.unsubscribe();
  }

  // ---- the cached schedule ---------------------------------------------------------------

  /** Branches, doctors, services and specialties of the cached schedule. @throws DeskError `SCHEDULE_UNAVAILABLE` */
  catalog(): ScheduleCatalog {
    const reader = this.reader();
    const settings = this.options.settings();
    const doctors = reader.doctors();
    const collator = new Intl.Collator('ru');
    const specialties = [...new Set(doctors.map((d) => d.specialty))].sort(collator.compare);
    return {
      branches: reader.branches().slice(0, CATALOG_MAX.branches),
      doctors: doctors.slice(0, CATALOG_MAX.doctors),
      services: reader.services().slice(0, CATALOG_MAX.services),
      specialties: specialties.slice(0, CATALOG_MAX.specialties),
      dataAsOf: reader.dataAsOf(),
      horizonDays: settings.schedule.horizonDays,
      timeZone: settings.schedule.timeZone,
    };
  }

  /**
   * Free slots between two clinic-local dates (inclusive), after `after` (never one that began),
   * without the slots this desk holds. A service narrows to its specialty; a specialty or a
   * doctor that does not fit the service finds nothing.
   */
  freeSlots(query: FreeSlotsQuery): FreeSlots {
    const reader = this.reader();
    const { timeZone } = this.options.settings().schedule;
    const now = this.now();
    const dataAsOf = reader.dataAsOf();
    const empty: FreeSlots = { slots: [], truncated: false, dataAsOf };
    let specialty = query.specialty;
    if (query.serviceId !== undefined) {
      const service = reader.service(query.serviceId);
      if (!service) return empty;
      if (specialty !== undefined && specialty !== service.specialty) return empty;
      if (query.doctorId !== undefined) {
        if (reader.doctor(query.doctorId)?.specialty !== service.specialty) return empty;
      } else {
        specialty = service.specialty;
      }
    }
    const after = Math.max(now, query.after === undefined ? now : Date.parse(query.after));
    const fromMs = Math.max(clinicInstant(query.from, 0, timeZone), after + 1);
    const toMs = clinicInstant(addDays(query.to, 1), 0, timeZone);
    if (toMs <= fromMs) return empty;
    const found = reader.freeSlots({
      ...(specialty !== undefined && { specialty }),
      ...(query.doctorId !== undefined && { doctorId: query.doctorId }),
      ...(query.branchId !== undefined && { branchId: query.branchId }),
      fromMs,
      toMs,
      exclude: this.held(now),
      limit: query.limit ?? 500,
    });
    return { slots: found.slots.map(toFreeSlot), truncated: found.truncated, dataAsOf };
  }

  /** The next free slots of the same doctor, and of the same specialty's other doctors, after now. */
  alternatives(slotId: string): Alternatives {
    const reader = this.reader();
    const now = this.now();
    const doctorId = reader.slot(slotId)?.doctorId ?? this.storeOrNull()?.latestForSlot(slotId)?.doctorId ?? null;
    if (doctorId === null) throw new DeskError('SLOT_NOT_FOUND', 'This slot is not in the cached schedule.');
    const exclude = this.held(now);
    exclude.add(slotId);
    const window = { fromMs: now + 1, toMs: now + (this.options.settings().schedule.horizonDays + 1) * DAY_MS, exclude, limit: ALTERNATIVES_PER_GROUP };
    const sameDoctor = reader.freeSlots({ ...window, doctorId }).slots.map(toFreeSlot);
    const specialty = reader.doctor(doctorId)?.specialty;
    const others = specialty === undefined ? [] : reader.doctors().filter((d) => d.specialty === specialty && d.id !== doctorId);
    const sameSpecialty = others
      .flatMap((doctor) => reader.freeSlots({ ...window, doctorId: doctor.id }).slots)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1))
      .slice(0, ALTERNATIVES_PER_GROUP)
      .map(toFreeSlot);
    return { sameDoctor, sameSpecialty };
  }

  // ---- book, move, cancel ---------------------------------------------------------------

  /**
   * Books a free slot: the `pending` row and its `booking.create` outbox item commit together.
   *
   * @throws DeskError `SLOT_NOT_FOUND` (not in the cache), `SLOT_TAKEN` (not free, already
   *   began, or held by this desk), `INVALID_INPUT` (unknown service), `SCHEDULE_UNAVAILABLE`,
   *   `JOURNAL_UNAVAILABLE`.
   */
  create(input: CreateBookingInput): { visit: Visit; outboxId: number } {
    const reader = this.reader();
    const now = this.now();
    const slot = this.bookableSlot(reader, input.slotId, now);
    const service = reader.service(input.serviceId);
    if (!service) throw new DeskError('INVALID_INPUT', 'This service is not in the cached schedule.');
    const id = this.newId();
    const callId = input.callId ?? null;
    const payload = BookingCreatePayloadSchema.parse({
      localId: id,
      patientMisId: input.patientMisId,
      slotId: slot.id,
      doctorId: slot.doctorId,
      serviceId: service.id,
      startsAt: slot.startsAt,
      callId,
    });
    const item = this.commitSlotChange('create', { id, patientMisId: input.patientMisId, callId, now, slot, payload }, { serviceId: service.id, serviceKind: service.kind });
    this.options.logger.info('booking.written', { kind: 'create', state: 'pending' });
    this.afterWrite(input.patientMisId);
    return { visit: this.visitOf(input.patientMisId, `desk:${id}`), outboxId: item.id };
  }

  /**
   * Moves a visit (`desk:<id>` or `mis:<appointment id>`) to another free slot: one
   * `booking.move` the MIS applies whole or refuses. The new slot is held from now on; the old
   * visit is hidden while the move waits, and back if the MIS refuses it.
   *
   * @throws DeskError `VISIT_NOT_FOUND` (unknown, past, cancelled, refused or already moved),
   *   and what {@link create} throws about the slot.
   */
  move(input: MoveBookingInput): { visit: Visit; outboxId: number } {
    const reader = this.reader();
    const now = this.now();
    const target = this.resolveTarget(input.visitId, input.patientMisId ? { patientMisId: input.patientMisId } : {}, reader, now);
    if (target.slotId === input.slotId) throw new DeskError('SLOT_TAKEN', 'The visit is already in this slot.');
    const slot = this.bookableSlot(reader, input.slotId, now);
    const id = this.newId();
    const callId = input.callId ?? null;
    const payload = BookingMovePayloadSchema.parse({
      localId: id,
      patientMisId: target.patientMisId,
      appointmentId: target.appointmentId,
      localOf: target.localId,
      fromSlotId: target.slotId,
      slotId: slot.id,
      doctorId: slot.doctorId,
      serviceId: target.serviceId,
      startsAt: slot.startsAt,
      callId,
    });
    const item = this.commitSlotChange(
      'move',
      { id, patientMisId: target.patientMisId, callId, now, slot, payload },
      {
        serviceId: target.serviceId,
        serviceKind: target.serviceKind ?? (target.serviceId === null ? null : (reader.service(target.serviceId)?.kind ?? null)),
        replacesLocalId: target.localId,
        replacesAppointmentId: target.appointmentId,
      },
    );
    this.options.logger.info('booking.written', { kind: 'move', state: 'pending' });
    this.afterWrite(target.patientMisId);
    return { visit: this.visitOf(target.patientMisId, `desk:${id}`), outboxId: item.id };
  }

  /**
   * A booking or a move as one journal transaction: the slot is not held already (the unique
   * hold index backs this up), the outbox item with the key born with the row, and the
   * `bookings` row itself. Both `create` and `move` commit through here, so they hold slots alike.
   */
  private commitSlotChange(
    kind: 'create' | 'move',
    change: { id: string; patientMisId: string; callId: string | null; now: number; slot: Omit<Slot, 'version'>; payload: unknown },
    row: Omit<Partial<Parameters<BookingStore['insert']>[0]>, 'id' | 'kind'>,
  ) {
    const { db, outbox, store } = this.journal(kind === 'create' ? 'the visit was not booked' : 'the visit was not moved');
    const { id, patientMisId, callId, now, slot, payload } = change;
    return db.transaction(() => {
      this.assertNotHeld(store, slot.id, now);
      const queued = outbox.enqueue(kind === 'create' ? MIS_WRITE_KINDS.bookingCreate : MIS_WRITE_KINDS.bookingMove, payload, { idempotencyKey: bookingKey(id) });
      store.insert({
        ...blankRow(id, kind, patientMisId, queued.id, callId, now),
        slotId: slot.id,
        doctorId: slot.doctorId,
        startsAt: slot.startsAt,
        startsAtMs: Date.parse(slot.startsAt),
        ...row,
      });
      return queued;
    })();
  }

  /**
   * Cancels a visit: one `booking.cancel` through the outbox. The visit shows `cancelled`
   * (awaiting the MIS) at once; its slot is given up when the MIS confirms.
   *
   * @throws DeskError `VISIT_NOT_FOUND`, `JOURNAL_UNAVAILABLE`.
   */
  cancel(input: CancelBookingInput): { visit: Visit } {
    const { db } = this.journal('the visit was not cancelled');
    const written = db.transaction(() => this.writeCancel(input))();
    this.afterWrite(written.patientMisId);
    return { visit: written.visit };
  }

  /**
   * {@link cancel} inside the caller's journal transaction (it becomes a savepoint of it): the
   * outbound lists close a task and cancel its visit in one commit. Windows are told and the
   * outbox woken after the caller's synchronous transaction ends (a microtask); if the caller
   * rolls back, that only makes windows reload unchanged visits.
   *
   * @throws Error outside a journal transaction; DeskError as {@link cancel}.
   */
  cancelInTransaction(input: CancelBookingInput): { visit: Visit; outboxId: number } {
    const { db } = this.journal('the visit was not cancelled');
    if (!db.inTransaction) throw new Error('BookingService.cancelInTransaction must run inside a journal transaction.');
    const written = db.transaction(() => this.writeCancel(input))();
    queueMicrotask(() => this.afterWrite(written.patientMisId));
    return { visit: written.visit, outboxId: written.outboxId };
  }

  // ---- what the desk shows ----------------------------------------------------------------

  /** A patient's visits: the cached card's appointments merged with this desk's bookings; upcoming first. */
  visits(patientMisId: string): Visit[] {
    const reader = this.readerOrNull();
    const rows = this.storeOrNull()?.byPatient(patientMisId) ?? [];
    let card: PatientCard | null = null;
    try {
      card = this.options.cache.getCard(patientMisId);
    } catch {
      // no cache open: this desk's own bookings are still listed
    }
    const appointments = card?.appointments ?? [];
    for (const appointment of appointments) this.rememberAppointment(appointment.id, patientMisId);
    return mergeVisits({
      rows,
      appointments,
      now: this.now(),
      names: (doctorId, serviceId) => namesOf(reader, doctorId, serviceId),
      slotOf: (appointment) => slotOfAppointment(reader, appointment),
    });
  }

  /**
   * The wrap-up's prefill for a call: `booked` and the category of the first visit booked on it
   * that still stands (`booking.categoryByKind`, if the wrap-up offers that category); null when
   * nothing was booked on the call.
   */
  forCall(callId: string): { prefill: { outcome: 'booked'; category: string | null; kind: ServiceKind } | null } {
    const store = this.storeOrNull();
    if (!store) return { prefill: null };
    const rows = store.byCall(callId);
    for (const row of rows) {
      if (row.kind === 'cancel' || row.serviceKind === null || (row.state !== 'pending' && row.state !== 'confirmed')) continue;
      if (this.cancelledLater(store, row)) continue;
      const settings = this.options.settings();
      const category = settings.booking.categoryByKind[row.serviceKind];
      return { prefill: { outcome: 'booked', category: settings.wrapUp.categories.includes(category) ? category : null, kind: row.serviceKind } };
    }
    return { prefill: null };
  }

  // ---- the MIS's answers (inside the outbox's transaction) --------------------------------

  private onDelivered(item: OutboxItem, result: MisSubmitResult): void {
    const found = this.rowOf(item);
    if (!found) return;
    const { store, row } = found;
    const at = this.now();
    const replaced = row.replacesLocalId === null ? null : store.get(row.replacesLocalId);
    const targetAppointment = row.replacesAppointmentId ?? replaced?.appointmentId ?? null;
    let changed: boolean;
    if (row.kind === 'cancel') {
      changed = store.markCancelled(row.id, result.appointmentId ?? null, at);
    } else {
      changed = store.confirm(row.id, result.appointmentId ?? (row.kind === 'move' ? targetAppointment : null), at);
    }
    // What a move or cancel replaced is gone in the MIS now: no longer held, no longer listed.
    if (changed && row.kind !== 'create' && replaced && replaced.state !== 'cancelled') store.markCancelled(replaced.id, null, at);
    if (!changed) return;
    this.options.logger.info('booking.settled', { kind: row.kind, state: row.kind === 'cancel' ? 'cancelled' : 'confirmed', answer: result.status });
    queueMicrotask(() => this.announce(row.patientMisId));
  }

  private onFailed(item: OutboxItem, error: MisError): void {
    const found = this.rowOf(item);
    if (!found) return;
    const { store, row } = found;
    // A duck-typed MisError from a plugin may not carry `rejection` at all.
    const rejection = (error.rejection as MisError['rejection'] | undefined) ?? 'refused';
    const at = this.now();
    if (!store.reject(row.id, rejection, error.message || null, at)) return;
    this.options.logger.warn('booking.settled', { kind: row.kind, state: 'rejected', rejection });
    queueMicrotask(() => {
      this.announce(row.patientMisId);
      if (row.kind === 'cancel') return;
      try {
        this.options.onRejected?.({ patientMisId: row.patientMisId, localId: row.id, at });
      } catch (failure) {
        this.options.logger.warn('booking.rejected-callback-failed', { error: failure instanceof Error ? failure.name : 'unknown' });
      }
    });
  }

  private rowOf(item: OutboxItem): { store: BookingStore; row: BookingRow } | null {
    const localId = (item.payload as { localId?: unknown } | null)?.localId;
    const store = this.storeOrNull();
    if (typeof localId !== 'string' || !store) return null;
    const row = store.get(localId);
    if (!row || row.outboxId !== item.id) {
      this.options.logger.warn('booking.settled-unknown', { kind: item.kind });
      return null;
    }
    return { store, row };
  }

  // ---- internals --------------------------------------------------------------------------

  private writeCancel(input: CancelBookingInput): { patientMisId: string; visit: Visit; outboxId: number } {
    const reader = this.readerOrNull();
    const now = this.now();
    const { outbox, store } = this.journal('the visit was not cancelled');
    const target = this.resolveTarget(input.visitId, { patientMisId: input.patientMisId, slotId: input.slotId }, reader, now);
    const id = this.newId();
    const callId = input.callId ?? null;
    const payload = BookingCancelPayloadSchema.parse({
      localId: id,
      patientMisId: target.patientMisId,
      appointmentId: target.appointmentId,
      localOf: target.localId,
      slotId: target.slotId,
      callId,
    });
    const queued = outbox.enqueue(MIS_WRITE_KINDS.bookingCancel, payload, { idempotencyKey: bookingKey(id) });
    store.insert({
      ...blankRow(id, 'cancel', target.patientMisId, queued.id, callId, now),
      slotId: target.slotId,
      doctorId: target.doctorId,
      serviceId: target.serviceId,
      serviceKind: target.serviceKind,
      startsAt: target.startsAt,
      startsAtMs: target.startsAt === null ? null : Date.parse(target.startsAt),
      replacesLocalId: target.localId,
      replacesAppointmentId: target.appointmentId,
    });
    this.options.logger.info('booking.written', { kind: 'cancel', state: 'pending' });
    const visitId = target.localId !== null ? `desk:${target.localId}` : `mis:${target.appointmentId}`;
    const visit =
      this.visits(target.patientMisId).find((v) => v.id === visitId) ??
      ({
        id: visitId,
        startsAt: target.startsAt ?? new Date(now).toISOString(),
        ...namesOf(reader, target.doctorId, target.serviceId),
        state: 'cancelled',
        awaitingMis: true,
        rejection: null,
        rejectionMessage: null,
        slotId: target.slotId,
        changeable: false,
      } satisfies Visit);
    return { patientMisId: target.patientMisId, visit, outboxId: queued.id };
  }

  /**
   * What a visit id names, if it can still be changed.
   * `desk:<id>`: this desk's create or move. `mis:<appointment id>`: a booking of this desk the
   * MIS confirmed as that appointment, else the MIS's own appointment of a patient whose visits
   * were listed (or named by `hint`), else a booked slot of the cached schedule.
   */
  private resolveTarget(visitId: string, hint: { patientMisId?: string; slotId?: string }, reader: ScheduleReader | null, now: number): Target {
    const store = this.storeOrNull();
    const gone = () => new DeskError('VISIT_NOT_FOUND', 'This visit is not there or can no longer be changed (moved, cancelled, refused or past).');
    const fromRow = (row: BookingRow): Target => {
      const visit = this.visits(row.patientMisId).find((v) => v.id === `desk:${row.id}`);
      if (!visit?.changeable) throw gone();
      return {
        patientMisId: row.patientMisId,
        localId: row.id,
        appointmentId: row.appointmentId,
        slotId: row.slotId,
        doctorId: row.doctorId,
        serviceId: row.serviceId,
        serviceKind: row.serviceKind,
        startsAt: row.startsAt,
      };
    };
    if (visitId.startsWith('desk:')) {
      const row = store?.get(visitId.slice('desk:'.length));
      if (!row || row.kind === 'cancel') throw gone();
      return fromRow(row);
    }
    if (!visitId.startsWith('mis:')) throw gone();
    const appointmentId = visitId.slice('mis:'.length);
    const desk = store?.byAppointment(appointmentId);
    if (desk) return fromRow(desk);
    const slot = this.bookedSlotOf(reader, appointmentId, hint.slotId, now);
    const patientMisId = hint.patientMisId ?? this.appointmentPatients.get(appointmentId) ?? slot?.patientMisId ?? null;
    if (patientMisId === null) throw gone();
    const visit = this.visits(patientMisId).find((v) => v.id === visitId);
    if (visit) {
      if (!visit.changeable) throw gone();
      const cached = visit.slotId === null ? slot : (reader?.slot(visit.slotId) ?? slot);
      return {
        patientMisId,
        localId: null,
        appointmentId,
        slotId: visit.slotId ?? cached?.id ?? null,
        doctorId: cached?.doctorId ?? null,
        serviceId: cached?.serviceId ?? null,
        serviceKind: cached?.serviceId ? (reader?.service(cached.serviceId)?.kind ?? null) : null,
        startsAt: visit.startsAt,
      };
    }
    // Not on the cached card (yet): a booked slot of the cached schedule naming this patient.
    if (!slot || slot.patientMisId !== patientMisId || Date.parse(slot.startsAt) <= now) throw gone();
    return {
      patientMisId,
      localId: null,
      appointmentId,
      slotId: slot.id,
      doctorId: slot.doctorId,
      serviceId: slot.serviceId,
      serviceKind: slot.serviceId ? (reader?.service(slot.serviceId)?.kind ?? null) : null,
      startsAt: slot.startsAt,
    };
  }

  /** The cached booked slot of a MIS appointment: by the slot named, else a scan of the horizon's booked slots. */
  private bookedSlotOf(reader: ScheduleReader | null, appointmentId: string, slotId: string | undefined, now: number): CachedSlot | null {
    if (!reader) return null;
    if (slotId !== undefined) {
      const named = reader.slot(slotId);
      if (named?.appointmentId === appointmentId) return named;
    }
    const horizon = (this.options.settings().schedule.horizonDays + 1) * DAY_MS;
    return reader.bookedSlots(now, now + horizon).find((s) => s.appointmentId === appointmentId) ?? null;
  }

  /** A slot that can be booked now: in the cache, `free`, not begun. (Held or not is checked in the transaction.) */
  private bookableSlot(reader: ScheduleReader, slotId: string, now: number): CachedSlot {
    const slot = reader.slot(slotId);
    if (!slot) throw new DeskError('SLOT_NOT_FOUND', 'This slot is not in the cached schedule.');
    if (slot.state !== 'free') throw new DeskError('SLOT_TAKEN', 'This slot is already taken.');
    if (Date.parse(slot.startsAt) <= now) throw new DeskError('SLOT_TAKEN', 'This slot has already begun.');
    return slot;
  }

  private assertNotHeld(store: BookingStore, slotId: string, now: number): void {
    if (store.isHeld(slotId, now - this.confirmedHoldMs, now)) throw new DeskError('SLOT_TAKEN', 'This slot is already being booked from this desk.');
  }

  /** Slots this desk holds (see `BookingStore.isHeld`); empty without a journal. */
  private held(now: number): Set<string> {
    return this.storeOrNull()?.heldSlots(now - this.confirmedHoldMs, now) ?? new Set();
  }

  /** A live (not refused) cancel of this row was written after it. */
  private cancelledLater(store: BookingStore, row: BookingRow): boolean {
    const rows = store.byPatient(row.patientMisId);
    return rows
      .slice(rows.findIndex((other) => other.id === row.id) + 1)
      .some((other) => other.kind === 'cancel' && other.state !== 'rejected' && (other.replacesLocalId === row.id || (row.appointmentId !== null && other.replacesAppointmentId === row.appointmentId)));
  }

  private visitOf(patientMisId: string, visitId: string): Visit {
    const visit = this.visits(patientMisId).find((v) => v.id === visitId);
    if (!visit) throw new Error(`the visit just written is not listed (${visitId.slice(0, 5)})`);
    return visit;
  }

  private rememberAppointment(appointmentId: string, patientMisId: string): void {
    this.appointmentPatients.delete(appointmentId);
    this.appointmentPatients.set(appointmentId, patientMisId);
    if (this.appointmentPatients.size > REMEMBERED_APPOINTMENTS) {
      const oldest = this.appointmentPatients.keys().next().value;
      if (oldest !== undefined) this.appointmentPatients.delete(oldest);
    }
  }

  /** After a committed change: windows reload, and the sender drains now. */
  private afterWrite(patientMisId: string): void {
    this.announce(patientMisId);
    this.options.link.wakeOutbox();
  }

  private announce(patientMisId: string): void {
    this.options.events.emit('booking:changed', { patientMisId });
    this.options.events.emit('schedule:changed', { dataAsOf: this.readerOrNull()?.dataAsOf() ?? null });
  }

  private journal(what: string): { db: Db; outbox: Outbox; store: BookingStore } {
    const { db, outbox } = this.options.journal.require(what);
    return { db, outbox, store: this.storeFor(db) };
  }

  private storeOrNull(): BookingStore | null {
    const stores = this.options.journal.stores;
    return stores ? this.storeFor(stores.db) : null;
  }

  /** The store over the journal's connection, made again if the journal was reopened. */
  private storeFor(db: Db): BookingStore {
    if (this.cachedStore?.db !== db) this.cachedStore = new BookingStore(db);
    return this.cachedStore;
  }

  private readerOrNull(): ScheduleReader | null {
    try {
      return this.options.cache.schedule ?? null;
    } catch {
      return null;
    }
  }

  /** @throws DeskError `SCHEDULE_UNAVAILABLE` */
  private reader(): ScheduleReader {
    const reader = this.readerOrNull();
    if (!reader) throw new DeskError('SCHEDULE_UNAVAILABLE', 'The cached schedule is not available (see the status bar).');
    return reader;
  }
}

/** The outbox key of a booking change: born with its row, the same on every retry and any re-created item. */
export function bookingKey(localId: string): string {
  return `booking-${localId}`;
}

function blankRow(id: string, kind: BookingRow['kind'], patientMisId: string, outboxId: number, callId: string | null, now: number): BookingRow {
  return {
    id,
    kind,
    patientMisId,
    slotId: null,
    doctorId: null,
    serviceId: null,
    serviceKind: null,
    startsAt: null,
    startsAtMs: null,
    state: 'pending',
    outboxId,
    appointmentId: null,
    rejection: null,
    rejectionMessage: null,
    callId,
    replacesLocalId: null,
    replacesAppointmentId: null,
    createdAt: now,
    updatedAt: now,
  };
}

function toFreeSlot(slot: CachedSlot): FreeSlot {
  return { id: slot.id, doctorId: slot.doctorId, startsAt: slot.startsAt, durationMin: slot.durationMin };
}

function namesOf(reader: ScheduleReader | null, doctorId: string | null, serviceId: string | null): VisitNames {
  const doctor = reader && doctorId !== null ? reader.doctor(doctorId) : null;
  const service = reader && serviceId !== null ? reader.service(serviceId) : null;
  const branch = reader && doctor ? reader.branch(doctor.branchId) : null;
  return {
    doctor: doctor?.name ?? '',
    specialty: doctor?.specialty ?? service?.specialty ?? '',
    service: service?.name ?? '',
    branch: branch?.name ?? '',
    room: doctor?.room ?? null,
  };
}

function slotOfAppointment(reader: ScheduleReader | null, appointment: Appointment): { slotId: string; room: string | null } | null {
  if (!reader) return null;
  const at = Date.parse(appointment.startsAt);
  const slot = reader.bookedSlots(at, at + 1).find((s) => s.appointmentId === appointment.id);
  if (!slot) return null;
  return { slotId: slot.id, room: reader.doctor(slot.doctorId)?.room ?? null };
}
