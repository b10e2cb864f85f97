import type { FormEvent, ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_CLINIC_TIME_ZONE } from '../../../src-shared/schedule/clinic-time';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import {
  buildScheduleCallListsPatch,
  SCHEDULE_CALL_LIST_PATHS,
  SCHEDULE_CALL_LISTS_SPEC,
  type ScheduleCallListPath,
} from './settings-schedule-call-lists-model';
import { SectionActions, SectionTextField, useSectionForm } from './settings-section';

const NS = 'settings.scheduleCallLists';
const FORM_ID = 'settings-schedule-call-lists';

/** Element ids double as test ids; notes under a field add `-managed`, `-hint`, `-error`. */
const IDS: Record<ScheduleCallListPath, string> = {
  'schedule.horizonDays': 'settings-schedule-horizon',
  'schedule.timeZone': 'settings-schedule-zone',
  'callLists.windowFrom': 'settings-call-window-from',
  'callLists.windowTo': 'settings-call-window-to',
  'callLists.retryMinutes': 'settings-call-retry',
  'callLists.maxAttempts': 'settings-call-attempts',
};

/** i18n keys (label, hint) under `settings.scheduleCallLists`. */
const TEXT: Record<ScheduleCallListPath, string> = {
  'schedule.horizonDays': 'horizon',
  'schedule.timeZone': 'timeZone',
  'callLists.windowFrom': 'windowFrom',
  'callLists.windowTo': 'windowTo',
  'callLists.retryMinutes': 'retry',
  'callLists.maxAttempts': 'attempts',
};

const PLACEHOLDERS: Partial<Record<ScheduleCallListPath, string>> = {
  'schedule.timeZone': DEFAULT_CLINIC_TIME_ZONE,
  'callLists.windowFrom': '09:00',
  'callLists.windowTo': '21:00',
};

/** Suggested zones (Russia's, west to east); any IANA zone the runtime knows is accepted. */
const ZONES_ID = 'settings-schedule-zones';
const ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
];

/**
 * Settings → Schedule and call lists: how many days of the schedule the desk keeps ahead, the
 * clinic's time zone (every schedule and calling-window time is on its clock), and the call
 * lists' calling window, retry delay after no answer and attempts. Saved on their own with one
 * `settings.update`. A path IT manages is shown locked and never sent. Not shown to a cashier,
 * who does not work call lists.
 */
export function ScheduleCallListsSettings({ view }: { view: SettingsView }): ReactElement | null {
  if (view.settings.role === 'cashier') return null;
  return <ScheduleCallListsForm view={view} />;
}

function ScheduleCallListsForm({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const form = useSectionForm(view, SCHEDULE_CALL_LISTS_SPEC, NS);
  const { busy } = form;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const result = buildScheduleCallListsPatch(form.draft, form.settings, view.managed);
    if (!result.ok) {
      form.refuse(result.fieldErrors);
      return;
    }
    await form.save(result.patch);
  };

  const field = (path: ScheduleCallListPath) => (
    <SectionTextField
      id={IDS[path]}
      label={t(`${NS}.${TEXT[path]}`)}
      hint={t(`${NS}.${TEXT[path]}Hint`)}
      placeholder={PLACEHOLDERS[path]}
      numeric={SCHEDULE_CALL_LISTS_SPEC.fields[path].numeric ?? false}
      {...(path === 'schedule.timeZone' ? { list: ZONES_ID } : {})}
      {...form.fieldProps(path)}
    />
  );

  return (
    <form className="settings-form settings-schedule-call-lists" noValidate data-testid={FORM_ID} onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t(`${NS}.title`)}</legend>
        {field('schedule.horizonDays')}
        {field('schedule.timeZone')}
        <datalist id={ZONES_ID}>
          {ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        {field('callLists.windowFrom')}
        {field('callLists.windowTo')}
        {field('callLists.retryMinutes')}
        {field('callLists.maxAttempts')}
      </fieldset>
      <SectionActions ns={NS} testId={FORM_ID} busy={busy} disabled={SCHEDULE_CALL_LIST_PATHS.every(form.managed)} message={form.message} />
    </form>
  );
}
