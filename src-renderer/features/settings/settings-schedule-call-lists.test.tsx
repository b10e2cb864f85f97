// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore, type AppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { sectionDraftFrom, validateSectionField } from './settings-section-model';
import { buildScheduleCallListsPatch, SCHEDULE_CALL_LISTS_SPEC } from './settings-schedule-call-lists-model';

afterEach(cleanup);

const stored = (): Partial<SettingsView['settings']> => ({
  language: 'en',
  schedule: { horizonDays: 21, timeZone: 'Asia/Yekaterinburg' },
  callLists: { retryMinutes: 45, maxAttempts: 4, windowFrom: '10:00', windowTo: '20:00' },
});
const en = (settings: Partial<SettingsView['settings']> = {}, rest: Partial<Omit<SettingsView, 'settings'>> = {}) =>
  makeView({ settings: { ...stored(), ...settings }, ...rest });

async function openSettings(view: SettingsView = en(), language: 'en' | 'ru' = 'en'): Promise<{ desk: FakeDesk; store: AppStore }> {
  const desk = createFakeDesk({ view });
  const store = createAppStore({ bridge: 'open' });
  render(<App desk={desk} i18n={createI18n(language)} store={store} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  fireEvent.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-wrap-up');
  return { desk, store };
}

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const type = (id: string, value: string) => fireEvent.change(field(id), { target: { value } });
const typeAll = (values: Record<string, string>) => Object.entries(values).forEach(([id, value]) => type(id, value));
const save = () => fireEvent.click(screen.getByTestId('settings-schedule-call-lists-save'));
const message = () => screen.getByTestId('settings-schedule-call-lists-message');
const updates = (desk: FakeDesk) => desk.callsTo('settings.update');

describe('Settings: schedule and call lists', () => {
  it('shows the stored values', async () => {
    await openSettings();
    expect(screen.getByTestId('settings-schedule-call-lists').querySelector('legend')!.textContent).toBe('Schedule and call lists');
    expect(field('settings-schedule-horizon').value).toBe('21');
    expect(field('settings-schedule-zone').value).toBe('Asia/Yekaterinburg');
    expect(field('settings-call-window-from').value).toBe('10:00');
    expect(field('settings-call-window-to').value).toBe('20:00');
    expect(field('settings-call-retry').value).toBe('45');
    expect(field('settings-call-attempts').value).toBe('4');
  });

  it('saves only the changed fields as one patch, then shows what was stored', async () => {
    const { desk } = await openSettings();
    // The attempts are typed as they were stored: not a change.
    typeAll({ 'settings-schedule-horizon': '30', 'settings-schedule-zone': ' Europe/Samara ', 'settings-call-window-to': '21:30', 'settings-call-attempts': '4' });
    save();

    await waitFor(() => expect(message().getAttribute('data-tone')).toBe('ok'));
    expect(message().textContent).toBe('Schedule and call list settings saved; they apply at once.');
    expect(updates(desk)).toEqual([{ schedule: { horizonDays: 30, timeZone: 'Europe/Samara' }, callLists: { windowTo: '21:30' } }]);
    expect(desk.view.settings.callLists).toEqual({ retryMinutes: 45, maxAttempts: 4, windowFrom: '10:00', windowTo: '21:30' });
    expect(field('settings-schedule-zone').value).toBe('Europe/Samara');

    save();
    await waitFor(() => expect(message().textContent).toBe('Nothing has changed.'));
    expect(updates(desk)).toHaveLength(1);
  });

  it('refuses a 21:00 → 09:00 window and an unknown zone with a field error, sending nothing', async () => {
    const { desk } = await openSettings();
    type('settings-call-window-from', '21:00');
    type('settings-call-window-to', '09:00');
    type('settings-schedule-zone', 'Europe/Atlantis');
    save();

    expect(screen.getByTestId('settings-call-window-to-error').textContent).toBe(
      'The calling window must start before it ends (within one day on the clinic clock).',
    );
    expect(screen.queryByTestId('settings-call-window-from-error')).toBeNull();
    expect(screen.getByTestId('settings-schedule-zone-error').textContent).toBe('Unknown time zone. Enter an IANA zone such as Europe/Moscow.');
    expect(field('settings-schedule-zone').getAttribute('aria-invalid')).toBe('true');
    expect(message().getAttribute('data-tone')).toBe('error');
    expect(updates(desk)).toEqual([]);
  });

  it('refuses out-of-range numbers and malformed times with the schema’s limits', async () => {
    const { desk } = await openSettings();
    typeAll({ 'settings-schedule-horizon': '63', 'settings-call-window-from': '9:00', 'settings-call-retry': '0', 'settings-call-attempts': '11' });
    save();
    expect(screen.getByTestId('settings-schedule-horizon-error').textContent).toBe('A whole number of days from 1 to 62.');
    expect(screen.getByTestId('settings-call-window-from-error').textContent).toBe('A time as HH:MM, e.g. 09:00.');
    expect(screen.getByTestId('settings-call-retry-error').textContent).toBe('A whole number of minutes from 1 to 1440.');
    expect(screen.getByTestId('settings-call-attempts-error').textContent).toBe('A whole number from 1 to 10.');
    expect(updates(desk)).toEqual([]);

    // A shown error is re-checked as the operator fixes it.
    type('settings-call-retry', '1440');
    expect(screen.queryByTestId('settings-call-retry-error')).toBeNull();
  });

  it('locks what IT manages and never sends it', async () => {
    const { desk } = await openSettings(en({}, { managed: ['schedule.timeZone', 'callLists.windowTo'] }));
    expect(field('settings-schedule-zone').disabled).toBe(true);
    expect(field('settings-call-window-to').disabled).toBe(true);
    expect(screen.getByTestId('settings-schedule-zone-managed').textContent).toBe('Managed by your IT (provisioning file)');
    expect(screen.getByTestId('settings-call-window-to-managed')).toBeTruthy();
    expect(field('settings-call-retry').disabled).toBe(false);
    type('settings-call-retry', '15');
    save();
    await waitFor(() => expect(updates(desk)).toEqual([{ callLists: { retryMinutes: 15 } }]));
  });

  it('follows settings changed elsewhere for the fields not edited', async () => {
    const { store } = await openSettings();
    type('settings-call-retry', '60');
    act(() => store.getState().setSettingsView(en({ callLists: { retryMinutes: 5, maxAttempts: 2, windowFrom: '08:00', windowTo: '20:00' } })));
    expect(field('settings-call-retry').value).toBe('60');
    expect(field('settings-call-attempts').value).toBe('2');
    expect(field('settings-call-window-from').value).toBe('08:00');
  });

  it('is not shown to a cashier', async () => {
    await openSettings(en({ role: 'cashier' }));
    expect(screen.queryByTestId('settings-schedule-call-lists')).toBeNull();
  });

  it('is in Russian on a Russian desk', async () => {
    await openSettings(makeView(), 'ru');
    const form = screen.getByTestId('settings-schedule-call-lists');
    expect(form.querySelector('legend')!.textContent).toBe('Расписание и обзвон');
    expect(document.getElementById('settings-call-retry-hint')!.textContent).toContain('Через сколько минут снова позвонить не ответившему');
  });
});

describe('schedule and call lists form model', () => {
  const spec = SCHEDULE_CALL_LISTS_SPEC;
  const draft = sectionDraftFrom(spec, DEFAULT_SETTINGS);

  it('checks fields with the schema’s own field schemas', () => {
    expect(validateSectionField(spec, 'schedule.horizonDays', '62')).toBeNull();
    expect(validateSectionField(spec, 'schedule.horizonDays', '0')).toBe('settings.scheduleCallLists.errors.horizon');
    expect(validateSectionField(spec, 'schedule.timeZone', 'Asia/Vladivostok')).toBeNull();
    expect(validateSectionField(spec, 'schedule.timeZone', 'Moscow')).toBe('settings.scheduleCallLists.errors.timeZone');
    expect(validateSectionField(spec, 'callLists.windowTo', '24:00')).toBeNull();
    expect(validateSectionField(spec, 'callLists.windowFrom', '25:00')).toBe('settings.scheduleCallLists.errors.time');
    expect(validateSectionField(spec, 'callLists.maxAttempts', '1.5')).toBe('settings.scheduleCallLists.errors.attempts');
  });

  it('checks the window against the stored end when only the start is typed, and names the start when IT locks the end', () => {
    const late = { ...draft, 'callLists.windowFrom': '22:00' };
    expect(buildScheduleCallListsPatch(late, DEFAULT_SETTINGS, [])).toEqual({
      ok: false,
      fieldErrors: { 'callLists.windowTo': 'settings.scheduleCallLists.errors.windowOrder' },
    });
    expect(buildScheduleCallListsPatch(late, DEFAULT_SETTINGS, ['callLists.windowTo'])).toEqual({
      ok: false,
      fieldErrors: { 'callLists.windowFrom': 'settings.scheduleCallLists.errors.windowOrder' },
    });
  });

  it('patches only changed, unmanaged fields; a managed field is neither checked nor sent', () => {
    expect(buildScheduleCallListsPatch({ ...draft, 'callLists.retryMinutes': ' 30 ' }, DEFAULT_SETTINGS, [])).toEqual({ ok: true, patch: {} });
    const edited = { ...draft, 'schedule.timeZone': 'bad', 'callLists.maxAttempts': '5' };
    expect(buildScheduleCallListsPatch(edited, DEFAULT_SETTINGS, ['schedule'])).toEqual({ ok: true, patch: { callLists: { maxAttempts: 5 } } });
  });
});
