import type { Settings } from '../../../src-shared/settings/settings-schema';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { EventBus } from '../events/event-bus';
import type { HandlerTable } from '../ipc/dispatcher';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { CallNumbers } from '../screen-pop/call-numbers';

export interface CallHandlerOptions {
  journal: JournalService;
  /** The number each call was looked up with (the pop's memory). */
  callNumbers: CallNumbers;
  settings: () => Settings;
  /** A local change was queued: the outbox sender drains it now. */
  wakeOutbox: () => void;
  /** A cached patient's display name ("Surname Given Patronymic"), null when not cached. */
  patientName?: (misId: string) => string | null;
  now?: () => number;
  /** A call was journalled (the callback worklist raises or closes its task). */
  onCallJournalled?: (call: { id: string; number: string; direction: 'incoming' | 'outgoing'; outcome: 'answered' | 'missed' | 'rejected' | 'failed' | 'lost'; endedAt: number }) => void;
  /** A wrap-up asked for a call back (its request row is committed). */
  onCallbackRequested?: () => void;
  /** A wrap-up was saved (its row is committed): the supervisors' figures count its category. */
  onWrapUpSaved?: (wrapUp: { callId: string; category: string; savedAt: number }) => void;
  events: EventBus;
  logger: Logger;
}

/**
 * `calls.*`: the call journal (`record`, `recent`) and the after-call wrap-up. A newly
 * journalled `lost` call raises `call:lost` once, after its row is committed, so the callbacks
 * feature never gets a task for a call the journal does not hold, nor two for one retried
 * record. The log gets the call id, direction and outcome only: number, display name and note
 * are patient data.
 */
export function createCallHandlers(options: CallHandlerOptions): Pick<HandlerTable, 'calls.record' | 'calls.recent' | 'calls.wrapUp'> {
  const { journal, events, logger } = options;
  // The worklist's trouble is never the journal's: the call is recorded whatever it does.
  const notify = (work: () => void) => {
    try {
      work();
    } catch (error) {
      logger.warn('calls.callback-hook-failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
  };
  return {
    'calls.record': (call) => {
      // Refused rather than answered "recorded": the renderer keeps the record and can retry.
      const stored = journal.require('the call was not journalled').calls.record(call);
      logger.info(stored ? 'calls.recorded' : 'calls.already-recorded', { callId: call.id, direction: call.direction, outcome: call.outcome });
      if (stored?.outcome === 'lost') events.emit('call:lost', { callId: stored.id, number: stored.number, endedAt: stored.endedAt });
      if (stored) notify(() => options.onCallJournalled?.({ id: stored.id, number: stored.number, direction: stored.direction, outcome: stored.outcome, endedAt: Date.parse(stored.endedAt) }));
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
      const calls = journal.require('the call journal cannot be listed').calls.list({ limit, filter, ...(misId !== undefined && { misId }), todayStart: today.getTime() });
      return { items: calls.map((call) => ({ ...call, patientName: call.misId === null ? null : nameOf(call.misId), queue: null })) };
    },
    'calls.wrapUp': (input) => {
      const categories = options.settings().wrapUp.categories;
      if (!categories.includes(input.category)) {
        throw new DeskError('INVALID_INPUT', `The wrap-up category "${input.category}" is not one of the ${categories.length} categories in this desk's settings; choose one of them.`);
      }
      const result = journal.require('the wrap-up was not saved').wrapUps.save(input, options.callNumbers.of(input.callId));
      if (result.saved) options.wakeOutbox();
      if (result.saved && input.outcome === 'callback') notify(() => options.onCallbackRequested?.());
      if (result.saved) notify(() => options.onWrapUpSaved?.({ callId: input.callId, category: input.category, savedAt: (options.now ?? Date.now)() }));
      logger.info(result.saved ? 'calls.wrapped-up' : 'calls.already-wrapped-up', { callId: input.callId, outcome: input.outcome, outboxId: result.outboxId });
      return result;
    },
  };
}
