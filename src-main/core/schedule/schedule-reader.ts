import type { Branch, Doctor, MisCallListKind, MisCallTask, Service, Slot } from '../../../src-shared/schedule/schedule-model';

/**
 * What the desk reads of the cached schedule (cache.db): the booking pane's catalog and free
 * slots, a slot by id, a doctor's day, the booked visits of a day (for "confirm tomorrow's
 * visits") and the MIS's call tasks. Implemented by `ScheduleRepository` on the cache's own
 * connection; every query here is an index search (EXPLAIN QUERY PLAN tests beside it).
 *
 * Instants are epoch milliseconds; records come back as the stream schemas describe them
 * (without their `version`).
 */
export interface ScheduleReader {
  branches(): Omit<Branch, 'version'>[];
  doctors(): Omit<Doctor, 'version'>[];
  services(): Omit<Service, 'version'>[];
  doctor(id: string): Omit<Doctor, 'version'> | null;
  service(id: string): Omit<Service, 'version'> | null;
  branch(id: string): Omit<Branch, 'version'> | null;
  /** One slot as cached, or null. */
  slot(id: string): Omit<Slot, 'version'> | null;
  /**
   * Free slots in `[fromMs, toMs)`, earliest first, of the doctors of a specialty or of one
   * doctor, optionally in one branch, skipping `exclude` (slots this desk holds); at most `limit`.
   */
  freeSlots(query: {
    specialty?: string;
    doctorId?: string;
    branchId?: string;
    fromMs: number;
    toMs: number;
    exclude?: ReadonlySet<string>;
    limit: number;
  }): { slots: Omit<Slot, 'version'>[]; truncated: boolean };
  /** Every slot of a doctor in `[fromMs, toMs)` (free, booked, blocked), in time order. */
  doctorDay(doctorId: string, fromMs: number, toMs: number): Omit<Slot, 'version'>[];
  /** Booked slots that name a patient in `[fromMs, toMs)`, in time order (the "confirm tomorrow" list). */
  bookedSlots(fromMs: number, toMs: number): Omit<Slot, 'version'>[];
  /** The MIS's call tasks of one list due on or before `date` (clinic-local `YYYY-MM-DD`). */
  callTasks(list: MisCallListKind, date: string): Omit<MisCallTask, 'version'>[];
  /** When a schedule stream last committed a page (epoch ms), or null before the first. */
  dataAsOf(): number | null;
}
