import { mayReadPatientData, type SessionView } from '../../../src-shared/access/access-model';
import type { ProductionRequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { SettingsPatch, SettingsView } from '../../../src-shared/settings/settings-schema';
import type { HandlerTable } from '../ipc/dispatcher';
import { PERSONAL_SETTINGS_GROUPS, REQUEST_POLICY } from './request-policy';

export interface RequestGuardOptions {
  session: () => SessionView;
  /**
   * Every answer passes through here before the dispatcher validates it: the role's hidden
   * fields removed, the locked pop reduced to "known patient" (`output-masking.ts`).
   */
  maskOutput: <N extends ProductionRequestName>(name: N, output: RequestOutput<N>) => RequestOutput<N>;
}

/**
 * Wraps every handler of the table in the session's rules (docs/architecture.md, "Privacy and
 * security"): a request is refused before its handler runs when the session does not allow it
 * ({@link REQUEST_POLICY}), and what it answers is masked for the role. This is where patient
 * data leaves the core, so hiding a field here removes it from the JSON the renderer gets, not
 * only from the screen.
 */
export function guardHandlers(handlers: HandlerTable, options: RequestGuardOptions): HandlerTable {
  const guarded: Record<string, unknown> = {};
  for (const name of Object.keys(handlers) as ProductionRequestName[]) {
    const handler = handlers[name] as (input: unknown, context: unknown) => unknown;
    guarded[name] = async (input: unknown, context: unknown) => {
      checkAllowed(name, input, options.session());
      const output = (await handler(input, context)) as RequestOutput<typeof name>;
      return options.maskOutput(name, output);
    };
  }
  return guarded as HandlerTable;
}

/** @throws DeskError `SIGNED_OUT`, `LOCKED` or `FORBIDDEN` when the session does not allow `name`. */
export function checkAllowed(name: ProductionRequestName, input: unknown, session: SessionView): void {
  const policy = REQUEST_POLICY[name];
  const staffDesk = session.state !== 'open';
  switch (policy) {
    case 'any':
      return;
    case 'pop':
      if (session.role === 'admin' && session.state === 'signed-in') throw forbidden(name, session);
      return;
    case 'patient':
      if (mayReadPatientData(session.state, session.role)) return;
      throw notNow(name, session);
    case 'admin':
      if (session.state === 'signed-in' && session.role === 'admin') return;
      throw session.state === 'locked' ? notNow(name, session) : forbidden(name, session);
    case 'configure':
      if (!staffDesk) return;
      if (session.state === 'signed-in' && session.role === 'admin') return;
      throw session.state === 'signed-in' ? forbidden(name, session) : notNow(name, session);
    case 'settings': {
      if (!staffDesk) return;
      if (session.state === 'signed-in' && session.role === 'admin') return;
      if (session.state !== 'signed-in') throw notNow(name, session);
      const groups = Object.entries((input ?? {}) as SettingsPatch)
        .filter(([, value]) => value !== undefined)
        .map(([group]) => group);
      const others = groups.filter((group) => !(PERSONAL_SETTINGS_GROUPS as readonly string[]).includes(group));
      if (others.length > 0) {
        throw new DeskError('FORBIDDEN', `Only an administrator changes ${others.join(', ')}; you may change the language, audio devices and desktop options.`);
      }
      return;
    }
  }
}

function notNow(name: string, session: SessionView): DeskError {
  if (session.state === 'locked') return new DeskError('LOCKED', 'The desk is locked: unlock it with your PIN.');
  if (session.state === 'signed-out') return new DeskError('SIGNED_OUT', 'Nobody is signed in at this desk: sign in first.');
  return forbidden(name, session);
}

function forbidden(name: string, session: SessionView): DeskError {
  return new DeskError('FORBIDDEN', `${name} is not for the ${session.role} role.`);
}

/**
 * The settings as the renderer sees them: `role` is the role in force (the signed-in person's),
 * so every pane and shortcut follows the person, not the desk's stored setting.
 */
export function withSessionRole(view: SettingsView, session: SessionView): SettingsView {
  return view.settings.role === session.role ? view : { ...view, settings: { ...view.settings, role: session.role } };
}
