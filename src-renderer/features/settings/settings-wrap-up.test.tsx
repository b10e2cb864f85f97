// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { parseAcwLimit, validateCategoryRows } from './settings-wrap-up';

afterEach(cleanup);

async function openSettings(view: SettingsView = makeView({ settings: { language: 'en' } })): Promise<FakeDesk> {
  const desk = createFakeDesk({ view });
  render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-wrap-up');
  return desk;
}

const categoryInputs = () => screen.getAllByTestId('settings-wrap-up-category') as HTMLInputElement[];
const updates = (desk: FakeDesk) => desk.callsTo('settings.update');

describe('Settings: wrap-up categories and the ACW limit', () => {
  it("shows the seed clinic's six and 60 s; rename, add, remove and a new limit are saved as one wrapUp patch", async () => {
    const desk = await openSettings();
    expect(categoryInputs().map((input) => input.value)).toEqual(DEFAULT_SETTINGS.wrapUp.categories);
    expect((screen.getByTestId('settings-wrap-up-acw') as HTMLInputElement).value).toBe('60');

    fireEvent.change(categoryInputs()[4]!, { target: { value: 'Программа Check-Up (взрослые)' } });
    fireEvent.click(screen.getAllByTestId('settings-wrap-up-remove')[1]!);
    fireEvent.click(screen.getByTestId('settings-wrap-up-add'));
    fireEvent.change(categoryInputs().at(-1)!, { target: { value: '  Жалоба  ' } });
    fireEvent.change(screen.getByTestId('settings-wrap-up-acw'), { target: { value: '120' } });
    fireEvent.click(screen.getByTestId('settings-wrap-up-save'));

    await waitFor(() => expect(screen.getByTestId('settings-wrap-up-message').getAttribute('data-tone')).toBe('ok'));
    const [first, , third, fourth, , sixth] = DEFAULT_SETTINGS.wrapUp.categories;
    expect(updates(desk)).toEqual([{ wrapUp: { categories: [first, third, fourth, 'Программа Check-Up (взрослые)', sixth, 'Жалоба'], acwLimitSec: 120 } }]);
    expect(desk.view.settings.wrapUp.acwLimitSec).toBe(120);
    expect(categoryInputs().at(-1)!.value).toBe('Жалоба');
  });

  it('refuses empty, too long and repeated categories and a bad limit, with specific messages, saving nothing', async () => {
    const desk = await openSettings();
    fireEvent.change(categoryInputs()[0]!, { target: { value: '   ' } });
    fireEvent.change(categoryInputs()[1]!, { target: { value: 'x'.repeat(81) } });
    fireEvent.change(categoryInputs()[2]!, { target: { value: DEFAULT_SETTINGS.wrapUp.categories[3] } });
    fireEvent.change(screen.getByTestId('settings-wrap-up-acw'), { target: { value: '901' } });
    fireEvent.click(screen.getByTestId('settings-wrap-up-save'));
    const errors = screen.getAllByTestId('settings-wrap-up-category-error').map((error) => error.textContent);
    expect(errors).toEqual(['Enter the category name or remove the row.', 'At most 80 characters.', 'This category is already in the list.']);
    expect(screen.getByTestId('settings-wrap-up-acw-error').textContent).toBe('A whole number of seconds from 0 to 900.');
    expect(updates(desk)).toEqual([]);
  });

  it('stops at 20 categories and never removes the last one', async () => {
    await openSettings(makeView({ settings: { language: 'en', wrapUp: { categories: ['Одна'], acwLimitSec: 60 } } }));
    expect((screen.getByTestId('settings-wrap-up-remove') as HTMLButtonElement).disabled).toBe(true);
    for (let i = 0; i < 19; i++) fireEvent.click(screen.getByTestId('settings-wrap-up-add'));
    expect(categoryInputs()).toHaveLength(20);
    expect((screen.getByTestId('settings-wrap-up-add') as HTMLButtonElement).disabled).toBe(true);
  });

  it('locks what IT manages', async () => {
    const desk = await openSettings(makeView({ settings: { language: 'en' }, managed: ['wrapUp.categories'] }));
    expect(categoryInputs().every((input) => input.disabled)).toBe(true);
    expect(screen.getByTestId('settings-wrap-up-categories-managed')).toBeTruthy();
    expect((screen.getByTestId('settings-wrap-up-acw') as HTMLInputElement).disabled).toBe(false);
    fireEvent.change(screen.getByTestId('settings-wrap-up-acw'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('settings-wrap-up-save'));
    await waitFor(() => expect(updates(desk)).toEqual([{ wrapUp: { acwLimitSec: 0 } }]));
  });

  it('validates rows and the limit (pure)', () => {
    expect(validateCategoryRows([{ key: 'a', text: 'А' }, { key: 'b', text: ' А ' }, { key: 'c', text: '' }])).toEqual({ b: 'duplicate', c: 'empty' });
    expect(parseAcwLimit(' 900 ')).toBe(900);
    expect(parseAcwLimit('0')).toBe(0);
    expect(parseAcwLimit('1.5')).toBeNull();
    expect(parseAcwLimit('-1')).toBeNull();
    expect(parseAcwLimit('')).toBeNull();
  });
});
