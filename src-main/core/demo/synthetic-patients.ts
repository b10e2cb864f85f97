import { daysInMonth, type Appointment, type PatientCard, type PatientPhone } from '../../../src-shared/patients/patient-card';
import { snilsControlNumber } from '../../../src-shared/patients/snils';
import { seededRandom } from '../../../src-shared/random/seeded-random';
import type { PersonName } from '../../../src-shared/patients/name-folding';

/**
 * Deterministic synthetic patients for the demo MIS, tests and the bench. Every card is a
 * pure function of (seed, index), so card 123 456 can be rebuilt without generating the
 * 123 455 before it, and a run is reproducible bit for bit. All data is invented: names are
 * drawn from common Russian and Kazakh names, numbers are random, e-mails use example.ru.
 */

export interface SyntheticPatientsOptions {
  count: number;
  seed?: number;
  /** First index (default 0), to generate a slice of a larger population. */
  startIndex?: number;
}

/** Fixed "today" of the synthetic world, so visits and appointments do not drift between runs. */
export const SYNTHETIC_TODAY = { year: 2026, month: 11, day: 1 } as const;

type Weighted<T> = readonly (readonly [T, number])[];

// [male form, female form, weight]; weights roughly follow Russian surname frequency.
const SURNAMES: readonly (readonly [string, string, number])[] = [
  ['Иванов', 'Иванова', 40], ['Смирнов', 'Смирнова', 38], ['Кузнецов', 'Кузнецова', 30], ['Попов', 'Попова', 28],
  ['Васильев', 'Васильева', 24], ['Петров', 'Петрова', 24], ['Соколов', 'Соколова', 22], ['Михайлов', 'Михайлова', 20],
  ['Новиков', 'Новикова', 18], ['Фёдоров', 'Фёдорова', 18], ['Морозов', 'Морозова', 17], ['Волков', 'Волкова', 17],
  ['Алексеев', 'Алексеева', 16], ['Лебедев', 'Лебедева', 16], ['Семёнов', 'Семёнова', 15], ['Егоров', 'Егорова', 15],
  ['Павлов', 'Павлова', 14], ['Козлов', 'Козлова', 14], ['Степанов', 'Степанова', 13], ['Николаев', 'Николаева', 13],
  ['Орлов', 'Орлова', 12], ['Андреев', 'Андреева', 12], ['Макаров', 'Макарова', 12], ['Никитин', 'Никитина', 11],
  ['Захаров', 'Захарова', 11], ['Зайцев', 'Зайцева', 11], ['Соловьёв', 'Соловьёва', 10], ['Борисов', 'Борисова', 10],
  ['Яковлев', 'Яковлева', 10], ['Григорьев', 'Григорьева', 10], ['Романов', 'Романова', 9], ['Воробьёв', 'Воробьёва', 9],
  ['Сергеев', 'Сергеева', 9], ['Кузьмин', 'Кузьмина', 9], ['Фролов', 'Фролова', 8], ['Александров', 'Александрова', 8],
  ['Дмитриев', 'Дмитриева', 8], ['Королёв', 'Королёва', 8], ['Гусев', 'Гусева', 8], ['Киселёв', 'Киселёва', 8],
  ['Ильин', 'Ильина', 7], ['Максимов', 'Максимова', 7], ['Поляков', 'Полякова', 7], ['Сорокин', 'Сорокина', 7],
  ['Виноградов', 'Виноградова', 7], ['Ковалёв', 'Ковалёва', 7], ['Белов', 'Белова', 7], ['Медведев', 'Медведева', 7],
  ['Антонов', 'Антонова', 6], ['Тарасов', 'Тарасова', 6], ['Жуков', 'Жукова', 6], ['Баранов', 'Баранова', 6],
  ['Филиппов', 'Филиппова', 6], ['Комаров', 'Комарова', 6], ['Давыдов', 'Давыдова', 6], ['Беляев', 'Беляева', 6],
  ['Герасимов', 'Герасимова', 5], ['Богданов', 'Богданова', 5], ['Осипов', 'Осипова', 5], ['Сидоров', 'Сидорова', 5],
  ['Матвеев', 'Матвеева', 5], ['Титов', 'Титова', 5], ['Марков', 'Маркова', 5], ['Миронов', 'Миронова', 5],
  ['Крылов', 'Крылова', 5], ['Куликов', 'Куликова', 5], ['Карпов', 'Карпова', 5], ['Власов', 'Власова', 5],
  ['Мельников', 'Мельникова', 5], ['Денисов', 'Денисова', 5], ['Гаврилов', 'Гаврилова', 4], ['Тихонов', 'Тихонова', 4],
  ['Казаков', 'Казакова', 4], ['Афанасьев', 'Афанасьева', 4], ['Данилов', 'Данилова', 4], ['Савельев', 'Савельева', 4],
  ['Тимофеев', 'Тимофеева', 4], ['Фомин', 'Фомина', 4], ['Чернов', 'Чернова', 4], ['Абрамов', 'Абрамова', 4],
  ['Мартынов', 'Мартынова', 4], ['Ефимов', 'Ефимова', 4], ['Федотов', 'Федотова', 4], ['Щербаков', 'Щербакова', 4],
  ['Назаров', 'Назарова', 4], ['Калинин', 'Калинина', 4], ['Исаев', 'Исаева', 4], ['Чернышёв', 'Чернышёва', 3],
  ['Быков', 'Быкова', 3], ['Маслов', 'Маслова', 3], ['Родионов', 'Родионова', 3], ['Коновалов', 'Коновалова', 3],
  ['Лазарев', 'Лазарева', 3], ['Воронин', 'Воронина', 3], ['Климов', 'Климова', 3], ['Филатов', 'Филатова', 3],
  ['Пономарёв', 'Пономарёва', 3], ['Голубев', 'Голубева', 3], ['Кудрявцев', 'Кудрявцева', 3], ['Прохоров', 'Прохорова', 3],
  ['Наумов', 'Наумова', 3], ['Потапов', 'Потапова', 3], ['Журавлёв', 'Журавлёва', 3], ['Овчинников', 'Овчинникова', 3],
  ['Трофимов', 'Трофимова', 3], ['Леонов', 'Леонова', 3], ['Соболев', 'Соболева', 3], ['Ермаков', 'Ермакова', 3],
  ['Колесников', 'Колесникова', 3], ['Гончаров', 'Гончарова', 3], ['Емельянов', 'Емельянова', 3], ['Никифоров', 'Никифорова', 3],
  ['Грачёв', 'Грачёва', 2], ['Котов', 'Котова', 2], ['Гришин', 'Гришина', 2], ['Ефремов', 'Ефремова', 2],
  ['Архипов', 'Архипова', 2], ['Громов', 'Громова', 2], ['Кириллов', 'Кириллова', 2], ['Малышев', 'Малышева', 2],
  ['Панов', 'Панова', 2], ['Моисеев', 'Моисеева', 2], ['Румянцев', 'Румянцева', 2], ['Акимов', 'Акимова', 2],
  ['Кондратьев', 'Кондратьева', 2], ['Бирюков', 'Бирюкова', 2], ['Горбунов', 'Горбунова', 2], ['Анисимов', 'Анисимова', 2],
  ['Ерёмин', 'Ерёмина', 2], ['Тихомиров', 'Тихомирова', 2], ['Галкин', 'Галкина', 2], ['Лукьянов', 'Лукьянова', 2],
  ['Михеев', 'Михеева', 2], ['Скворцов', 'Скворцова', 2], ['Юдин', 'Юдина', 2], ['Белоусов', 'Белоусова', 2],
  ['Нестеров', 'Нестерова', 2], ['Симонов', 'Симонова', 2], ['Прокофьев', 'Прокофьева', 2], ['Харитонов', 'Харитонова', 2],
  ['Князев', 'Князева', 2], ['Цветков', 'Цветкова', 2], ['Левин', 'Левина', 2], ['Митрофанов', 'Митрофанова', 2],
  ['Воронцов', 'Воронцова', 2], ['Аксёнов', 'Аксёнова', 2], ['Софронов', 'Софронова', 2], ['Мальцев', 'Мальцева', 2],
  ['Логинов', 'Логинова', 2], ['Горшков', 'Горшкова', 2], ['Савин', 'Савина', 2], ['Краснов', 'Краснова', 2],
  ['Майоров', 'Майорова', 2], ['Демидов', 'Демидова', 2], ['Елисеев', 'Елисеева', 2], ['Рыбаков', 'Рыбакова', 2],
  ['Сафонов', 'Сафонова', 2], ['Плотников', 'Плотникова', 2], ['Дьячков', 'Дьячкова', 1], ['Ершов', 'Ершова', 1],
  ['Вишневский', 'Вишневская', 2], ['Покровский', 'Покровская', 2], ['Сокольский', 'Сокольская', 1], ['Богуславский', 'Богуславская', 1],
  ['Шевченко', 'Шевченко', 3], ['Бондаренко', 'Бондаренко', 2], ['Ткаченко', 'Ткаченко', 2], ['Кравченко', 'Кравченко', 2],
  ['Коваленко', 'Коваленко', 2], ['Черных', 'Черных', 2], ['Седых', 'Седых', 1], ['Ким', 'Ким', 2], ['Ли', 'Ли', 1],
  ['Толстой', 'Толстая', 1], ['Абрамович', 'Абрамович', 1], ['Гринберг', 'Гринберг', 1], ['Шульц', 'Шульц', 1],
];

const MALE_NAMES: Weighted<string> = [
  ['Александр', 40], ['Сергей', 36], ['Дмитрий', 32], ['Андрей', 30], ['Алексей', 30], ['Максим', 22], ['Евгений', 20],
  ['Иван', 20], ['Михаил', 20], ['Артём', 16], ['Владимир', 18], ['Николай', 14], ['Игорь', 12], ['Роман', 12],
  ['Олег', 10], ['Павел', 12], ['Юрий', 10], ['Виктор', 10], ['Кирилл', 10], ['Денис', 10], ['Никита', 10], ['Илья', 10],
  ['Антон', 9], ['Егор', 8], ['Виталий', 6], ['Вадим', 6], ['Константин', 6], ['Георгий', 5], ['Григорий', 4],
  ['Пётр', 5], ['Семён', 4], ['Фёдор', 4], ['Лев', 4], ['Матвей', 5], ['Тимофей', 4], ['Ярослав', 4], ['Даниил', 6],
  ['Станислав', 4], ['Валерий', 4], ['Анатолий', 4], ['Леонид', 3], ['Борис', 3], ['Геннадий', 3], ['Василий', 4],
];

const FEMALE_NAMES: Weighted<string> = [
  ['Елена', 36], ['Ольга', 32], ['Наталья', 32], ['Татьяна', 30], ['Анна', 30], ['Мария', 28], ['Ирина', 26],
  ['Екатерина', 24], ['Светлана', 20], ['Юлия', 20], ['Анастасия', 20], ['Марина', 16], ['Людмила', 12], ['Галина', 10],
  ['Дарья', 12], ['Ксения', 10], ['Валентина', 8], ['Надежда', 10], ['Алёна', 8], ['Алена', 3], ['Виктория', 12],
  ['Полина', 10], ['Софья', 10], ['Александра', 10], ['Вера', 6], ['Любовь', 6], ['Лариса', 6], ['Оксана', 6],
  ['Кристина', 6], ['Алина', 8], ['Евгения', 6], ['Валерия', 6], ['Яна', 4], ['Маргарита', 4], ['Нина', 5],
  ['Зинаида', 2], ['Тамара', 4], ['Лидия', 3], ['Варвара', 4], ['Ульяна', 3], ['Таисия', 2], ['Василиса', 2],
];

// Patronymic forms of every male name above: [male, female].
const PATRONYMICS: Record<string, readonly [string, string]> = {
  Александр: ['Александрович', 'Александровна'], Сергей: ['Сергеевич', 'Сергеевна'], Дмитрий: ['Дмитриевич', 'Дмитриевна'],
  Андрей: ['Андреевич', 'Андреевна'], Алексей: ['Алексеевич', 'Алексеевна'], Максим: ['Максимович', 'Максимовна'],
  Евгений: ['Евгеньевич', 'Евгеньевна'], Иван: ['Иванович', 'Ивановна'], Михаил: ['Михайлович', 'Михайловна'],
  Артём: ['Артёмович', 'Артёмовна'], Владимир: ['Владимирович', 'Владимировна'], Николай: ['Николаевич', 'Николаевна'],
  Игорь: ['Игоревич', 'Игоревна'], Роман: ['Романович', 'Романовна'], Олег: ['Олегович', 'Олеговна'], Павел: ['Павлович', 'Павловна'],
  Юрий: ['Юрьевич', 'Юрьевна'], Виктор: ['Викторович', 'Викторовна'], Кирилл: ['Кириллович', 'Кирилловна'],
  Денис: ['Денисович', 'Денисовна'], Никита: ['Никитич', 'Никитична'], Илья: ['Ильич', 'Ильинична'], Антон: ['Антонович', 'Антоновна'],
  Егор: ['Егорович', 'Егоровна'], Виталий: ['Витальевич', 'Витальевна'], Вадим: ['Вадимович', 'Вадимовна'],
  Константин: ['Константинович', 'Константиновна'], Георгий: ['Георгиевич', 'Георгиевна'], Григорий: ['Григорьевич', 'Григорьевна'],
  Пётр: ['Петрович', 'Петровна'], Семён: ['Семёнович', 'Семёновна'], Фёдор: ['Фёдорович', 'Фёдоровна'], Лев: ['Львович', 'Львовна'],
  Матвей: ['Матвеевич', 'Матвеевна'], Тимофей: ['Тимофеевич', 'Тимофеевна'], Ярослав: ['Ярославович', 'Ярославовна'],
  Даниил: ['Даниилович', 'Данииловна'], Станислав: ['Станиславович', 'Станиславовна'], Валерий: ['Валерьевич', 'Валерьевна'],
  Анатолий: ['Анатольевич', 'Анатольевна'], Леонид: ['Леонидович', 'Леонидовна'], Борис: ['Борисович', 'Борисовна'],
  Геннадий: ['Геннадьевич', 'Геннадьевна'], Василий: ['Васильевич', 'Васильевна'],
  Ержан: ['Ержанович', 'Ержановна'], Нурлан: ['Нурланович', 'Нурлановна'], Серик: ['Серикович', 'Сериковна'],
  Кайрат: ['Кайратович', 'Кайратовна'], Марат: ['Маратович', 'Маратовна'], Болат: ['Болатович', 'Болатовна'],
};

// About 4% of patients: Kazakh names (the +7 7xx numbers of Kazakhstan share the country code).
const KAZAKH_SURNAMES: readonly (readonly [string, string, number])[] = [
  ['Каиров', 'Каирова', 3], ['Ержанов', 'Ержанова', 3], ['Нурланов', 'Нурланова', 3], ['Сериков', 'Серикова', 3],
  ['Ахметов', 'Ахметова', 4], ['Жумабаев', 'Жумабаева', 3], ['Касымов', 'Касымова', 3], ['Омаров', 'Омарова', 3],
  ['Искаков', 'Искакова', 2], ['Бекмуханов', 'Бекмуханова', 2], ['Абенов', 'Абенова', 2], ['Калиев', 'Калиева', 2],
];
const KAZAKH_MALE_NAMES: Weighted<string> = [['Ержан', 5], ['Нурлан', 5], ['Серик', 4], ['Кайрат', 4], ['Марат', 4], ['Болат', 3], ['Каиржан', 3], ['Данияр', 3], ['Асхат', 2]];
const KAZAKH_FEMALE_NAMES: Weighted<string> = [['Айгерим', 5], ['Динара', 4], ['Асель', 4], ['Алия', 4], ['Гульнара', 3], ['Жанар', 2], ['Сауле', 2], ['Мадина', 3]];
const KAZAKH_FATHERS = ['Ержан', 'Нурлан', 'Серик', 'Кайрат', 'Марат', 'Болат'] as const;

const CITIES: Weighted<readonly [string, readonly string[]]> = [
  [['Москва', ['495', '499']], 60],
  [['Санкт-Петербург', ['812']], 20],
  [['Екатеринбург', ['343']], 10],
  [['Новосибирск', ['383']], 10],
];
const STREETS = ['Ленина', 'Гагарина', 'Мира', 'Советская', 'Садовая', 'Лесная', 'Школьная', 'Молодёжная', 'Пушкина', 'Набережная', 'Профсоюзная', 'Тверская', 'Новая', 'Зелёная', 'Центральная'];
const INSURERS = ['СОГАЗ', 'Ингосстрах', 'РЕСО-Гарантия', 'АльфаСтрахование', 'Ренессанс Страхование', 'Согласие'];
const ALLERGIES = ['пенициллин', 'лидокаин', 'йод', 'латекс', 'амоксициллин', 'аспирин', 'новокаин'];
const SPECIALTIES: readonly (readonly [string, string])[] = [
  ['Терапевт', 'Приём терапевта первичный'], ['Кардиолог', 'Консультация кардиолога'], ['Невролог', 'Приём невролога повторный'],
  ['Гинеколог', 'Приём гинеколога первичный'], ['Офтальмолог', 'Осмотр офтальмолога'], ['Эндокринолог', 'Консультация эндокринолога'],
  ['Оториноларинголог', 'Приём ЛОР-врача'], ['УЗИ', 'УЗИ органов брюшной полости'], ['Стоматолог', 'Лечение кариеса'],
  ['Педиатр', 'Приём педиатра'], ['Хирург', 'Приём хирурга первичный'], ['Дерматолог', 'Консультация дерматолога'],
];
const BRANCHES = ['Центральный филиал', 'Филиал на Садовой', 'Детское отделение'];
const DOCTOR_INITIALS = 'АБВГДЕИКЛМНОПРСТ';
const STATUSES = ['booked', 'confirmed', 'confirmed', 'booked', 'cancelled'] as const;

/** Mixes (seed, index, stream) into one 32-bit state, so each card has independent streams. */
function mix(seed: number, index: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(stream + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Cumulative weights once per table, so a weighted pick is a short scan. */
function weighted<T>(table: Weighted<T>): (r: number) => T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  const cumulative = table.map(([value], i) => [value, table.slice(0, i + 1).reduce((s, [, x]) => s + x, 0) / total] as const);
  cumulative[cumulative.length - 1] = [cumulative[cumulative.length - 1]![0], 1.1];
  return (r) => {
    for (const [value, edge] of cumulative) if (r < edge) return value;
    return cumulative[cumulative.length - 1]![0];
  };
}

const pickSurname = weighted(SURNAMES.map(([m, f, w]) => [[m, f] as const, w] as const));
const pickKazakhSurname = weighted(KAZAKH_SURNAMES.map(([m, f, w]) => [[m, f] as const, w] as const));
const pickMale = weighted(MALE_NAMES);
const pickFemale = weighted(FEMALE_NAMES);
const pickKazakhMale = weighted(KAZAKH_MALE_NAMES);
const pickKazakhFemale = weighted(KAZAKH_FEMALE_NAMES);
const pickCity = weighted(CITIES);
const FATHERS = MALE_NAMES.map(([name]) => name);

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const pick = <T>(r: number, list: readonly T[]): T => list[Math.floor(r * list.length)]!;

/**
 * The mobile number of patient `index` (ten national digits, `9xx…`), computable on its own
 * so a relative's card can carry it: families share phones, and the screen pop must offer a chooser.
 */
export function syntheticMobile(index: number, seed = 1): string {
  const r = seededRandom(mix(seed, index, 7));
  return `9${pad(Math.floor(r() * 1_000_000_000), 9)}`;
}

function phone(national10: string, kind: PatientPhone['kind']): PatientPhone {
  return { e164: `+7${national10}`, national10, kind };
}

/** СНИЛС with its real control number (so validators downstream accept it). */
function snilsFor(number9: string): string {
  return number9 + pad(snilsControlNumber(number9), 2);
}

/**
 * The name of card number `index` alone, exactly as {@link syntheticPatient} draws it (its first
 * draws), at a fraction of the cost: what the demo MIS's name search reads for each patient.
 */
export function syntheticPatientName(index: number, seed = 1): PersonName {
  return drawName(seededRandom(mix(seed, index, 0)));
}

/** The name's draws, the first of every card's: `female` and `kazakh` first, then the name itself. */
function drawName(r: () => number): PersonName & { female: boolean; kazakh: boolean } {
  const female = r() < 0.54;
  const kazakh = r() < 0.04;
  let surname: string;
  let givenName: string;
  let father: string;
  if (kazakh) {
    const forms = pickKazakhSurname(r());
    surname = female ? forms[1] : forms[0];
    givenName = female ? pickKazakhFemale(r()) : pickKazakhMale(r());
    father = pick(r(), KAZAKH_FATHERS);
  } else {
    const forms = pickSurname(r());
    surname = female ? forms[1] : forms[0];
    givenName = female ? pickFemale(r()) : pickMale(r());
    father = pick(r(), FATHERS);
  }
  if (r() < 0.006) {
    // Double-barrelled surnames exist and must be findable by either half.
    const second = pickSurname(r());
    surname = `${surname}-${female ? second[1] : second[0]}`;
  }
  const patronymicForms = PATRONYMICS[father];
  const patronymic = r() < 0.02 || !patronymicForms ? null : female ? patronymicForms[1] : patronymicForms[0];
  return { female, kazakh, surname, givenName, patronymic };
}

/** Card number `index` of the synthetic population `seed`. */
export function syntheticPatient(index: number, seed = 1): PatientCard {
  const r = seededRandom(mix(seed, index, 0));
  const { female, kazakh, surname, givenName, patronymic } = drawName(r);

  // Ages skew adult; 15% children, who usually carry a parent's phone.
  const child = r() < 0.15;
  const year = child ? 2009 + Math.floor(r() * 17) : 1935 + Math.floor(r() * 74);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * daysInMonth(year, month));
  const birthDate = `${year}-${pad(month, 2)}-${pad(day, 2)}`;

  const [city, areaCodes] = pickCity(r());
  const phones: PatientPhone[] = [];
  if (!child || r() < 0.3) {
    const mobile = kazakh && r() < 0.5 ? `7${pick(r(), ['01', '02', '05', '07', '47', '75', '77'])}${pad(Math.floor(r() * 10_000_000), 7)}` : syntheticMobile(index, seed);
    phones.push(phone(mobile, 'mobile'));
  }
  if (r() < 0.18) phones.push(phone(`${pick(r(), areaCodes)}${pad(Math.floor(r() * 10_000_000), 7)}`, 'home'));
  if (r() < 0.05) phones.push(phone(`${pick(r(), areaCodes)}${pad(Math.floor(r() * 10_000_000), 7)}`, 'work'));
  if (index > 0 && (child || r() < 0.08)) phones.push(phone(syntheticMobile(index - 1, seed), 'relative'));

  const appointments: Appointment[] = [];
  const appointmentCount = r() < 0.7 ? 0 : r() < 0.7 ? 1 : 2;
  for (let i = 0; i < appointmentCount; i++) {
    const [specialty, service] = pick(r(), SPECIALTIES);
    const inDays = 1 + Math.floor(r() * 40);
    const dayOfMonth = ((SYNTHETIC_TODAY.day + inDays - 1) % 28) + 1;
    const monthAhead = SYNTHETIC_TODAY.month + Math.floor((SYNTHETIC_TODAY.day + inDays - 1) / 28);
    const apptYear = SYNTHETIC_TODAY.year + Math.floor((monthAhead - 1) / 12);
    const apptMonth = ((monthAhead - 1) % 12) + 1;
    appointments.push({
      id: `A${seed}-${index}-${i}`,
      startsAt: `${apptYear}-${pad(apptMonth, 2)}-${pad(dayOfMonth, 2)}T${pad(8 + Math.floor(r() * 11), 2)}:${pick(r(), ['00', '15', '30', '45'])}:00+03:00`,
      doctor: `${pickSurname(r())[0]} ${pick(r(), [...DOCTOR_INITIALS])}. ${pick(r(), [...DOCTOR_INITIALS])}.`,
      specialty,
      service,
      branch: pick(r(), BRANCHES),
      status: pick(r(), STATUSES),
    });
  }

  const hasVisit = r() < 0.75;
  const visitYear = SYNTHETIC_TODAY.year - Math.floor(r() * 3);
  const visitMonth = 1 + Math.floor(r() * (visitYear === SYNTHETIC_TODAY.year ? SYNTHETIC_TODAY.month - 1 : 12));
  const visitDay = 1 + Math.floor(r() * 28);
  const allergy = r() < 0.08 ? pick(r(), ALLERGIES) : null;
  const channel = r();

  return {
    misId: String(1_000_000 + index),
    version: 1 + (index % 3),
    surname,
    givenName,
    patronymic,
    birthDate,
    sex: female ? 'female' : 'male',
    phones,
    email: r() < 0.35 ? `patient${index}@example.ru` : null,
    address: r() < 0.8 ? `г. ${city}, ул. ${pick(r(), STREETS)}, д. ${1 + Math.floor(r() * 150)}, кв. ${1 + Math.floor(r() * 300)}` : null,
    // Unique per index (the index is embedded), random region prefix.
    omsPolicy: r() < 0.9 ? `${pad(10 + Math.floor(r() * 90), 2)}${pad(index, 10)}${pad(Math.floor(r() * 10_000), 4)}` : null,
    dms: r() < 0.15 ? { insurer: pick(r(), INSURERS), policy: `ДМС-${pad(Math.floor(r() * 10_000_000), 7)}` } : null,
    snils: r() < 0.85 ? snilsFor(pad(1_001_000 + index, 9)) : null,
    flags: {
      allergies: allergy,
      vip: r() < 0.01,
      preferredChannel: channel < 0.6 ? 'call' : channel < 0.85 ? 'sms' : channel < 0.95 ? 'email' : null,
      consentSms: r() < 0.8,
      consentCalls: r() < 0.95,
    },
    lastVisit: hasVisit ? `${visitYear}-${pad(visitMonth, 2)}-${pad(visitDay, 2)}` : null,
    appointments,
  };
}

/** Cards `startIndex … startIndex + count - 1`, generated lazily (a million cards never sit in memory). */
export function* syntheticPatients(options: SyntheticPatientsOptions): Generator<PatientCard> {
  const seed = options.seed ?? 1;
  const start = options.startIndex ?? 0;
  for (let index = start; index < start + options.count; index++) yield syntheticPatient(index, seed);
}
