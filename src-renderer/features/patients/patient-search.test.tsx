// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestInput } from '../../../src-shared/ipc/contract';
import type { PatientSearchResultView } from '../../../src-shared/patients/patients-contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { MAX_QUERY_LENGTH, parseSearchQuery } from '../../../src-shared/patients/search-query';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, T0, type FakeDesk } from '../../test-support/fake-desk';

// What the search box says about a query (issue 10, item 8): a capped count, characters that
// cannot match, СНИЛС, a paste cut to the limit. The list and the card are in patients-pane.test.tsx.

afterEach(cleanup);

const searchBox = () => screen.getByTestId('patient-search') as HTMLInputElement;
const summary = () => (screen.getByTestId('patient-search-summary').textContent ?? '').replace(/[\u00a0\u202f]/g, ' ');

/**
 * A desk whose search answers like the core: how the text was understood comes from the same
 * parser, the rows and counts from `rows(query)`.
 */
async function openSearch(rows: (query: string) => Partial<PatientSearchResultView> = () => ({})): Promise<FakeDesk> {
  const desk = createFakeDesk({ cache: makeCacheStatus({ cards: 3, dataAsOf: T0 }), patients: [makePatient()] });
  desk.handle('patients.search', ({ query }: RequestInput<'patients.search'>) => {
    const parsed = parseSearchQuery(query);
    const items: PatientCard[] = parsed.kind === 'invalid' || parsed.kind === 'empty' ? [] : [makePatient()];
    return {
      items,
      total: items.length,
      complete: true,
      moreThanTotal: false,
      understoodAs: parsed.kind,
      problem: parsed.kind === 'invalid' ? parsed.message : null,
      source: 'cache' as const,
      ...rows(query),
    };
  });
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-patients'));
  return desk;
}

function search(text: string) {
  fireEvent.change(searchBox(), { target: { value: text } });
  fireEvent.keyDown(searchBox(), { key: 'Enter' });
}

describe('the search box says what it did', () => {
  it('a capped list of matches: "more than N — refine the query"; a capped filtered list: not every card was checked', async () => {
    await openSearch((query) =>
      query === 'Иванова' ? { total: 300, complete: false, moreThanTotal: true } : { total: 2, complete: false, moreThanTotal: false },
    );
    search('Иванова');
    await waitFor(() => expect(summary()).toContain('Найдено больше 300 — уточните запрос'));
    expect(summary()).not.toMatch(/Найдено: 300/);

    search('Иванова 4567');
    await waitFor(() => expect(summary()).toContain('Найдено: 2, но проверены не все подходящие карты — уточните запрос'));
    expect(screen.getByTestId('patient-search-found').getAttribute('data-complete')).toBe('false');
  });

  it('a complete list is a plain count', async () => {
    await openSearch();
    search('Римская');
    await waitFor(() => expect(screen.getByTestId('patient-search-found').textContent).toBe('Найдено: 1'));
    expect(screen.getByTestId('patient-search-found').getAttribute('data-complete')).toBe('true');
  });

  it.each([
    ['"*"', '" *'],
    ['(', '('],
    ['😀', '😀'],
  ])('%s alone says the characters are not used and what to search by, instead of an empty list', async (text, listed) => {
    await openSearch();
    search(text);
    const problem = await screen.findByTestId('patient-search-problem');
    expect(problem.textContent).toBe(`Эти знаки не используются в поиске: ${listed} — ищите по фамилии, телефону, полису, СНИЛС или дате рождения.`);
    expect(screen.queryAllByTestId('patient-result')).toHaveLength(0);
  });

  it('searches the rest of a query and names the characters it left out', async () => {
    await openSearch();
    search('"Римская"*');
    await waitFor(() => expect(screen.getByTestId('patient-search-ignored').textContent).toBe('Не учитываются знаки: " *'));
    expect(screen.getByTestId('patient-search-found').textContent).toBe('Найдено: 1');

    search('Римская');
    await waitFor(() => expect(screen.getByTestId('patient-search-understood')).toBeTruthy());
    expect(screen.queryByTestId('patient-search-ignored')).toBeNull();
  });

  it('says when 11 digits were searched as a СНИЛС, as a phone or as both, and when a СНИЛС control number is wrong', async () => {
    await openSearch();
    search('112-233-445 95');
    await waitFor(() => expect(screen.getByTestId('patient-search-understood').textContent).toBe(' · по СНИЛС'));
    expect(screen.queryByTestId('patient-search-snils-check')).toBeNull();

    search('79161234511');
    await waitFor(() => expect(screen.getByTestId('patient-search-understood').textContent).toBe(' · по телефону или СНИЛС'));

    search('89161234567');
    await waitFor(() => expect(screen.getByTestId('patient-search-understood').textContent).toBe(' · по телефону'));

    search('112-233-445 94');
    await waitFor(() => expect(screen.getByTestId('patient-search-snils-check').textContent).toBe('Контрольное число СНИЛС не сходится — проверьте цифры'));
  });

  it('a paste longer than the limit is cut to it and the box says so; the next edit that fits clears the note', async () => {
    const desk = await openSearch();
    const pasted = `Римская ${'Корсакова '.repeat(30)}`;
    expect(pasted.length).toBeGreaterThan(MAX_QUERY_LENGTH);
    search(pasted);
    expect(searchBox().value).toBe(pasted.slice(0, MAX_QUERY_LENGTH));
    expect(screen.getByTestId('patient-search-truncated').textContent).toBe(`Запрос обрезан до ${MAX_QUERY_LENGTH} символов`);
    await waitFor(() => expect(desk.callsTo('patients.search')).toContainEqual({ query: pasted.slice(0, MAX_QUERY_LENGTH), limit: 50, offset: 0 }));

    search('Римская');
    expect(screen.queryByTestId('patient-search-truncated')).toBeNull();
  });
});
