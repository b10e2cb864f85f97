import type { Handler } from '../ipc/dispatcher';
import type { SessionService } from './session-service';

type AccessRequest =
  | 'session.get'
  | 'session.people'
  | 'session.signIn'
  | 'session.signOut'
  | 'session.lock'
  | 'session.unlock'
  | 'session.activity'
  | 'session.changePin'
  | 'session.resetPin';

/** The `session.*` requests over the session service (who may call which: `request-policy.ts`). */
export function createAccessHandlers(session: SessionService): { [N in AccessRequest]: Handler<N> } {
  return {
    'session.get': () => session.view(),
    'session.people': () => ({ people: session.signInChoices() }),
    'session.signIn': ({ personId, pin }) => session.signIn(personId, pin),
    'session.signOut': () => session.signOut(),
    'session.lock': () => session.lock('request'),
    'session.unlock': ({ pin }) => session.unlock(pin),
    'session.activity': () => {
      session.activity();
      return { ok: true } as const;
    },
    'session.changePin': ({ currentPin, newPin }) => session.changePin(currentPin, newPin),
    'session.resetPin': ({ personId }) => {
      session.resetPin(personId);
      return { reset: true } as const;
    },
  };
}
