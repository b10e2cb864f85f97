/**
 * The booking pane's pure rules (no React, no desk): what a typed "what" matches, which
 * services a pick means, the slot grid and how the arrow keys walk it, and the words and
 * figures the read-back uses. Every date and time is on the clinic's clock
 * (`src-shared/schedule/clinic-time`), never the machine's.
 */
import type { FreeSlot, ScheduleCatalog } from '../../../src-shared/booking/booking-contract';
import { nameTokens } from '../../../src-shared/patients/name-folding';
import { addDays, clinicDate, clinicTimeOfDay } from '../../../src-shared/schedule/clinic-time';
import type { ServiceKind } from '../../../src-shared/schedule/schedule-model';

export type CatalogDoctor = ScheduleCatalog['doctors'][number];
export type CatalogService = ScheduleCatalog['services'][number];
export type CatalogBranch = ScheduleCatalog['branches'][number];

/** The filters above the "what" box: a branch and how the visit is paid ('' = any). */
export interface BookingFilters {
  branchId: string;
  kind: ServiceKind | '';
}

export const NO_FILTERS: BookingFilters = { branchId: '', kind: '' };

/** The service kinds in the order the kind filter lists them. */
export const SERVICE_KINDS: readonly ServiceKind[] = ['oms', 'paid', 'dms', 'checkup'];

/** One line of the "what" list: a specialty, a service or a doctor. */
export interface WhatOption {
  kind: 'specialty' | 'service' | 'doctor';
  /** The specialty's name, the service's or the doctor's id. */
  value: string;
  label: string;
  /** The specialty the pick books (a service's, a doctor's). */
  specialty: string;
}

/** How many lines the "what" list shows at most. */
export const WHAT_LIMIT = 20;

const KIND_ORDER: Record<WhatOption['kind'], number> = { specialty: 0, doctor: 1, service: 2 };

/**
 * What the branch and kind filters leave of the catalog: doctors of the branch, services of
 * the kind (and of a specialty the branch has a doctor of), and the specialties that still have
 * a doctor and, when a kind is chosen, a service of that kind.
 */
export function filteredCatalog(catalog: ScheduleCatalog, filters: BookingFilters): { doctors: CatalogDoctor[]; services: CatalogService[]; specialties: string[] } {
  const doctors = catalog.doctors.filter((doctor) => filters.branchId === '' || doctor.branchId === filters.branchId);
  const staffed = new Set(doctors.map((doctor) => doctor.specialty));
  const services = catalog.services.filter((service) => (filters.kind === '' || service.kind === filters.kind) && staffed.has(service.specialty));
  const served = new Set(services.map((service) => service.specialty));
  const bookable = (specialty: string) => staffed.has(specialty) && (filters.kind === '' || served.has(specialty));
  return {
    doctors: doctors.filter((doctor) => bookable(doctor.specialty)),
    services,
    specialties: catalog.specialties.filter(bookable),
  };
}

/**
 * The "what" list for a typed text: every typed word must start a word of the specialty's,
 * service's or doctor's name, case and ё/е folded the way the patient search folds names
 * (`nameTokens`), so «тер» finds «терапевт» and «семенова» finds «Семёнова». Names whose first
 * word the first typed word starts come first, then specialties before doctors before
 * services, then alphabetically. Empty text: the specialties.
 */
export function matchWhat(catalog: ScheduleCatalog, filters: BookingFilters, text: string, limit = WHAT_LIMIT): WhatOption[] {
  const { doctors, services, specialties } = filteredCatalog(catalog, filters);
  const words = nameTokens(text);
  const candidates: WhatOption[] = [
    ...specialties.map((specialty) => ({ kind: 'specialty' as const, value: specialty, label: specialty, specialty })),
    ...doctors.map((doctor) => ({ kind: 'doctor' as const, value: doctor.id, label: doctor.name, specialty: doctor.specialty })),
    ...services.map((service) => ({ kind: 'service' as const, value: service.id, label: service.name, specialty: service.specialty })),
  ];
  if (words.length === 0) return candidates.filter((option) => option.kind === 'specialty').slice(0, limit);
  const ranked: { option: WhatOption; rank: number; key: string }[] = [];
  for (const option of candidates) {
    const tokens = nameTokens(option.label);
    if (!words.every((word) => tokens.some((token) => token.startsWith(word)))) continue;
    const startsName = tokens[0]!.startsWith(words[0]!) ? 0 : 1;
    ranked.push({ option, rank: startsName * 3 + KIND_ORDER[option.kind], key: tokens.join(' ') });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return ranked.slice(0, limit).map((entry) => entry.option);
}

/** The services a specialty can be booked for under the kind filter, in catalog order. */
export function servicesFor(catalog: ScheduleCatalog, specialty: string, kind: ServiceKind | ''): CatalogService[] {
  return catalog.services.filter((service) => service.specialty === specialty && (kind === '' || service.kind === kind));
}

/** Which kind a specialty pick books first when the operator names none: the everyday visit (ОМС), then paid, ДМС, a check-up programme. */
const DEFAULT_KIND_ORDER: readonly ServiceKind[] = ['oms', 'paid', 'dms', 'checkup'];

/**
 * The service a specialty or doctor pick books unless the operator chooses another: of the
 * services the kind filter allows, the everyday one (ОМС first, a check-up programme last),
 * in the MIS's order within a kind.
 */
export function defaultServiceId(catalog: ScheduleCatalog, specialty: string, kind: ServiceKind | ''): string | null {
  const services = servicesFor(catalog, specialty, kind);
  for (const preferred of DEFAULT_KIND_ORDER) {
    const found = services.find((service) => service.kind === preferred);
    if (found) return found.id;
  }
  return null;
}


/** The catalog's service of a visit (named by the MIS), by name within its specialty. */
export function serviceByName(catalog: ScheduleCatalog, specialty: string, name: string): CatalogService | null {
  return catalog.services.find((service) => service.specialty === specialty && service.name === name) ?? null;
}

/** How many clinic days one page of the grid shows. */
export const PAGE_DAYS = 5;

/** The last clinic date of the schedule's horizon, counting today as its first day. */
export function horizonEnd(today: string, horizonDays: number): string {
  return addDays(today, Math.max(1, horizonDays) - 1);
}

/** The clinic days of the page starting at `start`, cut at the horizon. */
export function pageDays(start: string, lastDay: string): string[] {
  const days: string[] = [];
  for (let i = 0; i < PAGE_DAYS; i++) {
    const day = addDays(start, i);
    if (day > lastDay) break;
    days.push(day);
  }
  return days;
}

/** The page start that shows `day` (pages are counted from today). */
export function pageStartFor(today: string, day: string): string {
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const offset = Math.max(0, Math.round((Date.UTC(y, m - 1, d) - Date.UTC(ty, tm - 1, td)) / 86_400_000));
  return addDays(today, offset - (offset % PAGE_DAYS));
}

/** One doctor's row of the grid: per day (the page's columns), that day's free slots, earliest first. */
export interface GridRow {
  doctorId: string;
  doctor: CatalogDoctor | null;
  cells: FreeSlot[][];
}

/**
 * The grid of a page: a row per doctor who has a free slot in it (by name, the Russian way),
 * a column per day. A slot of a day outside the page is left out.
 */
export function buildGrid(slots: readonly FreeSlot[], days: readonly string[], doctors: ReadonlyMap<string, CatalogDoctor>, timeZone: string): GridRow[] {
  const column = new Map(days.map((day, index) => [day, index]));
  const rows = new Map<string, GridRow>();
  for (const slot of [...slots].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))) {
    const index = column.get(clinicDate(slot.startsAt, timeZone));
    if (index === undefined) continue;
    let row = rows.get(slot.doctorId);
    if (!row) {
      row = { doctorId: slot.doctorId, doctor: doctors.get(slot.doctorId) ?? null, cells: days.map(() => []) };
      rows.set(slot.doctorId, row);
    }
    row.cells[index]!.push(slot);
  }
  const collator = new Intl.Collator('ru');
  return [...rows.values()].sort((a, b) => collator.compare(a.doctor?.name ?? a.doctorId, b.doctor?.name ?? b.doctorId));
}

/** The grid's slots in reading order: row by row, each row earliest first. */
export function gridOrder(rows: readonly GridRow[]): FreeSlot[][] {
  return rows.map((row) => row.cells.flat());
}

export type GridKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The earliest free time of one day column, whichever doctor has it: what the digit keys pick
 * (1 = the page's first day), so «the first free therapist tomorrow» is one key on a page that
 * starts today. Null when that day has nothing free.
 */
export function earliestOfDay(rows: readonly GridRow[], dayIndex: number): FreeSlot | null {
  let best: FreeSlot | null = null;
  for (const row of rows) {
    const first = row.cells[dayIndex]?.[0];
    if (first && (best === null || Date.parse(first.startsAt) < Date.parse(best.startsAt))) best = first;
  }
  return best;
}

/**
 * Where an arrow key takes the focus from `slotId`: left / right to the previous / next slot of
 * the same doctor (across days), up / down to the doctor above / below, on the slot nearest in
 * time (so the same day when it has one), Home / End to the row's first / last. Null: nowhere.
 */
export function moveInGrid(rows: readonly GridRow[], slotId: string, key: GridKey): FreeSlot | null {
  const order = gridOrder(rows);
  const r = order.findIndex((row) => row.some((slot) => slot.id === slotId));
  if (r < 0) return order.find((row) => row.length > 0)?.[0] ?? null;
  const row = order[r]!;
  const c = row.findIndex((slot) => slot.id === slotId);
  const here = row[c]!;
  switch (key) {
    case 'ArrowLeft':
      return row[c - 1] ?? null;
    case 'ArrowRight':
      return row[c + 1] ?? null;
    case 'Home':
      return row[0] ?? null;
    case 'End':
      return row[row.length - 1] ?? null;
    case 'ArrowUp':
    case 'ArrowDown': {
      const target = order[key === 'ArrowUp' ? r - 1 : r + 1];
      if (!target || target.length === 0) return null;
      const at = Date.parse(here.startsAt);
      return target.reduce((best, slot) => (Math.abs(Date.parse(slot.startsAt) - at) < Math.abs(Date.parse(best.startsAt) - at) ? slot : best));
    }
  }
}

/** `18.03.2025` of a clinic date `2025-03-18`. */
export function formatClinicDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

/** A visit's date and time on the clinic's clock: `18.03.2025, 9:30`. */
export function formatVisitTime(startsAt: string, timeZone: string): string {
  return `${formatClinicDate(clinicDate(startsAt, timeZone))}, ${clinicTimeOfDay(startsAt, timeZone)}`;
}

/** Roubles as the read-back says them: `1 800 ₽` (no-break spaces, so the figure never wraps). */
export function formatRub(value: number): string {
  return `${String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')}\u00a0₽`;
}

/** Whether the read-back names a price: a paid, ДМС or check-up service with one. */
export function hasPrice(service: Pick<CatalogService, 'kind' | 'priceRub'>): service is Pick<CatalogService, 'kind'> & { priceRub: number } {
  return service.kind !== 'oms' && service.priceRub !== null;
}
