import type { CallListKind, CallListOutcome } from './call-lists-contract';

/**
 * The outcomes an operator may record on each kind of list, in the order the pane offers them:
 * a visit to confirm is confirmed, cancelled (the slot is freed) or moved; a recall ends in a
 * booking or the patient is told; results ready: told, or a visit booked. No answer and a wrong
 * number fit every list. The core refuses any other (`INVALID_INPUT`).
 */
export const CALL_LIST_OUTCOMES: Readonly<Record<CallListKind, readonly CallListOutcome[]>> = {
  'confirm-tomorrow': ['confirmed', 'cancelled', 'moved', 'noAnswer', 'wrongNumber'],
  recall: ['booked', 'informed', 'noAnswer', 'wrongNumber'],
  results: ['informed', 'booked', 'noAnswer', 'wrongNumber'],
};

export function outcomeFits(kind: CallListKind, outcome: CallListOutcome): boolean {
  return CALL_LIST_OUTCOMES[kind].includes(outcome);
}
