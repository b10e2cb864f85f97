// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientHistoryItem } from '../../../src-shared/patients/patients-contract';
import { AppStoreContext, createAppStore } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk } from '../../test-support/fake-desk';
import { PatientCalls } from './patient-calls';

afterEach(cleanup);

const HISTORY: PatientHistoryItem[] = [
  { at: '2025-03-14T09:40:00.000Z', kind: 'note', callId: 'c2', text: 'Перезвонить после 15:00' },
  { at: '2025-03-14T09:30:00.000Z', kind: 'call', callId: 'c2', direction: 'incoming', outcome: 'answered', category: 'Запись по ОМС', wrapUpOutcome: 'booked' },
  { at: '2025-03-13T18:05:00.000Z', kind: 'call', callId: 'c1', direction: 'incoming', outcome: 'missed', category: null, wrapUpOutcome: null },
  { at: '2025-03-12T10:00:00.000Z', kind: 'call', callId: 'c0', direction: 'outgoing', outcome: 'lost', category: null, wrapUpOutcome: null },
];

function renderHistory(language: 'ru' | 'en') {
  const desk = createFakeDesk();
  desk.handle('patients.history', () => ({ items: HISTORY }));
  render(
    <I18nextProvider i18n={createI18n(language)}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={createAppStore()}>
          <PatientCalls misId="P-1" />
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>,
  );
}

const texts = () => screen.getAllByTestId('patient-calls-item').map((item) => item.querySelector('.patient-calls-text')!.textContent);
const pills = () => screen.getAllByTestId('patient-calls-item').map((item) => item.querySelector('.pill')!.textContent);

describe('PatientCalls: the history speaks the UI language', () => {
  it('words calls in Russian: direction, how it ended, the category and the wrap-up result; notes as written', async () => {
    renderHistory('ru');
    await waitFor(() => expect(screen.getAllByTestId('patient-calls-item')).toHaveLength(4));
    expect(pills()).toEqual(['заметка', 'звонок', 'звонок', 'звонок']);
    expect(texts()).toEqual(['Перезвонить после 15:00', 'входящий · отвечен · Запись по ОМС · записан', 'входящий · пропущен', 'исходящий · оборвался']);
    // Nothing of the old English summary leaks through.
    expect(screen.getByTestId('patient-calls').textContent).not.toMatch(/incoming|answered|missed/);
  });

  it('and in English when the desk is in English', async () => {
    renderHistory('en');
    await waitFor(() => expect(screen.getAllByTestId('patient-calls-item')).toHaveLength(4));
    expect(texts()[1]).toBe('incoming · answered · Запись по ОМС · booked');
  });
});
