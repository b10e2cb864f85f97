// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HIDDEN_FIELDS, MASKABLE_FIELDS, type Person, type SessionView } from '../../../src-shared/access/access-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS, type Settings, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { buildAccessPatch, personRowsFrom, staffNotices, validatePersonRows, withVisibility, type PersonRow } from './settings-access-model';

afterEach(cleanup);

// Synthetic staff: no real people.
const ADMIN: Person = { id: 'it.admin', name: 'Админ Ирина', role: 'admin' };
const OPERATOR: Person = { id: 'ivanova', name: 'Иванова А.', role: 'operator' };
const CASHIER: Person = { id: 'kassa-2', name: 'Кассир 2', role: 'cashier' };

const OPEN: SessionView = { state: 'open', role: 'operator', person: null, idleLockMinutes: 5, retryAfter: null };
const signedIn = (person: Person): SessionView => ({ state: 'signed-in', role: person.role, person, idleLockMinutes: 5, retryAfter: null });

/** A desk whose settings carry this staff list, seen in `role` (main shows the settings in the session's role). */
function staffView(people: Person[], role: Settings['role'], extra: Partial<Omit<SettingsView, 'settings'>> & { settings?: Partial<Settings> } = {}): SettingsView {
  const { settings, ...rest } = extra;
  return makeView({ settings: { language: 'en', role, access: { people, idleLockMinutes: 5 }, ...settings }, ...rest });
}

async function openAccess(options: { view?: SettingsView; session?: SessionView; language?: 'ru' | 'en' } = {}): Promise<FakeDesk> {
  const language = options.language ?? 'en';
  const desk = createFakeDesk({ view: options.view ?? makeView({ settings: { language } }) });
  const session = options.session ?? OPEN;
  desk.handle('session.get', () => session);
  desk.handle('session.resetPin', () => ({ reset: true }));
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-access');
  return desk;
}

const box = (role: string, field: string) => screen.getByTestId(`settings-access-visible-${role}-${field}`) as HTMLInputElement;
const field = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;
const updates = (desk: FakeDesk) => desk.callsTo('settings.update');
const rows = () => screen.getAllByTestId('settings-access-person');
const ids = () => (screen.queryAllByTestId('settings-access-person-id') as HTMLInputElement[]).map((input) => input.value);

describe('Settings: access and privacy — the field-visibility matrix', () => {
  it('shows the defaults: the cashier does not receive allergies, notes, appointments or the last visit; everyone else sees everything', async () => {
    await openAccess();
    const hiddenFromCashier = ['allergies', 'notes', 'appointments', 'lastVisit'];
    for (const name of MASKABLE_FIELDS) {
      expect(box('operator', name).checked).toBe(true);
      expect(box('supervisor', name).checked).toBe(true);
      expect(box('cashier', name).checked).toBe(!hiddenFromCashier.includes(name));
    }
    expect(screen.getByTestId('settings-access-matrix').textContent).toContain('Contact preferences');
    expect(screen.getByTestId('settings-access-privacy').textContent).toContain("is not sent to that role's desk at all");
    expect(field('settings-access-board-phones').value).toBe('masked');
    expect(screen.getByTestId('settings-access-board-phones').textContent).toContain('+7 916 ***-**-67');
    expect(field('settings-access-cache-retention').value).toBe('30');
    expect(field('settings-access-audit-retention').value).toBe('5');
  });

  it('sends the ticked and unticked boxes, the board and the retention as one privacy patch; Defaults restores the matrix', async () => {
    const desk = await openAccess();
    fireEvent.click(box('cashier', 'snils'));
    fireEvent.click(box('cashier', 'lastVisit'));
    fireEvent.click(box('supervisor', 'phones'));
    fireEvent.change(field('settings-access-board-phones'), { target: { value: 'full' } });
    fireEvent.change(field('settings-access-cache-retention'), { target: { value: '14' } });
    fireEvent.click(screen.getByTestId('settings-access-privacy-save'));

    await waitFor(() => expect(screen.getByTestId('settings-access-privacy-message').getAttribute('data-tone')).toBe('ok'));
    expect(updates(desk)).toEqual([
      {
        privacy: {
          boardPhones: 'full',
          cacheRetentionDays: 14,
          hiddenFields: { operator: [], supervisor: ['phones'], cashier: ['snils', 'allergies', 'appointments', 'notes'] },
        },
      },
    ]);
    expect(desk.view.settings.privacy.hiddenFields.cashier).toEqual(['snils', 'allergies', 'appointments', 'notes']);
    expect(box('cashier', 'snils').checked).toBe(false);

    fireEvent.click(screen.getByTestId('settings-access-matrix-defaults'));
    expect(box('cashier', 'snils').checked).toBe(true);
    expect(box('cashier', 'lastVisit').checked).toBe(false);
    fireEvent.click(screen.getByTestId('settings-access-privacy-save'));
    await waitFor(() => expect(updates(desk)).toHaveLength(2));
    // The defaults again (each list in the matrix's order).
    expect(updates(desk)[1]).toEqual({ privacy: { hiddenFields: { operator: [], supervisor: [], cashier: ['allergies', 'lastVisit', 'appointments', 'notes'] } } });
    expect(new Set(desk.view.settings.privacy.hiddenFields.cashier)).toEqual(new Set(DEFAULT_HIDDEN_FIELDS.cashier));
  });

  it('refuses retention out of range with the field error and sends nothing', async () => {
    const desk = await openAccess();
    fireEvent.change(field('settings-access-cache-retention'), { target: { value: '0' } });
    fireEvent.change(field('settings-access-audit-retention'), { target: { value: '51' } });
    fireEvent.click(screen.getByTestId('settings-access-privacy-save'));
    expect(screen.getByTestId('settings-access-cache-retention-error').textContent).toBe('A whole number of days from 1 to 3650.');
    expect(screen.getByTestId('settings-access-audit-retention-error').textContent).toBe('A whole number of years from 1 to 50.');
    expect(updates(desk)).toEqual([]);
  });

  it('is in Russian on a Russian desk', async () => {
    await openAccess({ language: 'ru' });
    const matrix = screen.getByTestId('settings-access-matrix');
    for (const label of ['Телефоны', 'E-mail', 'Адрес', 'Полис ОМС', 'ДМС', 'СНИЛС', 'Аллергии', 'Предпочтения связи', 'Последний визит', 'Записи на приём', 'Заметки']) {
      expect(within(matrix).getByText(label)).toBeTruthy();
    }
    expect(screen.getByTestId('settings-access-matrix-defaults').textContent).toBe('По умолчанию');
    expect(screen.getByTestId('settings-access-privacy').textContent).toContain('не передаётся на рабочее место этой роли вовсе');
  });
});

describe('Settings: access and privacy — the staff list and the idle lock', () => {
  it('on an open desk says nobody signs in; adding the first people is saved as an access patch, with the idle minutes', async () => {
    const desk = await openAccess();
    expect(screen.getByTestId('settings-access-notice-openNow')).toBeTruthy();
    expect(screen.getByTestId('settings-role')).toBeTruthy();

    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    fireEvent.change(screen.getAllByTestId('settings-access-person-id')[0]!, { target: { value: ' it.admin ' } });
    fireEvent.change(screen.getAllByTestId('settings-access-person-name')[0]!, { target: { value: 'Админ Ирина' } });
    fireEvent.change(screen.getAllByTestId('settings-access-person-role')[0]!, { target: { value: 'admin' } });
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    fireEvent.change(screen.getAllByTestId('settings-access-person-id')[1]!, { target: { value: 'ivanova' } });
    fireEvent.change(screen.getAllByTestId('settings-access-person-name')[1]!, { target: { value: '  Иванова А. ' } });
    expect(screen.getByTestId('settings-access-notice-signInAfterSave')).toBeTruthy();
    expect(screen.queryByTestId('settings-access-notice-noAdmin')).toBeNull();
    fireEvent.change(field('settings-access-idle-lock'), { target: { value: '10' } });
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));

    await waitFor(() => expect(screen.getByTestId('settings-access-staff-message').getAttribute('data-tone')).toBe('ok'));
    expect(updates(desk)).toEqual([{ access: { idleLockMinutes: 10, people: [ADMIN, OPERATOR] } }]);
    // Saved people keep their id: the PIN and the audit log are keyed by it.
    expect((screen.getAllByTestId('settings-access-person-id') as HTMLInputElement[]).every((input) => input.readOnly)).toBe(true);
    // With a staff list the workstation's role comes from the signed-in person.
    expect(screen.queryByTestId('settings-role')).toBeNull();
    expect(screen.getByTestId('settings-role-by-person').textContent).toBe('Role: Operator — from the signed-in person');
  });

  it('an invalid or repeated id, or an empty name, is refused before anything is sent', async () => {
    const desk = await openAccess({ view: staffView([ADMIN, OPERATOR], 'admin'), session: signedIn(ADMIN) });
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    fireEvent.change(screen.getAllByTestId('settings-access-person-id')[2]!, { target: { value: 'Петрова' } });
    fireEvent.change(screen.getAllByTestId('settings-access-person-name')[2]!, { target: { value: 'Петрова В.' } });
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    fireEvent.change(screen.getAllByTestId('settings-access-person-id')[3]!, { target: { value: 'ivanova' } });
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));

    expect(screen.getAllByTestId('settings-access-person-id-error').map((error) => error.textContent)).toEqual([
      'Lowercase Latin letters, digits and . _ - (up to 48, starting with a letter or digit).',
      'This ID is already in the list.',
    ]);
    expect(screen.getByTestId('settings-access-person-name-error').textContent).toBe("Enter the person's name.");
    expect(screen.getByTestId('settings-access-staff-message').textContent).toBe('Some fields need attention; nothing was saved.');
    expect(updates(desk)).toEqual([]);

    // Fixing the rows clears their errors as they are fixed; then the list is saved.
    fireEvent.change(screen.getAllByTestId('settings-access-person-id')[2]!, { target: { value: 'petrova' } });
    expect(screen.getAllByTestId('settings-access-person-id-error')).toHaveLength(1);
    fireEvent.click(screen.getAllByTestId('settings-access-person-remove')[3]!);
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));
    await waitFor(() => expect(updates(desk)).toEqual([{ access: { people: [ADMIN, OPERATOR, { id: 'petrova', name: 'Петрова В.', role: 'operator' }] } }]));
  });

  it('warns that removing everyone makes the desk open, and that a list without an administrator leaves these settings to IT', async () => {
    const desk = await openAccess({ view: staffView([ADMIN, OPERATOR], 'admin'), session: signedIn(ADMIN) });
    expect(screen.queryByTestId('settings-access-notice-becomesOpen')).toBeNull();
    fireEvent.click(screen.getAllByTestId('settings-access-person-remove')[0]!);
    expect(screen.getByTestId('settings-access-notice-noAdmin').textContent).toContain('only IT');
    fireEvent.click(screen.getAllByTestId('settings-access-person-remove')[0]!);
    expect(screen.getByTestId('settings-access-notice-becomesOpen').textContent).toContain('becomes open');
    expect(screen.getByTestId('settings-access-people-empty')).toBeTruthy();
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));
    await waitFor(() => expect(updates(desk)).toEqual([{ access: { people: [] } }]));
  });

  it('an administrator resets a saved person\'s PIN after confirming; not for a row not yet saved', async () => {
    const desk = await openAccess({ view: staffView([ADMIN, OPERATOR, CASHIER], 'admin'), session: signedIn(ADMIN) });
    expect(screen.getAllByTestId('settings-access-reset-pin')).toHaveLength(3);
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    expect(within(rows()[3]!).queryByTestId('settings-access-reset-pin')).toBeNull();

    fireEvent.click(within(rows()[1]!).getByTestId('settings-access-reset-pin'));
    expect(screen.getByTestId('settings-access-reset-pin-confirmation').textContent).toContain('Иванова А.');
    expect(desk.callsTo('session.resetPin')).toEqual([]);
    fireEvent.click(screen.getByTestId('settings-access-reset-pin-confirm'));
    await waitFor(() => expect(screen.getByTestId('settings-access-pin-message').getAttribute('data-tone')).toBe('ok'));
    expect(desk.callsTo('session.resetPin')).toEqual([{ personId: 'ivanova' }]);
    expect(screen.getByTestId('settings-access-pin-message').textContent).toBe('The PIN of “Иванова А.” was reset: they choose a new one at their next sign-in.');
    expect(updates(desk)).toEqual([]);
  });

  it('offers no PIN reset on an open desk', async () => {
    await openAccess();
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    expect(screen.queryByTestId('settings-access-reset-pin')).toBeNull();
  });

  it('a refused save shows why, in words', async () => {
    const desk = await openAccess({ view: staffView([ADMIN, OPERATOR], 'admin'), session: signedIn(ADMIN) });
    desk.fail('settings.update', new DeskError('FORBIDDEN', 'settings.update is not for the operator role.'));
    fireEvent.change(field('settings-access-idle-lock'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));
    await waitFor(() => expect(screen.getByTestId('settings-access-staff-message').getAttribute('data-tone')).toBe('error'));
    const text = screen.getByTestId('settings-access-staff-message').textContent ?? '';
    expect(text.startsWith('Not saved: ')).toBe(true);
    expect(text).not.toContain('settings.update');
    expect(text.length).toBeGreaterThan('Not saved: '.length);
  });

  it('refuses idle minutes that are not a whole number from 0 to 240', async () => {
    const desk = await openAccess();
    for (const typed of ['241', '2.5', '-1', '']) {
      fireEvent.change(field('settings-access-idle-lock'), { target: { value: typed } });
      fireEvent.click(screen.getByTestId('settings-access-staff-save'));
      expect(screen.getByTestId('settings-access-idle-lock-error').textContent).toBe('A whole number of minutes from 0 to 240 (0: never lock).');
    }
    fireEvent.change(field('settings-access-idle-lock'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('settings-access-staff-save'));
    await waitFor(() => expect(updates(desk)).toEqual([{ access: { idleLockMinutes: 0 } }]));
  });
});

describe('Settings: access and privacy — who may change them', () => {
  it('locks what IT manages, shows a provisioned fraction of a minute as it is, and still saves the rest', async () => {
    const view = staffView([ADMIN, OPERATOR], 'admin', {
      settings: { access: { people: [ADMIN, OPERATOR], idleLockMinutes: 0.5 } },
      managed: ['access.people', 'access.idleLockMinutes', 'privacy.hiddenFields'],
    });
    const desk = await openAccess({ view, session: signedIn(ADMIN) });
    expect(screen.getByTestId('settings-access-people-managed')).toBeTruthy();
    expect(screen.getByTestId('settings-access-idle-lock-managed')).toBeTruthy();
    expect(screen.getByTestId('settings-access-matrix-managed')).toBeTruthy();
    expect((screen.getAllByTestId('settings-access-person-name') as HTMLInputElement[]).every((input) => input.disabled)).toBe(true);
    expect((screen.getByTestId('settings-access-person-add') as HTMLButtonElement).disabled).toBe(true);
    expect(field('settings-access-idle-lock').value).toBe('0.5');
    expect(field('settings-access-idle-lock').disabled).toBe(true);
    expect(MASKABLE_FIELDS.every((name) => box('cashier', name).disabled)).toBe(true);
    expect((screen.getByTestId('settings-access-matrix-defaults') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('settings-access-staff-save') as HTMLButtonElement).disabled).toBe(true);
    // A PIN is not a setting: an administrator still resets one.
    expect(screen.getAllByTestId('settings-access-reset-pin')).toHaveLength(2);

    expect(field('settings-access-audit-retention').disabled).toBe(false);
    fireEvent.change(field('settings-access-audit-retention'), { target: { value: '10' } });
    fireEvent.click(screen.getByTestId('settings-access-privacy-save'));
    await waitFor(() => expect(updates(desk)).toEqual([{ privacy: { auditRetentionYears: 10 } }]));
  });

  it('is read-only for a signed-in operator, with the reason; the role line names the person\'s role', async () => {
    const desk = await openAccess({ view: staffView([ADMIN, OPERATOR], 'operator'), session: signedIn(OPERATOR) });
    expect(screen.getByTestId('settings-access-readonly').textContent).toBe('Only an administrator changes these settings: sign in as an administrator to change them.');
    expect(ids()).toEqual(['it.admin', 'ivanova']);
    const controls = screen.getByTestId('settings-access').querySelectorAll('input, select');
    expect(controls.length).toBeGreaterThan(MASKABLE_FIELDS.length * 3);
    for (const control of controls) expect((control as HTMLInputElement).disabled).toBe(true);
    for (const name of ['settings-access-person-add', 'settings-access-matrix-defaults', 'settings-access-staff-save', 'settings-access-privacy-save']) {
      expect((screen.getByTestId(name) as HTMLButtonElement).disabled).toBe(true);
    }
    expect(screen.queryByTestId('settings-access-reset-pin')).toBeNull();
    expect(screen.queryByTestId('settings-role')).toBeNull();
    expect(screen.getByTestId('settings-role-by-person').textContent).toBe('Role: Operator — from the signed-in person');
    fireEvent.submit(screen.getByTestId('settings-access-privacy'));
    expect(updates(desk)).toEqual([]);
  });

  it('an administrator edits everything, and is warned before removing themselves', async () => {
    await openAccess({ view: staffView([ADMIN, OPERATOR], 'admin'), session: signedIn(ADMIN) });
    expect(screen.queryByTestId('settings-access-readonly')).toBeNull();
    expect(field('settings-access-idle-lock').disabled).toBe(false);
    expect(box('cashier', 'notes').disabled).toBe(false);
    expect(screen.getByTestId('settings-role-by-person').textContent).toBe('Role: Administrator — from the signed-in person');
    fireEvent.change(screen.getAllByTestId('settings-access-person-role')[0]!, { target: { value: 'supervisor' } });
    fireEvent.click(screen.getByTestId('settings-access-person-add'));
    fireEvent.change(screen.getAllByTestId('settings-access-person-role')[2]!, { target: { value: 'admin' } });
    expect(screen.getByTestId('settings-access-notice-selfLosesAccess')).toBeTruthy();
  });
});

describe('settings-access-model (pure)', () => {
  const row = (id: string, name = 'Имя', saved = false): PersonRow => ({ key: id || 'empty', id, name, role: 'operator', saved });

  it('checks ids with PersonIdSchema and uniqueness, names 1..80', () => {
    expect(validatePersonRows([row('ok.1'), row('Bad'), row('ok.1'), row('x', ' '), row('y', 'я'.repeat(81)), row('-lead')])).toEqual({
      Bad: { id: 'idFormat' },
      'ok.1': { id: 'idDuplicate' },
      x: { name: 'nameEmpty' },
      y: { name: 'nameTooLong' },
      '-lead': { id: 'idFormat' },
    });
  });

  it('keeps each role\'s hidden list in the matrix order', () => {
    const next = withVisibility(withVisibility(DEFAULT_HIDDEN_FIELDS, 'cashier', 'phones', false), 'cashier', 'notes', true);
    expect(next.cashier).toEqual(['phones', 'allergies', 'lastVisit', 'appointments']);
    expect(next.operator).toEqual([]);
  });

  it('says what an edited list means for the desk', () => {
    expect(staffNotices([], [], null)).toEqual(['openNow']);
    expect(staffNotices([], [OPERATOR], null)).toEqual(['becomesOpen']);
    expect(staffNotices(personRowsFrom([OPERATOR]), [], null)).toEqual(['signInAfterSave', 'noAdmin']);
    expect(staffNotices(personRowsFrom([ADMIN, OPERATOR]), [ADMIN], ADMIN.id)).toEqual([]);
    expect(staffNotices(personRowsFrom([{ ...ADMIN, id: 'other' }]), [ADMIN], ADMIN.id)).toEqual(['selfLosesAccess']);
  });

  it('leaves an untouched provisioned fraction alone and sends only what changed', () => {
    const settings: Settings = { ...structuredClone(DEFAULT_SETTINGS), access: { people: [OPERATOR], idleLockMinutes: 0.25 } };
    expect(buildAccessPatch({ 'access.idleLockMinutes': '0.25' }, personRowsFrom([OPERATOR]), settings, [])).toEqual({ ok: true, patch: {} });
    expect(buildAccessPatch({ 'access.idleLockMinutes': '0.5' }, personRowsFrom([OPERATOR]), settings, [])).toMatchObject({ ok: false, fieldErrors: { 'access.idleLockMinutes': 'settings.access.errors.idleLock' } });
    expect(buildAccessPatch({ 'access.idleLockMinutes': '0.25' }, personRowsFrom([OPERATOR, CASHIER]), settings, ['access.people'])).toEqual({ ok: true, patch: {} });
  });
});
