/**
 * СНИЛС, the Russian individual insurance account number: 11 digits, printed `123-456-789 01`.
 * The last two digits are a control number of the first nine (Pension Fund rules): the sum
 * of each digit times its weight (9 for the first … 1 for the ninth); below 100 it is the
 * control number itself, 100 and 101 give 00, above that the remainder modulo 101 (100 → 00).
 * Numbers up to 001-001-998 were issued before the control number existed and carry none.
 */

/** Digits of a СНИЛС. */
export const SNILS_LENGTH = 11;

/** The highest number (first nine digits) issued without a control number. */
const LAST_UNCHECKED_NUMBER = 1_001_998;

/** The control number (0–99) of the first nine digits of a СНИЛС. */
export function snilsControlNumber(first9: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (9 - i);
  if (sum < 100) return sum;
  if (sum === 100 || sum === 101) return 0;
  const rest = sum % 101;
  return rest === 100 ? 0 : rest;
}

/** True for 11 digits whose last two are the control number of the first nine (or that predate it). */
export function isValidSnils(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  if (Number(digits.slice(0, 9)) <= LAST_UNCHECKED_NUMBER) return true;
  return Number(digits.slice(9)) === snilsControlNumber(digits.slice(0, 9));
}
