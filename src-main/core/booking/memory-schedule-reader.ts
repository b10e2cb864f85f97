import type { Branch, Doctor, MisCallListKind, MisCallTask, Service, Slot } from '../../../src-shared/schedule/schedule-model';
import type { ScheduleReader } from '../schedule/schedule-reader';

type Rec<T> = Omit<T, 'version'>;

/**
 * A {@link ScheduleReader} over arrays in memory: the booking tests' schedule and the booking
 * bench's stand-in when no cache.db is given. Same answers as the cache's repository (free
 * slots earliest first, `exclude` skipped, `limit` with `truncated`), by linear scans.
 */
export class MemoryScheduleReader implements ScheduleReader {
  readonly slotsById = new Map<string, Rec<Slot>>();
  asOf: number | null;

  constructor(
    private readonly data: { branches: Rec<Branch>[]; doctors: Rec<Doctor>[]; services: Rec<Service>[]; slots: Rec<Slot>[]; callTasks?: Rec<MisCallTask>[] },
    dataAsOf: number | null = null,
  ) {
    for (const slot of data.slots) this.slotsById.set(slot.id, slot);
    this.asOf = dataAsOf;
  }

  /** Replaces (or adds) a slot, as a sync page would. */
  putSlot(slot: Rec<Slot>): void {
    this.slotsById.set(slot.id, slot);
  }

  branches(): Rec<Branch>[] {
    return [...this.data.branches];
  }

  doctors(): Rec<Doctor>[] {
    return [...this.data.doctors];
  }

  services(): Rec<Service>[] {
    return [...this.data.services];
  }

  doctor(id: string): Rec<Doctor> | null {
    return this.data.doctors.find((d) => d.id === id) ?? null;
  }

  service(id: string): Rec<Service> | null {
    return this.data.services.find((s) => s.id === id) ?? null;
  }

  branch(id: string): Rec<Branch> | null {
    return this.data.branches.find((b) => b.id === id) ?? null;
  }

  slot(id: string): Rec<Slot> | null {
    return this.slotsById.get(id) ?? null;
  }

  freeSlots(query: Parameters<ScheduleReader['freeSlots']>[0]): { slots: Rec<Slot>[]; truncated: boolean } {
    const doctors = new Map(this.data.doctors.map((d) => [d.id, d]));
    const matching = this.sorted().filter((slot) => {
      const doctor = doctors.get(slot.doctorId);
      if (slot.state !== 'free' || !doctor) return false;
      if (query.doctorId !== undefined && slot.doctorId !== query.doctorId) return false;
      if (query.specialty !== undefined && doctor.specialty !== query.specialty) return false;
      if (query.branchId !== undefined && doctor.branchId !== query.branchId) return false;
      if (query.exclude?.has(slot.id)) return false;
      const at = Date.parse(slot.startsAt);
      return at >= query.fromMs && at < query.toMs;
    });
    return { slots: matching.slice(0, query.limit), truncated: matching.length > query.limit };
  }

  doctorDay(doctorId: string, fromMs: number, toMs: number): Rec<Slot>[] {
    return this.sorted().filter((slot) => slot.doctorId === doctorId && inRange(slot, fromMs, toMs));
  }

  bookedSlots(fromMs: number, toMs: number): Rec<Slot>[] {
    return this.sorted().filter((slot) => slot.state === 'booked' && slot.patientMisId !== null && inRange(slot, fromMs, toMs));
  }

  callTasks(list: MisCallListKind, date: string): Rec<MisCallTask>[] {
    return (this.data.callTasks ?? []).filter((task) => task.list === list && task.dueDate <= date);
  }

  dataAsOf(): number | null {
    return this.asOf;
  }

  private sorted(): Rec<Slot>[] {
    return [...this.slotsById.values()].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1));
  }
}

function inRange(slot: Rec<Slot>, fromMs: number, toMs: number): boolean {
  const at = Date.parse(slot.startsAt);
  return at >= fromMs && at < toMs;
}
