import { z } from 'zod';
import type { Branch, Doctor, MisCallTask, ScheduleStream, Service, Slot } from '../../../src-shared/schedule/schedule-model';
import { MisError, type MisCapability, type MisConnector, type MisConnectorManifest, type MisStreamOptions, type MisStreamPage } from '../connectors/mis/mis-connector';

/**
 * Helpers for the schedule's tests (not shipped behaviour): valid records with a patch, and a
 * scripted MIS that serves the schedule streams from an in-memory change log.
 */

export const testBranch = (id = 'B-1', patch: Partial<Branch> = {}): Branch => ({ id, version: 1, name: 'Центральный филиал', address: 'ул. Садовая, 1', ...patch });

export const testDoctor = (id = 'D-1', patch: Partial<Doctor> = {}): Doctor => ({
  id,
  version: 1,
  name: 'Смирнова Ольга Петровна',
  specialty: 'терапевт',
  branchId: 'B-1',
  room: '101',
  ...patch,
});

export const testService = (id = 'SV-1', patch: Partial<Service> = {}): Service => ({
  id,
  version: 1,
  name: 'Приём терапевта',
  specialty: 'терапевт',
  durationMin: 15,
  kind: 'oms',
  priceRub: null,
  prepare: 'паспорт, полис ОМС',
  ...patch,
});

/** A free slot of `D-1` at `startsAt` (with an offset); booked ones name a patient and an appointment. */
export const testSlot = (id: string, startsAt: string, patch: Partial<Slot> = {}): Slot => {
  const booked = patch.state === 'booked';
  return {
    id,
    version: 1,
    doctorId: 'D-1',
    startsAt,
    durationMin: 15,
    state: 'free',
    patientMisId: booked ? '1000001' : null,
    appointmentId: booked ? `A-${id}` : null,
    serviceId: null,
    ...patch,
  };
};

export const testCallTask = (id: string, patch: Partial<MisCallTask> = {}): MisCallTask => ({
  id,
  version: 1,
  list: 'recall',
  patientMisId: '1000001',
  reason: 'повторный приём у кардиолога',
  dueDate: '2026-12-07',
  specialty: 'кардиолог',
  ...patch,
});

/** One change of a stream in the scripted MIS: a record (upsert) or an id removed. */
export type ScheduleChange = { record: unknown } | { removed: string };

/**
 * A MIS connector whose patients stream is empty and whose schedule streams replay a change
 * log per stream (cursor = `<epoch>:<index>`). `forget()` makes it refuse every cursor it gave
 * before (a MIS that purged its log: `rejected`), `replace()` swaps a stream's log (what a pass
 * from the start then sends). Every request is recorded with its options.
 */
export class ScriptedScheduleMis implements MisConnector {
  readonly manifest: MisConnectorManifest;
  readonly requests: { stream: ScheduleStream; cursor: string | null; options: MisStreamOptions }[] = [];
  private readonly logs = new Map<ScheduleStream, ScheduleChange[]>();
  private epoch = 1;
  /** Thrown by the next schedule request, once. */
  failNext: Error | null = null;

  constructor(capabilities: readonly MisCapability[] = ['changesSince', 'schedule', 'callLists']) {
    this.manifest = { id: 'scripted', kind: 'mis', version: '1.0.0', apiVersion: 2, capabilities, configSchema: z.unknown() };
  }

  /** Appends changes to a stream's log. */
  push(stream: ScheduleStream, ...changes: ScheduleChange[]): this {
    this.logs.set(stream, [...(this.logs.get(stream) ?? []), ...changes]);
    return this;
  }

  /** Replaces a stream's whole log (its records as they are now). */
  replace(stream: ScheduleStream, records: unknown[]): this {
    this.logs.set(stream, records.map((record) => ({ record })));
    return this;
  }

  /** Refuses every cursor handed out so far. */
  forget(): void {
    this.epoch += 1;
  }

  health = async () => ({ state: 'online' as const, latencyMs: 0 });
  changesSince = async () => ({ cards: [], deletions: [], merges: [], nextCursor: 'p', hasMore: false });
  getCard = async () => null;
  findByPhone = async () => [];
  search = async () => [];
  submit = async () => ({ status: 'applied' as const, ref: 'x' });

  streamChangesSince = async (stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): Promise<MisStreamPage> => {
    this.requests.push({ stream, cursor, options });
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    let from = 0;
    if (cursor !== null) {
      const [epoch, index] = cursor.split(':').map(Number) as [number, number];
      if (epoch !== this.epoch) throw new MisError('rejected', 'unknown cursor');
      from = index;
    }
    const log = this.logs.get(stream) ?? [];
    const page = log.slice(from, from + limit);
    const to = from + page.length;
    return {
      records: page.flatMap((change) => ('record' in change ? [change.record] : [])),
      removed: page.flatMap((change) => ('removed' in change ? [change.removed] : [])),
      nextCursor: `${this.epoch}:${to}`,
      hasMore: to < log.length,
      total: log.length - from,
    };
  };
}
