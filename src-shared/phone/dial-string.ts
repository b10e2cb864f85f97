/**
 * What an operator types or pastes to call or transfer to — `+7 (495) 123-45-67`, `8 900 123 45 67`,
 * `tel:+7-900-123-45-67;ext=1`, `101`, `*72#` — read once: the dialable string (digits, `*`, `#`,
 * one leading `+`; spaces, dashes, dots, parentheses, no-break spaces and a `tel:` prefix with its
 * parameters dropped, RFC 3966), or the reason it cannot be dialled, which the dial pad and the
 * transfer box each say in their own sentence (`phone.dial.errors.*`).
 */

/** Why a typed or pasted string cannot be dialled. */
export type DialProblem = 'empty' | 'letters' | 'tooLong' | 'invalid';

export type DialCheck = { ok: true; number: string } | { ok: false; problem: DialProblem };

/** Most digits, `*` and `#` a dial string may hold. */
export const MAX_DIAL_LENGTH = 32;

/** The dialable string, or why there is none. */
export function checkDialString(input: string): DialCheck {
  let text = input.trim();
  if (/^tel:/iu.test(text)) text = text.slice(4).split(';')[0] ?? '';
  const compact = text.replace(/[\s\-().\u00a0]/gu, '');
  if (/[^0-9*#+]/u.test(compact)) return { ok: false, problem: 'letters' };
  const plus = compact.startsWith('+');
  const body = plus ? compact.slice(1) : compact;
  if (body.replace(/\D/gu, '').length > MAX_DIAL_LENGTH) return { ok: false, problem: 'tooLong' };
  if (body === '') return { ok: false, problem: 'empty' };
  // A `+` after the first character, or more than the limit once `*` and `#` are counted.
  if (body.includes('+') || body.length > MAX_DIAL_LENGTH) return { ok: false, problem: 'invalid' };
  return { ok: true, number: (plus ? '+' : '') + body };
}

/** {@link checkDialString}'s number, or null when it cannot be dialled. */
export function normaliseDialString(input: string): string | null {
  const check = checkDialString(input);
  return check.ok ? check.number : null;
}
