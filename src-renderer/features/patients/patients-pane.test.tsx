// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestInput } from '../../../src-shared/ipc/contract';
import type { PatientSearchResultView } from '../../../src-shared/patients/patients-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeStatus, T0, type FakeDesk } from '../../test-support/fake-desk';
import { formatClockTime } from '../../ui/format-time';
import { RESULT_ROW_HEIGHT } from './patient-results';

// jsdom has no layout: give the result list a viewport so the virtualizer renders rows.
const LIST_HEIGHT = 520;
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('patient-results') ? LIST_HEIGHT : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('patient-results') ? 400 : 0;
    },
  });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
});
afterEach(cleanup);

const spaces = (text: string | null | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');

function family(): PatientCard[] {
  return [
    makePatient(),
    makePatient({
      misId: 'P-2',
      surname: 'Римский',
      givenName: 'Пётр',
      patronymic: 'Ильич',
      birthDate: '1950-07-01',
      sex: 'male',
      phones: [{ e164: '+79035550101', national10: '9035550101', kind: 'work' }],
      flags: { allergies: null, vip: false, preferredChannel: null, consentSms: false, consentCalls: true },
      appointments: [],
    }),
    makePatient({
      misId: 'P-3',
      surname: 'Римова',
      givenName: 'Ольга',
      patronymic: null,
      phones: [{ e164: '+79260000003', national10: '9260000003', kind: 'mobile' }],
      flags: { ...makePatient().flags, vip: false, allergies: null },
    }),
  ];
}

async function openPatients(init: Parameters<typeof createFakeDesk>[0] = {}): Promise<FakeDesk> {
  const desk = createFakeDesk({ cache: makeCacheStatus({ cards: 3, dataAsOf: T0 }), patients: family(), ...init });
  const store = createAppStore({ bridge: 'open' });
  render(<App desk={desk} i18n={createI18n('ru')} store={store} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-patients'));
  return desk;
}

const searchBox = () => screen.getByTestId('patient-search') as HTMLInputElement;
const rows = () => screen.queryAllByTestId('patient-result');

function type(text: string) {
  fireEvent.change(searchBox(), { target: { value: text } });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

const answer = (items: PatientCard[], extra: Partial<PatientSearchResultView> = {}): PatientSearchResultView => ({
  items,
  total: items.length,
  complete: true,
  moreThanTotal: false,
  understoodAs: 'criteria',
  problem: null,
  source: 'cache',
  ...extra,
});

describe('Patients pane: search', () => {
  it('focuses the search box, debounces typing into one patients.search and lists the rows', async () => {
    const desk = await openPatients();
    await waitFor(() => expect(document.activeElement).toBe(searchBox()));
    expect(searchBox().placeholder).toContain('СНИЛС');

    type('Р');
    type('Ри');
    type('Рим');
    expect(desk.callsTo('patients.search')).toEqual([]); // nothing before the pause
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(desk.callsTo('patients.search')).toEqual([{ query: 'Рим', limit: 50, offset: 0 }]);

    const first = rows()[0]!;
    expect(first.textContent).toContain('Римская-Корсакова Алёна Петровна');
    expect(first.textContent).toContain('12.03.1985');
    expect(first.textContent).toMatch(/\d+ (год|года|лет)/);
    expect(first.textContent).toContain('+7 (916) 123-45-67');
    expect(within(first).getByTestId('patient-result-vip')).toBeTruthy();
    expect(within(first).getByTestId('patient-result-allergy').getAttribute('title')).toBe('пенициллин');
    expect(within(rows()[1]!).queryByTestId('patient-result-vip')).toBeNull();
    expect(screen.getByTestId('patient-search-found').textContent).toBe('Найдено: 3');
    expect(screen.getByTestId('patient-search-understood').textContent).toContain('по имени');
  });

  it('Enter searches at once, the matched phone is shown, and Escape clears the box and the list', async () => {
    const desk = await openPatients();
    type('4951112233');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    expect(desk.callsTo('patients.search')).toEqual([{ query: '4951112233', limit: 50, offset: 0 }]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    // The home number matched, so the row shows it rather than the mobile.
    expect(rows()[0]!.textContent).toContain('+7 (495) 111-22-33');
    expect(screen.getByTestId('patient-search-understood').textContent).toContain('по телефону');

    fireEvent.keyDown(searchBox(), { key: 'Escape' });
    expect(searchBox().value).toBe('');
    expect(rows()).toHaveLength(0);
  });

  it('never lets a slow answer to an older query overwrite a newer one', async () => {
    const desk = await openPatients();
    const pending = new Map<string, ReturnType<typeof deferred<PatientSearchResultView>>>();
    desk.handle('patients.search', (input: RequestInput<'patients.search'>) => {
      const wait = deferred<PatientSearchResultView>();
      pending.set(input.query, wait);
      return wait.promise;
    });
    const [alena, petr] = family();
    type('Римская');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    type('Римский');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });

    await act(async () => pending.get('Римский')!.resolve(answer([petr!])));
    await waitFor(() => expect(rows()).toHaveLength(1));
    await act(async () => pending.get('Римская')!.resolve(answer([alena!])));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.getAttribute('data-mis-id')).toBe('P-2');
  });

  it('says how the query was understood and, when the list was capped, "more than N — refine", never a bare count', async () => {
    const desk = await openPatients();
    desk.handle('patients.search', () => answer(family(), { total: 300, complete: false, moreThanTotal: true }));
    type('Иванова 1985');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('patient-search-found').getAttribute('data-complete')).toBe('false'));
    expect(screen.getByTestId('patient-search-understood').textContent).toContain('по имени и году рождения');
    expect(spaces(screen.getByTestId('patient-search-found').textContent)).toBe('Найдено больше 300 — уточните запрос');
  });

  it('shows the problem with an invalid query, in the UI language, and the server text when it is not a known one', async () => {
    const desk = await openPatients();
    desk.handle('patients.search', ({ query }) =>
      answer([], {
        understoodAs: 'invalid',
        problem: query === '12' ? 'Type at least 4 digits of a phone number.' : 'The cache refused this query.',
      }),
    );
    type('12');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    const problem = await screen.findByTestId('patient-search-problem');
    expect(problem.textContent).toBe('Введите не меньше 4 цифр телефона.');
    expect(rows()).toHaveLength(0);

    type('Петров');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('patient-search-problem').textContent).toBe('The cache refused this query.'));
  });

  it('loads the next page when the list is scrolled to its end', async () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      makePatient({ misId: `P-${1000 + i}`, surname: 'Смирнова', givenName: 'Анна', patronymic: null }),
    );
    const desk = await openPatients({ patients: many, cache: makeCacheStatus({ cards: 120, dataAsOf: T0 }) });
    type('Смирнова');
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().length).toBeLessThan(50); // virtualised: only what fits, plus overscan

    const scroller = screen.getByTestId('patient-results');
    scroller.scrollTop = 50 * RESULT_ROW_HEIGHT - LIST_HEIGHT;
    fireEvent.scroll(scroller);
    await waitFor(() => expect(desk.callsTo('patients.search')).toContainEqual({ query: 'Смирнова', limit: 50, offset: 50 }));
    await waitFor(() => expect(screen.queryByText('Загрузка следующих…')).toBeNull());
    scroller.scrollTop = 100 * RESULT_ROW_HEIGHT - LIST_HEIGHT;
    fireEvent.scroll(scroller);
    await waitFor(() => expect(scroller.querySelector('[data-mis-id="P-1099"]')).toBeTruthy());
    await waitFor(() => expect(desk.callsTo('patients.search')).toContainEqual({ query: 'Смирнова', limit: 50, offset: 100 }));
  });
});

describe('Patients pane: card', () => {
  it('arrow keys move the selection from the box through the results and Enter opens the card', async () => {
    const desk = await openPatients();
    type('Рим');
    await waitFor(() => expect(rows()).toHaveLength(3));
    fireEvent.keyDown(searchBox(), { key: 'ArrowDown' });
    fireEvent.keyDown(searchBox(), { key: 'ArrowDown' });
    expect(rows()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(searchBox().getAttribute('aria-activedescendant')).toBe(rows()[1]!.id);
    fireEvent.keyDown(searchBox(), { key: 'ArrowDown' });
    fireEvent.keyDown(searchBox(), { key: 'ArrowDown' }); // stops at the last row
    fireEvent.keyDown(searchBox(), { key: 'ArrowUp' });
    expect(rows()[1]!.getAttribute('aria-selected')).toBe('true');

    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    const card = await screen.findByTestId('patient-card');
    expect(card.getAttribute('data-mis-id')).toBe('P-2');
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-2', reason: 'search' }]);
    expect(document.activeElement).toBe(searchBox()); // ready for the next patient

    fireEvent.click(rows()[2]!);
    await waitFor(() => expect(screen.getByTestId('patient-card').getAttribute('data-mis-id')).toBe('P-3'));
  });

  it('shows every group of the card, formatted, and the appointments sorted with cancelled ones marked', async () => {
    await openPatients();
    type('Римская');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(rows()[0]!);
    const card = await screen.findByTestId('patient-card');
    const text = (id: string) => spaces(within(card).getByTestId(id).textContent);

    expect(within(card).getByRole('heading', { level: 2 }).textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(text('patient-card-identity')).toContain('12.03.1985');
    expect(text('patient-card-identity')).toContain('жен.');
    expect(text('patient-card-identity')).toContain('P-100200');
    expect(text('patient-card-contacts')).toContain('+7 (916) 123-45-67 мобильный');
    expect(text('patient-card-contacts')).toContain('+7 (495) 111-22-33 домашний');
    expect(text('patient-card-contacts')).toContain('alena@example.ru');
    expect(text('patient-card-contacts')).toContain('ул. Ленина');
    expect(text('patient-card-policies')).toContain('7700 1234 5678 9012');
    expect(text('patient-card-policies')).toContain('СК «Пример» · ДМС-001');
    expect(text('patient-card-policies')).toContain('112-233-445 95');
    expect(text('patient-card-flags')).toContain('Аллергиипенициллин');
    expect(text('patient-card-flags')).toContain('Канал связиSMS');
    expect(text('patient-card-flags')).toContain('Согласие на SMSда');
    expect(text('patient-card-flags')).toContain('Согласие на звонкинет');
    expect(text('patient-card-flags')).toContain('Последний визит01.02.2025');
    expect(text('patient-card-allergies')).toContain('пенициллин');
    expect(within(card).getByTestId('patient-card-vip')).toBeTruthy();

    const appointments = within(card).getAllByTestId('patient-appointment');
    expect(appointments.map((row) => row.getAttribute('data-status'))).toEqual(['booked', 'cancelled']);
    expect(appointments[0]!.textContent).toContain('Петров П. П.');
    expect(appointments[0]!.textContent).toContain('Терапевт');
    expect(appointments[0]!.textContent).toContain('Приём');
    expect(appointments[0]!.textContent).toContain('Центр');
    expect(appointments[0]!.textContent).toContain('записан');
    expect(appointments[1]!.textContent).toContain('отменён');
    const local = new Date('2025-03-18T09:30:00+03:00');
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(appointments[0]!.textContent).toContain(`${pad(local.getDate())}.03.2025 ${pad(local.getHours())}:${pad(local.getMinutes())}`);
  });

  it('refreshes the open card on patient:updated and says when the card is gone', async () => {
    const desk = await openPatients();
    type('Римская');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.keyDown(searchBox(), { key: 'ArrowDown' });
    fireEvent.keyDown(searchBox(), { key: 'Enter' });
    await screen.findByTestId('patient-card');
    expect(screen.queryByTestId('patient-card-updated')).toBeNull();

    act(() => desk.emit('patient:updated', { misId: 'P-2' })); // another card: no request
    expect(desk.callsTo('patients.get')).toHaveLength(1);

    desk.patients[0] = makePatient({ surname: 'Римская', givenName: 'Алёна', version: 4 });
    act(() => desk.emit('patient:updated', { misId: 'P-100200' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Римская Алёна Петровна'));
    expect(screen.getByTestId('patient-card-updated').textContent).toMatch(/^обновлено в \d\d:\d\d$/);
    expect(desk.callsTo('patients.get')).toHaveLength(2);

    desk.patients = desk.patients.filter((card) => card.misId !== 'P-100200');
    act(() => desk.emit('patient:updated', { misId: 'P-100200' }));
    expect(await screen.findByTestId('patient-card-gone')).toBeTruthy();
    expect(screen.getByTestId('patient-card-gone').textContent).toContain('удалили или объединили');
  });

  it('renders hostile names and huge or control-laden text as inert text', async () => {
    const hostile = makePatient({
      misId: 'P-666',
      surname: '<img src=x onerror=alert(1)>',
      givenName: 'Я'.repeat(10_000),
      patronymic: '\u202Eвоныч\u202C\u0007\u0000',
      address: '<script>alert(1)</script>',
      flags: { allergies: '<b>bold</b>', vip: false, preferredChannel: null, consentSms: false, consentCalls: false },
    });
    const desk = await openPatients({ patients: [hostile] });
    desk.handle('patients.search', () => answer([hostile]));
    type('x');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(rows()[0]!);
    const card = await screen.findByTestId('patient-card');

    expect(document.querySelector('img, script, b')).toBeNull();
    expect(rows()[0]!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(card.textContent).toContain('<script>alert(1)</script>');
    expect(card.textContent).toContain('Я'.repeat(10_000));
    expect(card.textContent).not.toContain('\u0007');
    // Bidi overrides stay inside their own isolate.
    const heading = within(card).getByRole('heading', { level: 2 });
    expect(heading.firstElementChild?.tagName).toBe('BDI');
    expect(heading.textContent).toContain('\u202Eвоныч\u202C');
  });
});

describe('Patients pane: cache state', () => {
  it('shows the time of the data, follows cache:changed, and says when it was never synced', async () => {
    const desk = await openPatients();
    const asOf = screen.getByTestId('data-as-of');
    expect(asOf.textContent).toContain(`Данные на`);
    expect(asOf.textContent).toContain(formatClockTime(T0, 'ru'));
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 3, dataAsOf: '2025-03-14T10:42:00.000Z' })));
    expect(screen.getByTestId('data-as-of').textContent).toContain(formatClockTime('2025-03-14T10:42:00.000Z', 'ru'));
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 3, dataAsOf: null })));
    expect(screen.getByTestId('data-as-of').textContent).toBe('Ещё не синхронизировано с МИС');
    expect(screen.getByTestId('data-as-of').getAttribute('data-state')).toBe('never');
  });

  it('shows the offline banner when the MIS goes offline and hides it when it is back', async () => {
    const desk = await openPatients();
    expect(screen.queryByTestId('mis-offline-banner')).toBeNull();
    act(() => desk.emit('status:changed', makeStatus({ mis: { state: 'offline', since: T0, detail: null } })));
    const banner = screen.getByTestId('mis-offline-banner');
    expect(banner.textContent).toContain('МИС недоступна — поиск идёт по локальному кэшу');
    expect(banner.textContent).toContain(formatClockTime(T0, 'ru'));
    expect(searchBox().disabled).toBe(false); // the cache still answers
    act(() => desk.emit('status:changed', makeStatus({ mis: { state: 'online', since: T0, detail: null } })));
    expect(screen.queryByTestId('mis-offline-banner')).toBeNull();
  });

  it('shows first-sync progress with count and time left, and hides it when done', async () => {
    const desk = await openPatients({ cache: makeCacheStatus({ cards: 0 }), patients: [] });
    expect(screen.getByTestId('patients-cache-empty').textContent).toContain('Кэш карточек пуст');
    expect(screen.queryByTestId('patient-search')).toBeNull();

    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 12_340, total: 20_000, etaSeconds: 55, done: false }));
    const bar = screen.getByTestId('sync-progress');
    const progress = within(bar).getByRole('progressbar') as HTMLProgressElement;
    expect(progress.value).toBe(12_340);
    expect(progress.max).toBe(20_000);
    expect(spaces(within(bar).getByTestId('sync-progress-text').textContent)).toBe('Карточек: 12 340 из 20 000, осталось ≈ 1 мин');
    expect(screen.getByTestId('patient-search')).toBeTruthy(); // partial cache is searchable

    act(() => desk.emit('sync:progress', { phase: 'delta', applied: 5, total: null, etaSeconds: null, done: false }));
    expect(screen.queryByTestId('sync-progress')).toBeNull(); // delta syncs are quiet
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 20_000, total: 20_000, etaSeconds: 0, done: true }));
    expect(screen.queryByTestId('sync-progress')).toBeNull();
  });

  it('a bulk first sync says the search and the pop ask the MIS until the cards appear, names the index phase, and can be cancelled', async () => {
    const desk = await openPatients({ cache: makeCacheStatus({ cards: 0 }), patients: [] });
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 400_000, total: 1_000_000, etaSeconds: 30, done: false, bulk: 'loading' }));
    const bar = screen.getByTestId('sync-progress');
    expect(bar.textContent).toContain('Первая загрузка карточек из МИС');
    expect(spaces(within(bar).getByTestId('sync-progress-text').textContent)).toBe('Карточек: 400 000 из 1 000 000, осталось ≈ 30 с');
    expect(within(bar).getByTestId('sync-progress-note').textContent).toBe('Карточки появятся в кэше все сразу по окончании загрузки; до тех пор поиск и карточка звонящего запрашиваются в МИС.');
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 1_000_000, total: 1_000_000, etaSeconds: 12, done: false, bulk: 'indexing' }));
    expect(screen.getByTestId('sync-progress').textContent).toContain('Строим поисковый индекс карточек…');
    fireEvent.click(screen.getByTestId('sync-progress-cancel'));
    expect(desk.callsTo('cache.cancelFirstSync')).toEqual([{}]);
    // A paged first sync has neither the note nor the button.
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 250, total: 20_000, etaSeconds: null, done: false }));
    expect(screen.queryByTestId('sync-progress-note')).toBeNull();
    expect(screen.queryByTestId('sync-progress-cancel')).toBeNull();
  });

  it('explains an unavailable cache and offers no search box', async () => {
    await openPatients({
      cache: makeCacheStatus({ available: false, problem: 'The cache key does not open cache.db.', fill: null }),
    });
    const block = screen.getByTestId('cache-unavailable');
    expect(block.textContent).toContain('Поиск пациентов недоступен');
    expect(block.textContent).toContain('The cache key does not open cache.db.');
    expect(screen.queryByTestId('patient-search')).toBeNull();
    // Nothing to type into: the pane heading keeps the focus after navigation.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Пациенты' }));
  });

  it("shows the patient's recent calls and wrap-up notes on the card (patients.history), as text", async () => {
    const desk = await openPatients();
    desk.handle('patients.history', ({ misId }) => ({
      items:
        misId === 'P-100200'
          ? [
              { at: '2025-03-14T09:40:00.000Z', kind: 'note' as const, text: '<b>Перезвонить</b> после 15:00', callId: 'c2' },
              { at: '2025-03-14T09:30:00.000Z', kind: 'call' as const, callId: 'c2', direction: 'incoming' as const, outcome: 'answered' as const, category: 'Запись по ОМС', wrapUpOutcome: null },
            ]
          : [],
    }));
    type('Римская');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(rows()[0]!);
    const card = await screen.findByTestId('patient-card');
    const history = within(card).getByTestId('patient-calls');
    await waitFor(() => expect(within(history).getAllByTestId('patient-calls-item')).toHaveLength(2));
    expect(desk.callsTo('patients.history')).toEqual([{ misId: 'P-100200' }]);
    const items = within(history).getAllByTestId('patient-calls-item');
    expect(items.map((item) => item.getAttribute('data-kind'))).toEqual(['note', 'call']);
    expect(items[0]!.textContent).toContain('<b>Перезвонить</b> после 15:00');
    expect(history.querySelector('b')).toBeNull();
  });

  it('a history that cannot load is one quiet line; the card stays', async () => {
    const desk = await openPatients();
    desk.fail('patients.history', new DeskError('INTERNAL', 'db'));
    type('Римская');
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(rows()[0]!);
    const card = await screen.findByTestId('patient-card');
    expect((await within(card).findByTestId('patient-calls-error')).textContent).toContain('Не удалось загрузить звонки');
    expect(within(card).getByRole('heading', { level: 2 }).textContent).toBe('Римская-Корсакова Алёна Петровна');
  });
});

describe('Patients pane: a cache being filled or rebuilt', () => {
  const rebuildFill = { state: 'filling' as const, reason: 'damaged' as const, startedAt: T0, completedAt: null, setAside: '/data/cache.db.damaged-1' };

  it('says who answered a search while the cache is rebuilt: the MIS, or only the part loaded so far', async () => {
    const desk = await openPatients({ cache: makeCacheStatus({ cards: 3, dataAsOf: T0, fill: rebuildFill }) });
    desk.handle('patients.search', () => answer([makePatient()], { source: 'mis' }));
    type('Рим');
    const source = await screen.findByTestId('patient-search-source');
    expect(source.dataset.source).toBe('mis');
    expect(source.textContent).toContain('Ответ МИС');
    desk.handle('patients.search', () => answer([], { source: 'cache-incomplete' }));
    type('Римс');
    await waitFor(() => expect(screen.getByTestId('patient-search-source').dataset.source).toBe('cache-incomplete'));
    expect(screen.getByTestId('patient-search-source').textContent).toContain('кого-то может не хватать');
    // The rebuild completes: the shown query is searched again in the whole cache.
    desk.handle('patients.search', () => answer([makePatient()]));
    const searches = desk.callsTo('patients.search').length;
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 3, dataAsOf: T0, fill: { ...rebuildFill, state: 'complete', completedAt: T0 } })));
    await waitFor(() => expect(screen.queryByTestId('patient-search-source')).toBeNull());
    expect(desk.callsTo('patients.search')).toHaveLength(searches + 1);
  });

  it('while filling, the header says how much is loaded instead of "data as of"; an offline MIS is worded for the rebuild', async () => {
    const desk = await openPatients({ cache: makeCacheStatus({ cards: 4_000, dataAsOf: T0, fill: rebuildFill }) });
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 4_000, total: 20_000, etaSeconds: 40, done: false }));
    const header = screen.getByTestId('data-as-of');
    expect(header.dataset.state).toBe('filling');
    expect(spaces(header.textContent)).toBe('Загружено 4 000 из 20 000');
    act(() => desk.emit('status:changed', makeStatus({ mis: { state: 'offline', since: T0, detail: null } })));
    const banner = screen.getByTestId('mis-offline-banner');
    expect(banner.dataset.state).toBe('rebuilding');
    expect(spaces(banner.textContent)).toContain('локальный кэш собирается заново');
    expect(spaces(banner.textContent)).toContain('загружено 4 000');
    expect(banner.textContent).not.toContain('ни разу');
  });

  it('an empty cache with the MIS down says no cards can arrive until it answers, not that they will arrive', async () => {
    await openPatients({
      cache: makeCacheStatus({ cards: 0, fill: { ...rebuildFill, reason: 'new', setAside: null } }),
      patients: [],
      status: makeStatus({ mis: { state: 'offline', since: T0, detail: 'misUnreachable' } }),
    });
    const empty = screen.getByTestId('patients-cache-empty');
    expect(empty.dataset.state).toBe('mis-offline');
    expect(screen.getByTestId('data-as-of').dataset.state).toBe('never');
    expect(empty.textContent).toContain('МИС недоступна');
    expect(screen.getByTestId('mis-offline-banner').dataset.state).toBe('empty');
  });

  it('a rebuild with nothing loaded yet and the MIS down: the header says 0 loaded, never "not synced yet"; the bar is titled as a rebuild', async () => {
    const desk = await openPatients({
      cache: makeCacheStatus({ cards: 0, dataAsOf: null, fill: rebuildFill }),
      patients: [],
      status: makeStatus({ mis: { state: 'offline', since: T0, detail: 'misUnreachable' } }),
    });
    const header = screen.getByTestId('data-as-of');
    expect(header.dataset.state).toBe('filling');
    expect(header.textContent).not.toContain('Ещё не синхронизировано');
    expect(screen.getByTestId('mis-offline-banner').textContent).toContain('пока пуст');
    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 250, total: 20_000, etaSeconds: null, done: false }));
    expect(screen.getByTestId('sync-progress').textContent).toContain('Сборка кэша карточек заново');
  });
});
