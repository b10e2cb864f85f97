import type { ScheduleStream } from '../../../src-shared/schedule/schedule-model';

/**
 * How the schedule streams are named in cache.db (`sync_cursors.stream`, `quarantine.stream`):
 * `schedule.<stream>`, beside the patients stream's `patients`. One place, so the sync, the
 * reader's "data as of" and the bulk loader agree.
 */
export const SCHEDULE_CURSOR_PREFIX = 'schedule.';

/** The cursor (and quarantine) name of a schedule stream: `schedule.slots`. */
export function scheduleCursorStream(stream: ScheduleStream): string {
  return `${SCHEDULE_CURSOR_PREFIX}${stream}`;
}

/** True for the cursor name of a schedule stream. */
export function isScheduleCursorStream(name: string): boolean {
  return name.startsWith(SCHEDULE_CURSOR_PREFIX);
}

/** What one record of each stream is called in a quarantine reason (`slot S-1: startsAt: …`). */
export const SCHEDULE_RECORD_NOUNS: Readonly<Record<ScheduleStream, string>> = {
  branches: 'branch',
  doctors: 'doctor',
  services: 'service',
  slots: 'slot',
  'call-tasks': 'call task',
};
