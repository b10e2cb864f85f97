import { OUTBOX_VIEW_LIMIT, type OutboxItemView } from '../../../src-shared/outbox/outbox-contract';
import type { HandlerTable } from '../ipc/dispatcher';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { MisLinkService } from './mis-link-service';
import type { OutboxItem } from './outbox';

export interface OutboxHandlerOptions {
  journal: JournalService;
  link: MisLinkService;
  logger: Logger;
}

/** `outbox.*`: the "not delivered" panel's list and its retry button. */
export function createOutboxHandlers(options: OutboxHandlerOptions): Pick<HandlerTable, 'outbox.undelivered' | 'outbox.retry'> {
  const { journal, link, logger } = options;
  return {
    /**
     * Every write the MIS has not confirmed, oldest first, without payloads (they may hold
     * patient data). Empty when the journal is not open: there is then nothing this desk could
     * show, and the status bar already says why.
     */
    'outbox.undelivered': () => ({ items: (journal.stores?.outbox.listUndelivered() ?? []).slice(0, OUTBOX_VIEW_LIMIT).map(toOutboxView) }),
    /**
     * A failed write becomes due now with its original key, and the sender is woken so the
     * operator sees the result without waiting for its idle sleep. `retried: false` when the
     * item is not (or no longer) failed; `JOURNAL_UNAVAILABLE` without a journal.
     */
    'outbox.retry': ({ id }) => {
      const retried = journal.require('its outbox cannot be retried').outbox.retry(id);
      if (retried) {
        logger.info('outbox.retry', { id });
        link.wakeOutbox();
      }
      return { retried };
    },
  };
}

/** The contract's view of an outbox row: what happened to the write, never what it carries. */
export function toOutboxView(item: OutboxItem): OutboxItemView {
  const { state } = item;
  // listUndelivered never returns these; a delivered row in the panel would be a lie.
  if (state === 'delivered') throw new Error(`outbox item ${item.id} is delivered`);
  return {
    id: item.id,
    kind: item.kind,
    state,
    attempts: item.attempts,
    lastError: item.lastError,
    createdAt: new Date(item.createdAt).toISOString(),
    nextAttemptAt: state === 'pending' ? new Date(item.nextAttemptAt).toISOString() : null,
  };
}
