import { normaliseDialString } from '../../softphone/phone';

/** Why a typed or pasted string cannot be dialled; each has its own sentence under `phone.dial.errors.*`. */
export type DialProblem = 'empty' | 'letters' | 'tooLong' | 'invalid';

export type DialCheck = { ok: true; number: string } | { ok: false; problem: DialProblem };

/** {@link normaliseDialString}, plus the specific reason when it says no. */
export function checkDialString(input: string): DialCheck {
  const number = normaliseDialString(input);
  if (number !== null) return { ok: true, number };
  let text = input.trim();
  if (text === '') return { ok: false, problem: 'empty' };
  if (/^tel:/iu.test(text)) text = text.slice(4).split(';')[0] ?? '';
  const body = text.replace(/[\s\-().\u00a0]/gu, '');
  if (/[^0-9*#+]/u.test(body)) return { ok: false, problem: 'letters' };
  if (body.replace(/\D/gu, '').length > 32) return { ok: false, problem: 'tooLong' };
  if (body.replace(/^\+/u, '') === '') return { ok: false, problem: 'empty' };
  return { ok: false, problem: 'invalid' };
}
