import type { ServiceKind } from '../../../../src-shared/schedule/schedule-model';

/**
 * The demo clinic's catalog (docs/architecture.md, "Connectors"): two branches of an outpatient
 * clinic, forty doctors of twelve specialties and what they offer. All invented; the names are
 * common Russian names and the addresses are street names with made-up numbers. Pure data:
 * `demo-schedule.ts` turns it into slots.
 */

export interface BranchData {
  id: string;
  name: string;
  address: string;
}

/** A specialty as the clinic schedules it: one slot length for all its doctors. */
export interface SpecialtyData {
  name: string;
  slotMin: number;
  /** «у терапевта»: how a recall says whom the repeat visit is with; null when there are no recalls. */
  recallWith: string | null;
  /** Relative weight among recalls (0: none). */
  recallWeight: number;
}

/**
 * A doctor's working week:
 * - `weekdays`: `am` 8:00–14:00, `pm` 14:00–20:00, `even-am` mornings on even dates and
 *   afternoons on odd ones (the polyclinic's «чётные / нечётные»), `odd-am` the other way round,
 *   `lab` 7:30–11:00 (blood is taken in the morning);
 * - `saturday`: `am` 9:00–14:00, `pm` 14:00–18:00, `lab` 8:00–11:00, or not at all;
 * - `sunday`: `day` 10:00–18:00 (the duty doctor), or not at all;
 * - `daysOff`: weekdays (1 Monday … 5 Friday) off.
 */
export interface DoctorData {
  id: string;
  name: string;
  specialty: string;
  branchId: string;
  room: string;
  weekdays: 'am' | 'pm' | 'even-am' | 'odd-am' | 'lab';
  saturday?: 'am' | 'pm' | 'lab';
  sunday?: 'day';
  daysOff?: readonly number[];
}

export interface ServiceData {
  id: string;
  name: string;
  specialty: string;
  kind: ServiceKind;
  priceRub: number | null;
  prepare: string | null;
}

/** A shift on the clinic's clock, minutes since midnight; the break is `[breakFrom, breakTo)`, none when equal. */
export interface ShiftData {
  from: number;
  to: number;
  breakFrom: number;
  breakTo: number;
}

const h = (hours: number, minutes = 0) => hours * 60 + minutes;

export const SHIFTS = {
  am: { from: h(8), to: h(14), breakFrom: h(11), breakTo: h(11, 30) },
  pm: { from: h(14), to: h(20), breakFrom: h(17), breakTo: h(17, 30) },
  lab: { from: h(7, 30), to: h(11), breakFrom: 0, breakTo: 0 },
  'sat-am': { from: h(9), to: h(14), breakFrom: 0, breakTo: 0 },
  'sat-pm': { from: h(14), to: h(18), breakFrom: 0, breakTo: 0 },
  'sat-lab': { from: h(8), to: h(11), breakFrom: 0, breakTo: 0 },
  'sun-day': { from: h(10), to: h(18), breakFrom: h(13), breakTo: h(13, 30) },
} as const satisfies Record<string, ShiftData>;

/** Slots starting before this (clinic time) are the morning's, which fill first. */
export const AFTERNOON_FROM_MIN = h(14);

export const BRANCHES: readonly BranchData[] = [
  { id: 'b1', name: 'Поликлиника на Ленинском', address: 'г. Москва, Ленинский проспект, д. 87' },
  { id: 'b2', name: 'Филиал в Митино', address: 'г. Москва, Митинская улица, д. 36, корп. 2' },
];

export const SPECIALTIES: readonly SpecialtyData[] = [
  { name: 'терапевт', slotMin: 15, recallWith: 'у терапевта', recallWeight: 6 },
  { name: 'педиатр', slotMin: 15, recallWith: 'у педиатра', recallWeight: 3 },
  { name: 'гинеколог', slotMin: 20, recallWith: 'у гинеколога', recallWeight: 3 },
  { name: 'невролог', slotMin: 20, recallWith: 'у невролога', recallWeight: 3 },
  { name: 'офтальмолог', slotMin: 20, recallWith: 'у офтальмолога', recallWeight: 2 },
  { name: 'ЛОР', slotMin: 15, recallWith: 'у ЛОР-врача', recallWeight: 2 },
  { name: 'кардиолог', slotMin: 30, recallWith: 'у кардиолога', recallWeight: 4 },
  { name: 'эндокринолог', slotMin: 30, recallWith: 'у эндокринолога', recallWeight: 4 },
  { name: 'хирург', slotMin: 20, recallWith: 'у хирурга', recallWeight: 2 },
  { name: 'УЗИ', slotMin: 20, recallWith: null, recallWeight: 0 },
  { name: 'ЭКГ', slotMin: 15, recallWith: null, recallWeight: 0 },
  { name: 'анализы', slotMin: 10, recallWith: null, recallWeight: 0 },
];

export const DOCTORS: readonly DoctorData[] = [
  // терапевты
  { id: 'd01', name: 'Смирнова Ольга Петровна', specialty: 'терапевт', branchId: 'b1', room: 'каб. 214', weekdays: 'even-am', saturday: 'pm' },
  { id: 'd02', name: 'Кузнецов Андрей Викторович', specialty: 'терапевт', branchId: 'b1', room: 'каб. 215', weekdays: 'odd-am' },
  { id: 'd03', name: 'Белова Марина Сергеевна', specialty: 'терапевт', branchId: 'b1', room: 'каб. 216', weekdays: 'am', sunday: 'day' },
  { id: 'd04', name: 'Громова Наталья Игоревна', specialty: 'терапевт', branchId: 'b1', room: 'каб. 217', weekdays: 'pm', saturday: 'am' },
  { id: 'd05', name: 'Орлов Дмитрий Алексеевич', specialty: 'терапевт', branchId: 'b1', room: 'каб. 218', weekdays: 'even-am', daysOff: [3] },
  { id: 'd06', name: 'Захарова Елена Викторовна', specialty: 'терапевт', branchId: 'b2', room: 'каб. 112', weekdays: 'odd-am', saturday: 'pm' },
  { id: 'd07', name: 'Тихонов Сергей Николаевич', specialty: 'терапевт', branchId: 'b2', room: 'каб. 113', weekdays: 'even-am' },
  { id: 'd08', name: 'Лебедева Анна Михайловна', specialty: 'терапевт', branchId: 'b2', room: 'каб. 114', weekdays: 'pm', sunday: 'day' },
  { id: 'd09', name: 'Киселёва Татьяна Юрьевна', specialty: 'терапевт', branchId: 'b2', room: 'каб. 115', weekdays: 'am', daysOff: [5] },
  // педиатры
  { id: 'd10', name: 'Воронцова Ирина Александровна', specialty: 'педиатр', branchId: 'b1', room: 'каб. 301', weekdays: 'even-am', saturday: 'am' },
  { id: 'd11', name: 'Мельникова Светлана Олеговна', specialty: 'педиатр', branchId: 'b1', room: 'каб. 302', weekdays: 'odd-am' },
  { id: 'd12', name: 'Сафонов Павел Геннадьевич', specialty: 'педиатр', branchId: 'b1', room: 'каб. 303', weekdays: 'pm' },
  { id: 'd13', name: 'Голубева Юлия Андреевна', specialty: 'педиатр', branchId: 'b2', room: 'каб. 201', weekdays: 'even-am', sunday: 'day' },
  { id: 'd14', name: 'Ершова Людмила Васильевна', specialty: 'педиатр', branchId: 'b2', room: 'каб. 202', weekdays: 'odd-am', saturday: 'am' },
  { id: 'd15', name: 'Нестерова Ксения Дмитриевна', specialty: 'педиатр', branchId: 'b2', room: 'каб. 203', weekdays: 'am', daysOff: [1] },
  // гинекологи
  { id: 'd16', name: 'Покровская Елена Аркадьевна', specialty: 'гинеколог', branchId: 'b1', room: 'каб. 220', weekdays: 'even-am', saturday: 'am' },
  { id: 'd17', name: 'Фомина Вера Константиновна', specialty: 'гинеколог', branchId: 'b1', room: 'каб. 221', weekdays: 'odd-am' },
  { id: 'd18', name: 'Кравченко Оксана Петровна', specialty: 'гинеколог', branchId: 'b2', room: 'каб. 120', weekdays: 'pm' },
  // неврологи
  { id: 'd19', name: 'Виноградов Игорь Леонидович', specialty: 'невролог', branchId: 'b1', room: 'каб. 230', weekdays: 'even-am' },
  { id: 'd20', name: 'Соболева Алла Викторовна', specialty: 'невролог', branchId: 'b1', room: 'каб. 231', weekdays: 'pm', daysOff: [2] },
  { id: 'd21', name: 'Журавлёв Константин Сергеевич', specialty: 'невролог', branchId: 'b2', room: 'каб. 121', weekdays: 'odd-am' },
  // офтальмологи
  { id: 'd22', name: 'Румянцева Галина Ивановна', specialty: 'офтальмолог', branchId: 'b1', room: 'каб. 240', weekdays: 'am' },
  { id: 'd23', name: 'Ковалёв Артём Валерьевич', specialty: 'офтальмолог', branchId: 'b1', room: 'каб. 241', weekdays: 'pm', saturday: 'am' },
  { id: 'd24', name: 'Исаева Дарья Романовна', specialty: 'офтальмолог', branchId: 'b2', room: 'каб. 122', weekdays: 'even-am' },
  // ЛОР
  { id: 'd25', name: 'Харитонов Вадим Петрович', specialty: 'ЛОР', branchId: 'b1', room: 'каб. 242', weekdays: 'odd-am', saturday: 'am' },
  { id: 'd26', name: 'Лукьянова Екатерина Борисовна', specialty: 'ЛОР', branchId: 'b1', room: 'каб. 243', weekdays: 'even-am' },
  { id: 'd27', name: 'Шевченко Роман Игоревич', specialty: 'ЛОР', branchId: 'b2', room: 'каб. 123', weekdays: 'pm' },
  // кардиологи
  { id: 'd28', name: 'Богуславская Маргарита Львовна', specialty: 'кардиолог', branchId: 'b1', room: 'каб. 310', weekdays: 'am', daysOff: [5] },
  { id: 'd29', name: 'Назаров Евгений Павлович', specialty: 'кардиолог', branchId: 'b2', room: 'каб. 210', weekdays: 'pm' },
  // эндокринологи
  { id: 'd30', name: 'Левина Инна Марковна', specialty: 'эндокринолог', branchId: 'b1', room: 'каб. 311', weekdays: 'even-am' },
  { id: 'd31', name: 'Аксёнова Полина Сергеевна', specialty: 'эндокринолог', branchId: 'b2', room: 'каб. 211', weekdays: 'odd-am', daysOff: [3] },
  // хирурги
  { id: 'd32', name: 'Архипов Виктор Андреевич', specialty: 'хирург', branchId: 'b1', room: 'каб. 120', weekdays: 'am' },
  { id: 'd33', name: 'Данилов Алексей Игоревич', specialty: 'хирург', branchId: 'b2', room: 'каб. 130', weekdays: 'pm', saturday: 'am' },
  // УЗИ
  { id: 'd34', name: 'Цветкова Лариса Николаевна', specialty: 'УЗИ', branchId: 'b1', room: 'каб. 105', weekdays: 'am', saturday: 'am' },
  { id: 'd35', name: 'Майоров Глеб Олегович', specialty: 'УЗИ', branchId: 'b1', room: 'каб. 106', weekdays: 'pm' },
  { id: 'd36', name: 'Симонова Евгения Павловна', specialty: 'УЗИ', branchId: 'b2', room: 'каб. 105', weekdays: 'even-am' },
  // ЭКГ
  { id: 'd37', name: 'Прохорова Надежда Ивановна', specialty: 'ЭКГ', branchId: 'b1', room: 'каб. 107', weekdays: 'am' },
  { id: 'd38', name: 'Горшкова Валентина Степановна', specialty: 'ЭКГ', branchId: 'b2', room: 'каб. 106', weekdays: 'pm' },
  // процедурные кабинеты
  { id: 'd39', name: 'Кириллова Тамара Алексеевна', specialty: 'анализы', branchId: 'b1', room: 'каб. 101', weekdays: 'lab', saturday: 'lab' },
  { id: 'd40', name: 'Емельянова Раиса Фёдоровна', specialty: 'анализы', branchId: 'b2', room: 'каб. 101', weekdays: 'lab' },
];

const OMS = 'паспорт и полис ОМС';
const DMS = 'паспорт и полис ДМС';
const CHILD_OMS = 'свидетельство о рождении или паспорт ребёнка, полис ОМС ребёнка, паспорт родителя';

/** What each specialty offers; the first service of a specialty is its ОМС visit. Durations are the specialty's slot. */
export const SERVICES: readonly ServiceData[] = [
  { id: 's-ter-oms', name: 'Приём терапевта', specialty: 'терапевт', kind: 'oms', priceRub: null, prepare: OMS },
  { id: 's-ter-paid', name: 'Приём терапевта, платный', specialty: 'терапевт', kind: 'paid', priceRub: 1_900, prepare: 'паспорт' },
  { id: 's-ter-dms', name: 'Приём терапевта по ДМС', specialty: 'терапевт', kind: 'dms', priceRub: 2_300, prepare: DMS },
  { id: 's-ter-cert', name: 'Медицинская справка в бассейн', specialty: 'терапевт', kind: 'paid', priceRub: 900, prepare: 'паспорт' },
  { id: 's-ter-chk', name: 'Check-Up «Базовый»: консультация терапевта', specialty: 'терапевт', kind: 'checkup', priceRub: 7_500, prepare: 'натощак; паспорт; результаты анализов программы' },
  { id: 's-ped-oms', name: 'Приём педиатра', specialty: 'педиатр', kind: 'oms', priceRub: null, prepare: CHILD_OMS },
  { id: 's-ped-paid', name: 'Приём педиатра, платный', specialty: 'педиатр', kind: 'paid', priceRub: 2_000, prepare: 'паспорт родителя' },
  { id: 's-ped-dms', name: 'Приём педиатра по ДМС', specialty: 'педиатр', kind: 'dms', priceRub: 2_400, prepare: 'полис ДМС ребёнка, паспорт родителя' },
  { id: 's-ped-cert', name: 'Справка в детский сад', specialty: 'педиатр', kind: 'paid', priceRub: 1_200, prepare: 'прививочный сертификат, паспорт родителя' },
  { id: 's-gyn-oms', name: 'Приём гинеколога', specialty: 'гинеколог', kind: 'oms', priceRub: null, prepare: OMS },
  { id: 's-gyn-paid', name: 'Приём гинеколога, платный', specialty: 'гинеколог', kind: 'paid', priceRub: 2_500, prepare: 'паспорт' },
  { id: 's-gyn-dms', name: 'Приём гинеколога по ДМС', specialty: 'гинеколог', kind: 'dms', priceRub: 2_800, prepare: DMS },
  { id: 's-gyn-chk', name: 'Check-Up «Женское здоровье»: приём гинеколога', specialty: 'гинеколог', kind: 'checkup', priceRub: 9_900, prepare: 'паспорт; на 5–7-й день цикла' },
  { id: 's-neu-oms', name: 'Приём невролога', specialty: 'невролог', kind: 'oms', priceRub: null, prepare: 'направление терапевта, паспорт и полис ОМС' },
  { id: 's-neu-paid', name: 'Приём невролога, платный', specialty: 'невролог', kind: 'paid', priceRub: 2_600, prepare: 'паспорт; снимки МРТ, если есть' },
  { id: 's-neu-dms', name: 'Приём невролога по ДМС', specialty: 'невролог', kind: 'dms', priceRub: 2_900, prepare: DMS },
  { id: 's-oph-oms', name: 'Приём офтальмолога', specialty: 'офтальмолог', kind: 'oms', priceRub: null, prepare: 'направление терапевта, паспорт и полис ОМС' },
  { id: 's-oph-paid', name: 'Приём офтальмолога с подбором очков', specialty: 'офтальмолог', kind: 'paid', priceRub: 2_400, prepare: 'очки или линзы, которые носите; без линз за 2 часа' },
  { id: 's-oph-dms', name: 'Приём офтальмолога по ДМС', specialty: 'офтальмолог', kind: 'dms', priceRub: 2_700, prepare: DMS },
  { id: 's-ent-oms', name: 'Приём оториноларинголога (ЛОР)', specialty: 'ЛОР', kind: 'oms', priceRub: null, prepare: 'направление терапевта, паспорт и полис ОМС' },
  { id: 's-ent-paid', name: 'Приём ЛОР-врача, платный', specialty: 'ЛОР', kind: 'paid', priceRub: 2_200, prepare: 'паспорт' },
  { id: 's-ent-dms', name: 'Приём ЛОР-врача по ДМС', specialty: 'ЛОР', kind: 'dms', priceRub: 2_600, prepare: DMS },
  { id: 's-car-oms', name: 'Приём кардиолога', specialty: 'кардиолог', kind: 'oms', priceRub: null, prepare: 'направление терапевта, ЭКГ не старше месяца, паспорт и полис ОМС' },
  { id: 's-car-paid', name: 'Приём кардиолога, платный', specialty: 'кардиолог', kind: 'paid', priceRub: 3_000, prepare: 'паспорт; прежние ЭКГ и анализы, если есть' },
  { id: 's-car-dms', name: 'Приём кардиолога по ДМС', specialty: 'кардиолог', kind: 'dms', priceRub: 3_300, prepare: DMS },
  { id: 's-car-chk', name: 'Check-Up «Сердце»: приём кардиолога', specialty: 'кардиолог', kind: 'checkup', priceRub: 12_500, prepare: 'натощак; паспорт' },
  { id: 's-end-oms', name: 'Приём эндокринолога', specialty: 'эндокринолог', kind: 'oms', priceRub: null, prepare: 'направление терапевта, анализ крови на сахар, паспорт и полис ОМС' },
  { id: 's-end-paid', name: 'Приём эндокринолога, платный', specialty: 'эндокринолог', kind: 'paid', priceRub: 2_900, prepare: 'паспорт; результаты анализов на гормоны, если есть' },
  { id: 's-end-dms', name: 'Приём эндокринолога по ДМС', specialty: 'эндокринолог', kind: 'dms', priceRub: 3_200, prepare: DMS },
  { id: 's-sur-oms', name: 'Приём хирурга', specialty: 'хирург', kind: 'oms', priceRub: null, prepare: OMS },
  { id: 's-sur-paid', name: 'Приём хирурга, платный', specialty: 'хирург', kind: 'paid', priceRub: 2_300, prepare: 'паспорт' },
  { id: 's-sur-nail', name: 'Удаление вросшего ногтя', specialty: 'хирург', kind: 'paid', priceRub: 4_500, prepare: 'паспорт; чистые носки и свободная обувь' },
  { id: 's-usd-oms', name: 'УЗИ по направлению врача', specialty: 'УЗИ', kind: 'oms', priceRub: null, prepare: 'направление врача, паспорт и полис ОМС, пелёнка' },
  { id: 's-usd-abd', name: 'УЗИ органов брюшной полости', specialty: 'УЗИ', kind: 'paid', priceRub: 2_400, prepare: 'натощак, 6–8 часов без еды; за 2 дня без газированных напитков' },
  { id: 's-usd-thy', name: 'УЗИ щитовидной железы', specialty: 'УЗИ', kind: 'paid', priceRub: 1_800, prepare: 'паспорт' },
  { id: 's-usd-pel', name: 'УЗИ органов малого таза', specialty: 'УЗИ', kind: 'paid', priceRub: 2_200, prepare: 'полный мочевой пузырь: выпить литр воды за час до' },
  { id: 's-usd-dms', name: 'УЗИ по ДМС', specialty: 'УЗИ', kind: 'dms', priceRub: 2_600, prepare: 'полис ДМС и направление врача' },
  { id: 's-ecg-oms', name: 'ЭКГ с расшифровкой', specialty: 'ЭКГ', kind: 'oms', priceRub: null, prepare: 'направление терапевта, паспорт и полис ОМС' },
  { id: 's-ecg-paid', name: 'ЭКГ с расшифровкой, платно', specialty: 'ЭКГ', kind: 'paid', priceRub: 900, prepare: 'паспорт' },
  { id: 's-ecg-holter', name: 'Холтеровское мониторирование: установка', specialty: 'ЭКГ', kind: 'paid', priceRub: 3_200, prepare: 'принять душ накануне; свободная одежда' },
  { id: 's-lab-oms', name: 'Общий анализ крови', specialty: 'анализы', kind: 'oms', priceRub: null, prepare: 'натощак; направление терапевта, паспорт и полис ОМС' },
  { id: 's-lab-bio', name: 'Биохимический анализ крови', specialty: 'анализы', kind: 'paid', priceRub: 1_400, prepare: 'натощак, 8–12 часов без еды' },
  { id: 's-lab-thy', name: 'Анализ крови на гормоны щитовидной железы', specialty: 'анализы', kind: 'paid', priceRub: 1_100, prepare: 'утром, натощак' },
  { id: 's-lab-dms', name: 'Анализы по ДМС', specialty: 'анализы', kind: 'dms', priceRub: 1_500, prepare: 'натощак; полис ДМС и направление врача' },
  { id: 's-lab-chk', name: 'Check-Up «Базовый»: анализы', specialty: 'анализы', kind: 'checkup', priceRub: 3_500, prepare: 'натощак, 8–12 часов без еды' },
];

/** How a «results ready» task words it; never what the results say. */
export const RESULTS_REASONS: readonly string[] = [
  'готовы результаты анализов',
  'готовы результаты анализов крови',
  'готово заключение УЗИ',
  'готова расшифровка ЭКГ',
];
