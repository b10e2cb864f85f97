/**
 * Settings: read, change (managed paths refused), the SIP password into the secret store.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { SettingsPatchSchema, SettingsViewSchema } from './settings-schema';

export const settingsRequests = {
  /** Effective settings, the paths IT manages, and whether a SIP password is stored. */
  'settings.get': { input: NoInput, output: SettingsViewSchema },
  /** Change settings from the settings screen; managed (provisioned) paths are refused. */
  'settings.update': { input: SettingsPatchSchema, output: SettingsViewSchema },
  /** Store the SIP password in the secret store (`null` removes it); settings views never carry it (only `sip.credentials` hands it to the softphone). */
  'settings.setSipPassword': {
    input: z.object({ password: z.string().min(1).max(512).nullable() }).strict(),
    output: SettingsViewSchema,
  },
} as const satisfies RequestTable;

export const settingsEvents = {
  'settings:changed': SettingsViewSchema,
} as const satisfies EventTable;
