// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HIDDEN_FIELDS, type MaskableField } from '../../../src-shared/access/access-model';
import { hiddenFieldsFor, visibleCard } from '../../../src-shared/access/field-masking';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, T0, type FakeDesk } from '../../test-support/fake-desk';

// jsdom has no layout: give the result list a viewport so the virtualizer renders rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('patient-results') ? 520 : 0;
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

const NOTE = 'Синтетическая заметка: перезвонить после обеда';

/**
 * A desk whose main masks as output-masking.ts does for a role with `hidden`: the search, the
 * card and the history answer without those fields (the renderer never sees them).
 */
async function openCard(card: PatientCard, hidden: ReadonlySet<MaskableField>): Promise<{ desk: FakeDesk; view: HTMLElement }> {
  const desk = createFakeDesk({ cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }), patients: [card] });
  const seen = visibleCard(card, hidden);
  desk.handle('patients.search', () => ({ items: [seen], total: 1, complete: true, moreThanTotal: false, understoodAs: 'criteria', problem: null, source: 'cache' }));
  desk.handle('patients.get', () => ({ card: seen }));
  desk.handle('patients.history', () => {
    const items = [
      { at: '2025-03-14T09:40:00.000Z', kind: 'note' as const, text: NOTE, callId: 'c2' },
      { at: '2025-03-14T09:30:00.000Z', kind: 'call' as const, callId: 'c2', direction: 'incoming' as const, outcome: 'answered' as const, category: 'Оплата', wrapUpOutcome: null },
    ];
    return hidden.has('notes') ? { items: items.filter((item) => item.kind !== 'note'), notesHidden: true as const } : { items };
  });
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-patients'));
  fireEvent.change(screen.getByTestId('patient-search'), { target: { value: 'Римская' } });
  await waitFor(() => expect(screen.getAllByTestId('patient-result')).toHaveLength(1));
  fireEvent.click(screen.getAllByTestId('patient-result')[0]!);
  return { desk, view: await screen.findByTestId('patient-card') };
}

/** The value cell of the card's row labelled `label`. */
function row(view: HTMLElement, label: string): HTMLElement {
  const term = within(view)
    .getAllByRole('term')
    .find((element) => element.textContent === label);
  if (!term) throw new Error(`no row ${label}`);
  return term.nextElementSibling as HTMLElement;
}

describe('Patient card of a role that may not see every field', () => {
  it('the default cashier: no allergies, notes or visits anywhere; those rows say «скрыто»; the rest as usual', async () => {
    const { desk, view } = await openCard(makePatient(), hiddenFieldsFor('cashier', DEFAULT_HIDDEN_FIELDS));
    // Name, birth date, phones, policies, СНИЛС: what the cashier takes payment with.
    expect(within(view).getByRole('heading', { level: 2 }).textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(within(view).getAllByTestId('patient-card-phone')).toHaveLength(2);
    expect(row(view, 'Полис ОМС').textContent).toBe('7700 1234 5678 9012');
    expect(row(view, 'СНИЛС').textContent).toBe('112-233-445 95');
    // Allergies: no badge, no warning line, the row a quiet «скрыто».
    expect(within(view).queryByTestId('patient-card-allergy-badge')).toBeNull();
    expect(within(view).queryByTestId('patient-card-allergies')).toBeNull();
    expect(row(view, 'Аллергии').textContent).toBe('скрыто');
    expect(row(view, 'Последний визит').textContent).toBe('скрыто');
    // Visits: the section says «скрыто» and booking's list is never asked for.
    const visits = within(view).getByTestId('patient-card-appointments');
    expect(visits.getAttribute('data-hidden')).toBe('true');
    expect(visits.textContent).toContain('скрыто');
    expect(within(view).queryByTestId('patient-appointment')).toBeNull();
    expect(desk.callsTo('booking.visits')).toEqual([]);
    // History: the calls, no notes, and a line saying notes are hidden.
    const history = within(view).getByTestId('patient-calls');
    await waitFor(() => expect(within(history).getAllByTestId('patient-calls-item')).toHaveLength(1));
    expect(within(history).getByTestId('patient-calls-notes-hidden').textContent).toBe('Заметки скрыты для вашей роли.');
    // Nothing hidden reached the screen, and nothing reads "undefined".
    const text = document.body.textContent ?? '';
    for (const absent of ['пенициллин', NOTE, 'Кардиолог', 'Терапевт', 'undefined']) expect(text).not.toContain(absent);
    // The result row has no allergy badge either.
    expect(within(screen.getByTestId('patient-results')).queryByTestId('patient-result-allergy')).toBeNull();
  });

  it('a role without phones or contact preferences: «скрыто» rows, no phone in the result row, no VIP badge', async () => {
    const { view } = await openCard(makePatient(), new Set<MaskableField>(['phones', 'email', 'address', 'contactPreferences', 'snils', 'omsPolicy', 'dms']));
    expect(within(view).queryByTestId('patient-card-phone')).toBeNull();
    for (const label of ['Телефоны', 'E-mail', 'Адрес', 'Полис ОМС', 'Полис ДМС', 'СНИЛС', 'VIP', 'Согласие на SMS', 'Согласие на звонки']) {
      expect(row(view, label).textContent, label).toBe('скрыто');
    }
    expect(within(view).queryByTestId('patient-card-vip')).toBeNull();
    const result = screen.getAllByTestId('patient-result')[0]!;
    expect(result.querySelector('.patient-row-phone')).toBeNull();
    expect(result.textContent).not.toContain('916');
    // The allergies the role may see are still there.
    expect(within(view).getByTestId('patient-card-allergies').textContent).toContain('пенициллин');
  });

  it('null (the MIS has none) still reads "—", apart from «скрыто»', async () => {
    const { view } = await openCard(makePatient({ email: null, snils: null }), new Set<MaskableField>(['snils']));
    expect(row(view, 'E-mail').textContent).toBe('—');
    expect(row(view, 'СНИЛС').textContent).toBe('скрыто');
  });
});
