import type { HandlerTable } from '../ipc/dispatcher';
import type { CallbackService } from './callback-service';

/** `callbacks.*`: the shared missed-call worklist. */
export function createCallbacksHandlers(callbacks: CallbackService): Pick<HandlerTable, 'callbacks.list' | 'callbacks.claim' | 'callbacks.release' | 'callbacks.callBack' | 'callbacks.complete'> {
  return {
    'callbacks.list': () => callbacks.list(),
    'callbacks.claim': ({ id }) => callbacks.claim(id),
    'callbacks.release': ({ id }) => callbacks.release(id),
    'callbacks.callBack': ({ id }) => callbacks.callBack(id),
    'callbacks.complete': ({ id, outcome }) => callbacks.complete(id, outcome),
  };
}
