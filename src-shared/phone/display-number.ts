/**
 * How the desk writes a phone number for people: the one rule for every number on screen (the
 * ringing call, the screen pop, call lines, the wrap-up, the call journal, the patient card).
 * Pure and cheap (a ring paints with it): no parsing library, no allocation beyond the result.
 *
 * Russian and Kazakh numbers (country code +7) in any usual form — `+77071161586`,
 * `87071161586`, `77071161586`, `7071161586`, `8 (707) 116-15-86` — become
 * `+7 (707) 116-15-86`, as clinic paperwork writes them. Everything else comes back as it was
 * given (trimmed): internal extensions (`1001`), foreign numbers (`+4930…`), service numbers
 * and text a PBX put in the caller id. Never throws.
 */
export function formatPhoneNumber(raw: string): string {
  const text = raw.trim();
  // Only digits and the usual separators can be a number; anything else is shown as it came.
  if (text === '' || text.length > 32 || !/^\+?[\d\s().-]+$/.test(text)) return text;
  const digits = text.replace(/\D/g, '');
  const national = text.startsWith('+') ? (digits.length === 11 && digits.startsWith('7') ? digits.slice(1) : null) : nationalOf(digits);
  if (national === null) return text;
  return `+7 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`;
}

/** The ten national digits of a +7 number dialled without `+` (trunk prefix 8, or 7), else null. */
function nationalOf(digits: string): string | null {
  const national = digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7')) ? digits.slice(1) : digits.length === 10 ? digits : null;
  // Area and mobile codes of +7 start with 3, 4, 7 (Kazakhstan), 8 or 9.
  return national !== null && /^[3-9]/.test(national) ? national : null;
}
