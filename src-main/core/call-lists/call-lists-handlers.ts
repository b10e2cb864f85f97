import type { HandlerTable } from '../ipc/dispatcher';
import type { CallListService } from './call-list-service';

/** `callLists.*`: the outbound call lists. */
export function createCallListsHandlers(
  callLists: CallListService,
): Pick<HandlerTable, 'callLists.overview' | 'callLists.tasks' | 'callLists.next' | 'callLists.release' | 'callLists.call' | 'callLists.complete'> {
  return {
    'callLists.overview': () => callLists.overview(),
    'callLists.tasks': ({ listId }) => callLists.tasks(listId),
    'callLists.next': ({ listId }) => callLists.next(listId),
    'callLists.release': ({ id }) => callLists.release(id),
    'callLists.call': ({ id }) => callLists.call(id),
    'callLists.complete': ({ id, outcome }) => callLists.complete(id, outcome),
  };
}
