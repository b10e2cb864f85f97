import { DeskError } from '../../../src-shared/ipc/errors';
import type { EventBus } from '../events/event-bus';
import type { HandlerTable } from '../ipc/dispatcher';
import type { Logger } from '../log/logger';
import type { CallJournal } from './call-journal';

export interface CallHandlerOptions {
  /** The journal while journal.db is open (it opens when the clinic link starts), else null. */
  journal: () => CallJournal | null;
  /** A cached patient's display name ("Surname Given Patronymic"), null when not cached. */
  patientName?: (misId: string) => string | null;
  now?: () => number;
  events: EventBus;
  logger: Logger;
}

/**
 * `calls.record` and `calls.recent` for the core's handler table. A newly journalled `lost`
 * call raises `call:lost` once, after its row is committed, so the callbacks feature never
 * gets a task for a call the journal does not hold, nor two for one retried record.
 * The log gets the call id, direction and outcome only: number and display name are patient data.
 */
export function createCallHandlers(options: CallHandlerOptions): Pick<HandlerTable, 'calls.record' | 'calls.recent'> {
  const { events, logger } = options;
  const journal = (): CallJournal => {
    const opened = options.journal();
    // Refused rather than answered "recorded": the renderer keeps the record and can retry.
    if (!opened) throw new DeskError('JOURNAL_UNAVAILABLE', 'The call journal of this desk is not open (see the status bar); the call was not journalled.');
    return opened;
  };
  return {
    'calls.record': (call) => {
      const stored = journal().record(call);
      logger.info(stored ? 'calls.recorded' : 'calls.already-recorded', { callId: call.id, direction: call.direction, outcome: call.outcome });
      if (stored?.outcome === 'lost') events.emit('call:lost', { callId: stored.id, number: stored.number, endedAt: stored.endedAt });
      return { recorded: stored !== null };
    },
    'calls.recent': ({ limit, filter, misId }) => {
      const today = new Date((options.now ?? Date.now)());
      today.setHours(0, 0, 0, 0);
      const names = new Map<string, string | null>();
      const nameOf = (id: string) => {
        if (!names.has(id)) names.set(id, options.patientName?.(id) ?? null);
        return names.get(id)!;
      };
      const calls = journal().list({ limit, filter, ...(misId !== undefined && { misId }), todayStart: today.getTime() });
      return { items: calls.map((call) => ({ ...call, patientName: call.misId === null ? null : nameOf(call.misId), queue: null })) };
    },
  };
}

