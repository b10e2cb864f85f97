/**
 * The call state reducer: pure, no SIP.js. The SIP adapter translates session events into
 * {@link CallEvent}s; the reducer decides what the desk shows and the journal outcome.
 */
import type { CallDirection, PhoneCall } from './phone';

/** What can happen to a call. `at` is the clock time (ms) of the event. */
export type CallEvent =
  /** Outgoing: a provisional 18x arrived (RFC 3261 §13.2.2.1), the far end is ringing. */
  | { readonly type: 'progress'; readonly at: number }
  /** Incoming: the operator answered, the 200 OK is on its way. */
  | { readonly type: 'accepting'; readonly at: number }
  /** Incoming intercom, not yet answered: it is the call the desk asked for (`Phone.expectIntercom`). */
  | { readonly type: 'expected'; readonly at: number }
  /** The dialog is confirmed (2xx + ACK, RFC 3261 §13.2.2.4 / §13.3.1.4). */
  | { readonly type: 'established'; readonly at: number }
  /** Hold / resume re-INVITE accepted (RFC 3261 §14). */
  | { readonly type: 'held'; readonly at: number }
  | { readonly type: 'resumed'; readonly at: number }
  | { readonly type: 'muted'; readonly muted: boolean; readonly at: number }
  /** Either side sent BYE (RFC 3261 §15), or we cancelled an unanswered outgoing call. */
  | { readonly type: 'hungUp'; readonly at: number }
  /** The caller sent CANCEL before we answered (RFC 3261 §9). */
  | { readonly type: 'cancelled'; readonly at: number }
  /** Declined: we rejected an incoming call, or the far end answered 486/600/603. */
  | { readonly type: 'rejected'; readonly at: number }
  /** Any other setup failure (4xx–6xx, no answer from the network, media negotiation failed). */
  | { readonly type: 'failed'; readonly at: number }
  /** The transport dropped under the call. */
  | { readonly type: 'transportLost'; readonly at: number }
  /** The ICE-restart re-INVITE after reconnect succeeded; `held` says what to go back to. */
  | { readonly type: 'recovered'; readonly held: boolean; readonly at: number }
  /** Recovery failed: the dialog is gone on the server. */
  | { readonly type: 'recoveryFailed'; readonly at: number };

/** A new call record. Incoming calls start `ringing`, outgoing ones `connecting`. */
export function newCall(args: {
  id: string;
  direction: CallDirection;
  remoteNumber: string;
  remoteDisplayName: string;
  at: number;
  autoAnswerAfterSec?: number | null;
  consultationFor?: string | null;
  expectedIntercom?: boolean;
}): PhoneCall {
  return {
    id: args.id,
    direction: args.direction,
    remoteNumber: args.remoteNumber,
    remoteDisplayName: args.remoteDisplayName,
    state: args.direction === 'incoming' ? 'ringing' : 'connecting',
    muted: false,
    startedAt: args.at,
    answeredAt: null,
    endedAt: null,
    outcome: null,
    autoAnswerAfterSec: args.autoAnswerAfterSec ?? null,
    consultationFor: args.consultationFor ?? null,
    expectedIntercom: args.expectedIntercom ?? false,
  };
}

const isUp = (c: PhoneCall) => c.state === 'active' || c.state === 'held';
const isSettingUp = (c: PhoneCall) => c.state === 'ringing' || c.state === 'connecting';

function end(call: PhoneCall, at: number, outcome: NonNullable<PhoneCall['outcome']>): PhoneCall {
  return { ...call, state: 'ended', endedAt: at, outcome };
}

/**
 * Apply an event. `ended` is final; events that make no sense in the current state return the
 * same object, so callers can skip a re-render with `===`.
 */
export function reduceCall(call: PhoneCall, event: CallEvent): PhoneCall {
  if (call.state === 'ended') return call;
  switch (event.type) {
    case 'progress':
      return call.direction === 'outgoing' && call.state === 'connecting' ? { ...call, state: 'ringing' } : call;
    case 'accepting':
      return call.direction === 'incoming' && call.state === 'ringing' ? { ...call, state: 'connecting' } : call;
    case 'expected':
      return call.direction === 'incoming' && call.state === 'ringing' && call.autoAnswerAfterSec !== null && !call.expectedIntercom
        ? { ...call, expectedIntercom: true }
        : call;
    case 'established':
      return isSettingUp(call) ? { ...call, state: 'active', answeredAt: event.at } : call;
    case 'held':
      return call.state === 'active' ? { ...call, state: 'held' } : call;
    case 'resumed':
      return call.state === 'held' ? { ...call, state: 'active' } : call;
    case 'muted':
      return call.muted === event.muted ? call : { ...call, muted: event.muted };
    case 'hungUp':
      // A call that was never answered ended unanswered, whoever hung up.
      return end(call, event.at, call.answeredAt === null ? 'missed' : 'answered');
    case 'cancelled':
      return isSettingUp(call) ? end(call, event.at, 'missed') : call;
    case 'rejected':
      return isSettingUp(call) ? end(call, event.at, 'rejected') : call;
    case 'failed':
      if (isSettingUp(call)) return end(call, event.at, 'failed');
      // Media or re-INVITE failure on an answered call: it is gone, and that is a lost call.
      return end(call, event.at, 'lost');
    case 'transportLost':
      if (call.state === 'recovering') return call;
      if (isUp(call)) return { ...call, state: 'recovering' };
      // A call being set up cannot be recovered: the INVITE transaction died with the socket.
      return end(call, event.at, call.direction === 'incoming' ? 'missed' : 'failed');
    case 'recovered':
      return call.state === 'recovering' ? { ...call, state: event.held ? 'held' : 'active' } : call;
    case 'recoveryFailed':
      return call.state === 'recovering' ? end(call, event.at, 'lost') : call;
  }
}
