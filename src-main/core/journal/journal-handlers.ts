import type { HandlerTable } from '../ipc/dispatcher';
import type { JournalService } from './journal-service';

/** `journal.*`: journal.db's state and the kept-journal notices. */
export function createJournalHandlers(journal: JournalService): Pick<HandlerTable, 'journal.status' | 'journal.acknowledgeKept'> {
  return {
    'journal.status': () => journal.status(),
    'journal.acknowledgeKept': ({ id }) => journal.acknowledgeKept(id),
  };
}
