import {
  CallListSettingsSchema,
  callListFields,
  scheduleFields,
  SettingsPatchSchema,
  type Settings,
  type SettingsPatch,
} from '../../../src-shared/settings/settings-schema';
import { isManaged } from './settings-form-model';
import { collectSectionPatch, type SectionFieldErrors, type SectionSpec } from './settings-section-model';

/**
 * Settings → Schedule and call lists, pure: the cached schedule's horizon and the clinic's time
 * zone, the call lists' calling window (clinic clock), retry delay and attempts. Each field is
 * checked with the schema's own field schema (`scheduleFields`, `callListFields`), the window's
 * order with `CallListSettingsSchema` itself; the patch holds changed, unmanaged fields only.
 */
export const SCHEDULE_CALL_LIST_PATHS = [
  'schedule.horizonDays',
  'schedule.timeZone',
  'callLists.windowFrom',
  'callLists.windowTo',
  'callLists.retryMinutes',
  'callLists.maxAttempts',
] as const;
export type ScheduleCallListPath = (typeof SCHEDULE_CALL_LIST_PATHS)[number];
export type ScheduleCallListDraft = Record<ScheduleCallListPath, string>;

const ERRORS = 'settings.scheduleCallLists.errors';

/** The fields: the schema's own field schemas and their error keys under `settings.scheduleCallLists.errors`. */
export const SCHEDULE_CALL_LISTS_SPEC: SectionSpec<ScheduleCallListPath> = {
  paths: SCHEDULE_CALL_LIST_PATHS,
  errorPrefix: ERRORS,
  fields: {
    'schedule.horizonDays': { schema: scheduleFields.horizonDays, error: 'horizon', numeric: true },
    'schedule.timeZone': { schema: scheduleFields.timeZone, error: 'timeZone' },
    'callLists.windowFrom': { schema: callListFields.windowFrom, error: 'time' },
    'callLists.windowTo': { schema: callListFields.windowTo, error: 'time' },
    'callLists.retryMinutes': { schema: callListFields.retryMinutes, error: 'retry', numeric: true },
    'callLists.maxAttempts': { schema: callListFields.maxAttempts, error: 'attempts', numeric: true },
  },
};

export type ScheduleCallListsPatch = Pick<SettingsPatch, 'schedule' | 'callLists'>;

export type ScheduleCallListsResult = { ok: true; patch: ScheduleCallListsPatch } | { ok: false; fieldErrors: SectionFieldErrors<ScheduleCallListPath> };

/**
 * Checks every field IT does not manage, then the calling window as it would be stored (typed
 * ends where valid, else the stored ones) with `CallListSettingsSchema`'s own rule (it must start
 * before it ends); builds the patch of what changed, never a managed path. The patch passes
 * `SettingsPatchSchema`, the very schema main checks it with.
 */
export function buildScheduleCallListsPatch(
  draft: ScheduleCallListDraft,
  settings: Settings,
  managed: readonly string[],
): ScheduleCallListsResult {
  const { fieldErrors, patch, values } = collectSectionPatch(SCHEDULE_CALL_LISTS_SPEC, draft, settings, managed);
  if (!fieldErrors['callLists.windowFrom'] && !fieldErrors['callLists.windowTo']) {
    const callLists = { ...settings.callLists, windowFrom: values['callLists.windowFrom'], windowTo: values['callLists.windowTo'] };
    const order = CallListSettingsSchema.safeParse(callLists).error?.issues.find((issue) => issue.code === 'custom');
    if (order) {
      // The schema names the end; when IT locks the end, the start is what the operator can fix.
      const path = isManaged('callLists.windowTo', managed) ? 'callLists.windowFrom' : 'callLists.windowTo';
      fieldErrors[path] = `${ERRORS}.windowOrder`;
    }
  }
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  const checked = SettingsPatchSchema.safeParse(patch);
  // Unreachable while the field checks above use the same schemas; kept so nothing unchecked is sent.
  if (!checked.success) return { ok: false, fieldErrors: {} };
  return { ok: true, patch: checked.data };
}
