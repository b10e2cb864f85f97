import type { HandlerTable } from '../ipc/dispatcher';
import type { SettingsService } from './settings-service';

/** `settings.*` and `sip.credentials` (the SIP password lives with the settings, in the secret store). */
export function createSettingsHandlers(settings: SettingsService): Pick<HandlerTable, 'settings.get' | 'settings.update' | 'settings.setSipPassword' | 'sip.credentials'> {
  return {
    'settings.get': () => settings.view(),
    'settings.update': (patch) => settings.update(patch),
    'settings.setSipPassword': ({ password }) => settings.setSipPassword(password),
    // The one secret the renderer gets (see the softphone contract); never logged.
    'sip.credentials': () => ({ password: settings.sipPassword() }),
  };
}
