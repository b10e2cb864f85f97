import type { z } from 'zod';
import { accessEvents, accessRequests } from '../access/access-contract';
import { appEvents, appRequests } from '../app/app-contract';
import { bookingEvents, bookingRequests } from '../booking/booking-contract';
import { callListsEvents, callListsRequests } from '../call-lists/call-lists-contract';
import { cacheEvents, cacheRequests } from '../cache/cache-contract';
import { connectorsRequests } from '../connectors/connectors-contract';
import { callbacksEvents, callbacksRequests } from '../callbacks/callbacks-contract';
import { callsEvents, callsRequests } from '../calls/calls-contract';
import { demoRequests } from '../demo/demo-contract';
import { diagnosticsBundleRequests, diagnosticsRequests } from '../diagnostics/diagnostics-contract';
import { journalEvents, journalRequests } from '../journal/journal-contract';
import { outboxEvents, outboxRequests } from '../outbox/outbox-contract';
import { patientsEvents, patientsRequests } from '../patients/patients-contract';
import { pbxEvents, pbxRequests } from '../pbx/pbx-contract';
import { screenPopRequests } from '../screen-pop/screen-pop-contract';
import { settingsEvents, settingsRequests } from '../settings/settings-contract';
import { softphoneEvents, softphoneRequests } from '../softphone/softphone-contract';
import { statusEvents, statusRequests } from '../status/status-contract';
import { supervisorEvents, supervisorRequests } from '../supervisor/supervisor-contract';

/**
 * The one source of truth for everything that crosses from the renderer to main, composed
 * from each domain's own table (`src-shared/<domain>/<domain>-contract.ts`, which also holds
 * that domain's schemas). The preload's allow-list, main's handler table and the browser
 * host's WebSocket bridge are all derived from it: a new domain is its own file plus one line
 * here, a new call one entry in its domain's table plus one handler.
 */

/** The production requests: main must have a handler for every one, or it refuses to start. */
export const requests = {
  ...appRequests,
  ...accessRequests,
  ...settingsRequests,
  ...softphoneRequests,
  ...statusRequests,
  ...diagnosticsRequests,
  ...diagnosticsBundleRequests,
  ...patientsRequests,
  ...cacheRequests,
  ...journalRequests,
  ...outboxRequests,
  ...callsRequests,
  ...screenPopRequests,
  ...pbxRequests,
  ...callbacksRequests,
  ...bookingRequests,
  ...callListsRequests,
  ...supervisorRequests,
  ...connectorsRequests,
} as const;

/** The demo clinic's controls: known to the renderer and the bridge, answered by main only while a demo connector runs. */
export { demoRequests };

/** Every request a window may send: the production ones and the demo controls. */
export const allRequests = { ...requests, ...demoRequests } as const;

export const events = {
  ...appEvents,
  ...statusEvents,
  ...accessEvents,
  ...cacheEvents,
  ...patientsEvents,
  ...journalEvents,
  ...settingsEvents,
  ...outboxEvents,
  ...softphoneEvents,
  ...callsEvents,
  ...pbxEvents,
  ...callbacksEvents,
  ...bookingEvents,
  ...callListsEvents,
  ...supervisorEvents,
} as const;

export type Requests = typeof allRequests;
export type RequestName = keyof Requests;
export type ProductionRequestName = keyof typeof requests;
export type DemoRequestName = keyof typeof demoRequests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>;
export type ParsedRequestInput<N extends RequestName> = z.output<Requests[N]['input']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const requestNames = Object.keys(allRequests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(allRequests, name);
}

export function isDemoRequestName(name: unknown): name is DemoRequestName {
  return typeof name === 'string' && Object.hasOwn(demoRequests, name);
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
