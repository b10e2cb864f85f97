import { seededRandom } from '../../../src-shared/random/seeded-random';
import { addDays, clinicInstant, clinicIso, weekday, zoneOffsetMinutes } from '../../../src-shared/schedule/clinic-time';
import type { Branch, Doctor, Service, Slot } from '../../../src-shared/schedule/schedule-model';

/**
 * A made-up clinic's schedule for the bench and tests: deterministic for a seed, synthetic
 * through and through (no real names, no real patients). Specialties are weighted like a city
 * polyclinic's (many therapists and paediatricians, few urologists); each doctor works one
 * shift (07:00–14:00, 14:00–21:00 or 08:00–20:00) on six days of seven; the day is cut into
 * the grid cells many MIS keep (5 minutes by default; a visit books one cell or several), so
 * 200 doctors over 14 days hold ≈250,000 slots; about 60% are booked (naming a patient), 5%
 * blocked, the rest free.
 */
export interface SyntheticScheduleOptions {
  /** Doctors in the clinic (default 200). */
  doctors?: number;
  /** Days from `today` (default 14). */
  days?: number;
  /** Length of a slot (a grid cell), minutes (default 5). */
  slotMinutes?: number;
  /** The first day, clinic-local `YYYY-MM-DD`. */
  today: string;
  timeZone: string;
  seed?: number;
}

export interface SyntheticSchedule {
  branches: Branch[];
  doctors: Doctor[];
  services: Service[];
  slots: Slot[];
  specialties: string[];
}

/** Specialty, share of the doctors, length of a visit in minutes (the services'). */
const SPECIALTIES: readonly (readonly [string, number, number])[] = [
  ['терапевт', 20, 15],
  ['педиатр', 12, 15],
  ['хирург', 6, 15],
  ['невролог', 8, 20],
  ['кардиолог', 6, 20],
  ['офтальмолог', 7, 15],
  ['ЛОР', 7, 15],
  ['гинеколог', 8, 20],
  ['уролог', 5, 15],
  ['эндокринолог', 6, 20],
  ['дерматолог', 5, 15],
  ['УЗИ', 10, 10],
];

/** Shifts (clinic-local minutes since midnight): early, late, a long day. */
const SHIFTS: readonly (readonly [number, number])[] = [
  [7 * 60, 14 * 60],
  [14 * 60, 21 * 60],
  [8 * 60, 20 * 60],
];

const BRANCHES: readonly Omit<Branch, 'version'>[] = [
  { id: 'B-1', name: 'Центральный филиал', address: 'ул. Садовая, 1' },
  { id: 'B-2', name: 'Северный филиал', address: 'пр. Северный, 12' },
  { id: 'B-3', name: 'Южный филиал', address: 'ул. Южная, 7' },
  { id: 'B-4', name: 'Западный филиал', address: 'ул. Заречная, 30' },
];

const SURNAMES = ['Смирнова', 'Иванов', 'Кузнецова', 'Попов', 'Васильева', 'Петров', 'Соколова', 'Михайлов', 'Новикова', 'Фёдоров', 'Морозова', 'Волков'];
const INITIALS = ['А. П.', 'О. С.', 'И. В.', 'Е. Н.', 'М. А.', 'Т. Г.', 'Н. И.'];

/** Builds the whole schedule in memory (≈250,000 slots at the defaults). */
export function syntheticSchedule(options: SyntheticScheduleOptions): SyntheticSchedule {
  const random = seededRandom(options.seed ?? 20_261_207);
  const doctorCount = options.doctors ?? 200;
  const days = options.days ?? 14;
  const totalWeight = SPECIALTIES.reduce((sum, [, weight]) => sum + weight, 0);
  const branches: Branch[] = BRANCHES.map((branch) => ({ ...branch, version: 1 }));
  const doctors: Doctor[] = [];
  const minutes = options.slotMinutes ?? 5;
  // Doctors by specialty in proportion to the weights (largest remainders get the rest).
  const exact = SPECIALTIES.map(([, weight]) => (doctorCount * weight) / totalWeight);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  const missing = doctorCount - counts.reduce((sum, c) => sum + c, 0);
  for (let i = 0; i < missing; i++) counts[byRemainder[i % byRemainder.length]!.index]! += 1;
  let assigned = 0;
  SPECIALTIES.forEach(([specialty], index) => {
    const count = counts[index]!;
    for (let i = 0; i < count; i++) {
      const n = assigned + i;
      const id = `D-${String(n + 1).padStart(3, '0')}`;
      doctors.push({
        id,
        version: 1,
        name: `${SURNAMES[n % SURNAMES.length]} ${INITIALS[(n * 5) % INITIALS.length]}`,
        specialty,
        branchId: BRANCHES[n % BRANCHES.length]!.id,
        room: String(100 + n),
      });
    }
    assigned += count;
  });
  const services: Service[] = SPECIALTIES.flatMap(([specialty, , visit], index) => [
    { id: `SV-${index + 1}-oms`, version: 1, name: `Приём (${specialty}), ОМС`, specialty, durationMin: visit, kind: 'oms' as const, priceRub: null, prepare: 'паспорт, полис ОМС' },
    { id: `SV-${index + 1}-paid`, version: 1, name: `Приём (${specialty}), платно`, specialty, durationMin: visit * 2, kind: 'paid' as const, priceRub: 1_500 + index * 100, prepare: null },
  ]);
  const serviceOf = new Map(SPECIALTIES.map(([specialty], index) => [specialty, `SV-${index + 1}-oms`]));
  const slots: Slot[] = [];
  for (const [n, doctor] of doctors.entries()) {
    const [from, to] = SHIFTS[n % SHIFTS.length]!;
    const dayOff = n % 7;
    for (let day = 0; day < days; day++) {
      const date = addDays(options.today, day);
      if (weekday(date) === dayOff) continue;
      const iso = isoOfDay(date, options.timeZone);
      const compact = date.replace(/-/g, '');
      for (let start = from; start + minutes <= to; start += minutes) {
        const roll = random();
        const state = roll < 0.6 ? 'booked' : roll < 0.65 ? 'blocked' : 'free';
        const id = `S-${doctor.id.slice(2)}-${compact}-${String(start).padStart(4, '0')}`;
        const startsAt = iso(start);
        slots.push({
          id,
          version: 1,
          doctorId: doctor.id,
          startsAt,
          durationMin: minutes,
          state,
          patientMisId: state === 'booked' ? String(1_000_000 + Math.floor(random() * 1_000_000)) : null,
          appointmentId: state === 'booked' ? `A-${id.slice(2)}` : null,
          serviceId: state === 'booked' ? (serviceOf.get(doctor.specialty) ?? null) : null,
        });
      }
    }
  }
  return { branches, doctors, services, slots, specialties: SPECIALTIES.map(([specialty]) => specialty) };
}

/**
 * `minutes → ISO text` for one clinic day: on a day without a clock change (every day in most
 * zones) the day's one offset is formatted once; on a change day each time asks `clinicIso`.
 */
function isoOfDay(date: string, timeZone: string): (minutes: number) => string {
  const midnight = clinicInstant(date, 0, timeZone);
  const offset = zoneOffsetMinutes(midnight, timeZone);
  if (offset !== zoneOffsetMinutes(midnight + 86_399_000, timeZone)) return (minutes) => clinicIso(date, minutes, timeZone);
  const abs = Math.abs(offset);
  const suffix = `:00${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (minutes) => `${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}${suffix}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
