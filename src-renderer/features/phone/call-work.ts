import type { WrapUpOutcome } from '../../../src-shared/calls/calls-contract';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import type { TransferContext } from '../../../src-shared/supervisor/supervisor-model';

/**
 * What the desk knows about a caller while the call rings, is talked on and wrapped up:
 * the screen pop. One per incoming call (softphone INVITE or PBX `ringing` in CTI mode), keyed
 * by the call id; it stays until the call ends unanswered or its wrap-up is saved.
 */
export interface ScreenPop {
  readonly callId: string;
  /** The caller's number as the phone / PBX gave it (already sanitised). */
  readonly number: string;
  readonly source: 'sip' | 'pbx';
  /** CTI mode: the desk phone's extension the PBX rang; null for the softphone. */
  readonly extension: string | null;
  /** `skipped`: no number to look up (withheld). */
  readonly lookup: 'pending' | 'done' | 'failed' | 'skipped';
  readonly numberKey: string | null;
  /** The caller's cards as the role may see them (hidden fields absent). */
  readonly matches: readonly VisiblePatientCard[];
  /**
   * The desk was locked or signed out when the lookup ran: main sent no card, only how many
   * match (> 0: "known patient"). Null when the cards were sent. Looked up again on unlock.
   */
  readonly withheld: number | null;
  /**
   * The cache lacked cards the MIS has when it was looked up (a first sync or a rebuild under
   * way): no card is not yet a new patient — the pop asks the MIS and says so.
   */
  readonly cacheIncomplete: boolean;
  /** The choice remembered for this number (first in the chooser). */
  readonly remembered: string | null;
  /** The cache's last sync ("cached HH:MM"). */
  readonly dataAsOf: string | null;
  /** The card on screen: the only match, or the one picked in the chooser. */
  readonly selected: string | null;
  /** The operator re-opened the chooser ("another patient"). */
  readonly choosing: boolean;
  /** Cards already reported with `screenPop.show` for this call (one audit entry each). */
  readonly audited: readonly string[];
  readonly refresh: 'none' | 'refreshing' | 'updated' | 'unreachable';
  readonly refreshedAt: string | null;
  /** A new-patient draft saved from this pop. */
  readonly draftId: string | null;
  /** A supervisor sent this caller here with a note (the lookup's `transfer`); shown above the card. */
  readonly transfer: TransferContext | null;
  /**
   * The ring is held back until its card is there (at most {@link RING_HOLD_MAX_MS}): the
   * ringing panel, the card and the ringtone then appear in one paint, with no "looking up"
   * flash and no layout jump — and the page does that layout and paint once, not twice, in
   * the very window of the INVITE → card budget.
   */
  readonly held: boolean;
}

/** Longest a ring waits for its card before it shows without it (the card follows when it comes). */
export const RING_HOLD_MAX_MS = 80;

/** Call ids whose ring is still held, as one string (a stable store selection). */
export function heldRingsKey(pops: readonly ScreenPop[]): string {
  let key = '';
  for (const pop of pops) if (pop.held) key += `${pop.callId}\n`;
  return key;
}

/** {@link heldRingsKey} back as a set. */
export function heldRingsOf(key: string): ReadonlySet<string> {
  return new Set(key === '' ? [] : key.slice(0, -1).split('\n'));
}

/** One answered call waiting for its wrap-up; the form's values live here so nothing is lost. */
export interface WrapUpItem {
  readonly callId: string;
  readonly number: string;
  readonly direction: 'incoming' | 'outgoing';
  /** Wall-clock ms when the call ended: the after-call-work timer counts from here. */
  readonly endedAt: number;
  readonly category: string;
  readonly outcome: WrapUpOutcome | '';
  readonly note: string;
}

/** A call the PBX reports on this desk's hardware phone (CTI mode). */
export interface PbxCall {
  readonly callId: string;
  readonly number: string;
  readonly extension: string;
  readonly state: 'ringing' | 'answered';
  /** Wall-clock ms of the PBX's `ringing` and `answered` events (for the journal record). */
  readonly startedAt: number;
  readonly answeredAt: number | null;
}

export const WRAP_UP_OUTCOMES: readonly WrapUpOutcome[] = ['booked', 'information', 'transferred', 'callback', 'wrong-number'];

export function newPop(callId: string, number: string, source: 'sip' | 'pbx', extension: string | null): ScreenPop {
  return {
    callId,
    number,
    source,
    extension,
    lookup: number === '' ? 'skipped' : 'pending',
    numberKey: null,
    matches: [],
    withheld: null,
    cacheIncomplete: false,
    remembered: null,
    dataAsOf: null,
    selected: null,
    choosing: false,
    audited: [],
    refresh: 'none',
    refreshedAt: null,
    draftId: null,
    transfer: null,
    held: number !== '',
  };
}

/** The cards in chooser order: the remembered choice first, the rest as the core sent them. */
export function chooserOrder(matches: readonly VisiblePatientCard[], remembered: string | null): VisiblePatientCard[] {
  const first = matches.filter((card) => card.misId === remembered);
  return [...first, ...matches.filter((card) => card.misId !== remembered)];
}

/**
 * New matches (lookup or refresh) applied to a pop: one match is shown at once; a selection
 * that is still among the matches stays; a selection that vanished goes back to the chooser.
 */
export function withMatches(pop: ScreenPop, matches: readonly VisiblePatientCard[]): Pick<ScreenPop, 'matches' | 'selected'> {
  if (matches.length === 1) return { matches, selected: matches[0]!.misId };
  const selected = pop.selected !== null && matches.some((card) => card.misId === pop.selected) ? pop.selected : null;
  return { matches, selected };
}

/** The card a pop shows, if it shows one (not the chooser, not the draft). */
export function shownCardOf(pop: ScreenPop): VisiblePatientCard | null {
  if (pop.lookup !== 'done' || pop.choosing || pop.selected === null) return null;
  return pop.matches.find((card) => card.misId === pop.selected) ?? null;
}

/** Screen-pop performance marks (read by e2e from `performance.getEntriesByType('measure')`). */
export const inviteMarkOf = (callId: string) => `screen-pop:invite:${callId}`;
export const paintedMarkOf = (callId: string) => `screen-pop:painted:${callId}`;
export const measureOf = (callId: string) => `screen-pop:${callId}`;

const hasPerformance = (): boolean => typeof performance !== 'undefined' && typeof performance.mark === 'function';

/**
 * Calls whose marks and measure stay in the page's performance timeline, newest last. The
 * timeline keeps user marks until they are cleared, so without a bound a shift's calls piled up
 * three entries each (found by the shift soak, `e2e/specs/shift-soak.spec.ts`); a call's
 * measure is read while it is recent.
 */
export const MARKED_CALLS_KEPT = 50;
const markedCalls: string[] = [];

/** Remembers a marked call and clears the marks and measure of the calls beyond {@link MARKED_CALLS_KEPT}. */
function keepMarksOf(callId: string): void {
  if (markedCalls.includes(callId)) return;
  markedCalls.push(callId);
  while (markedCalls.length > MARKED_CALLS_KEPT) {
    const old = markedCalls.shift()!;
    performance.clearMarks(inviteMarkOf(old));
    performance.clearMarks(paintedMarkOf(old));
    performance.clearMeasures(measureOf(old));
  }
}

/** Marks the call's arrival unless the phone already did (the SIP phone marks in `onInvite`). */
export function markInvite(callId: string): void {
  if (!hasPerformance()) return;
  try {
    if (performance.getEntriesByName(inviteMarkOf(callId), 'mark').length === 0) performance.mark(inviteMarkOf(callId));
    keepMarksOf(callId);
  } catch {
    // Marks are a measurement aid; never a reason to break the pop.
  }
}

/**
 * The pop for this call is in the DOM (called from its layout effect): marks it painted once the
 * browser has painted that frame — a message posted from the frame's animation callback runs
 * after the frame's style, layout and paint — so the measure includes the layout and paint the
 * operator waits for, not only React's commit. A hidden page paints no frames: marked at once.
 */
export function markPaintedAfterFrame(callId: string): void {
  if (typeof requestAnimationFrame !== 'function' || typeof MessageChannel !== 'function' || document.visibilityState === 'hidden') {
    markPainted(callId);
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    markPainted(callId);
  };
  requestAnimationFrame(() => channel.port2.postMessage(null));
}

/** The pop for this call is painted: mark it and measure invite → painted, once per call. */
export function markPainted(callId: string): void {
  if (!hasPerformance()) return;
  try {
    if (performance.getEntriesByName(measureOf(callId), 'measure').length > 0) return;
    performance.mark(paintedMarkOf(callId));
    keepMarksOf(callId);
    if (performance.getEntriesByName(inviteMarkOf(callId), 'mark').length > 0) {
      performance.measure(measureOf(callId), inviteMarkOf(callId), paintedMarkOf(callId));
    }
  } catch {
    // As above.
  }
}
