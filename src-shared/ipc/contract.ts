import { z } from 'zod';
import { SettingsPatchSchema, SettingsViewSchema } from '../settings/settings-schema';
import { CoreStatusSchema } from '../status/system-status';

/**
 * The one source of truth for everything that crosses from the renderer to main.
 * The preload's allow-list, main's handler table and the browser host's WebSocket bridge are
 * all derived from these two objects: adding a call is one entry here plus one handler.
 */

const NoInput = z.object({}).strict();

export const AppInfoSchema = z
  .object({
    name: z.literal('Registratura'),
    version: z.string(),
    host: z.enum(['electron', 'web']),
    dataDir: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const requests = {
  /** Which build and which host the renderer is running under. */
  'app.info': { input: NoInput, output: AppInfoSchema },
  /** Effective settings, the paths IT manages, and whether a SIP password is stored. */
  'settings.get': { input: NoInput, output: SettingsViewSchema },
  /** Change settings from the settings screen; managed (provisioned) paths are refused. */
  'settings.update': { input: SettingsPatchSchema, output: SettingsViewSchema },
  /** Store the SIP password in the secret store (`null` removes it); it is never read back. */
  'settings.setSipPassword': {
    input: z.object({ password: z.string().min(1).max(512).nullable() }).strict(),
    output: SettingsViewSchema,
  },
  /** State of PBX, MIS and sync as main sees them. */
  'status.snapshot': { input: NoInput, output: CoreStatusSchema },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'status:changed': CoreStatusSchema,
  'settings:changed': SettingsViewSchema,
} as const satisfies Record<string, z.ZodType>;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>;
export type ParsedRequestInput<N extends RequestName> = z.output<Requests[N]['input']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What `window.desk` offers (Electron preload) and what the WebSocket client implements. */
export interface DeskApi {
  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Electron IPC channel names; the only two the preload touches. */
export const IPC_REQUEST_CHANNEL = 'desk:request';
export const IPC_EVENT_CHANNEL = 'desk:event';
