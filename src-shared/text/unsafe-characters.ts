/**
 * The one rule for the characters that text from outside the desk (a SIP display name, a card
 * from the MIS, a paste into a search box) can carry but must not pass on as they are:
 *
 * - control characters: C0 (U+0000–U+001F, tab and line feed among them), DEL, C1
 *   (U+0080–U+009F) — Unicode general category `Cc`;
 * - bidi controls: the marks LRM, RLM and ALM, the embeddings and overrides U+202A–U+202E and
 *   the isolates U+2066–U+2069 — Unicode `Bidi_Control`; they make `Иванов` draw as something else;
 * - invisible characters that hide what the text says: zero-width space U+200B, word joiner
 *   U+2060, zero-width no-break space (BOM) U+FEFF. ZWJ and ZWNJ are not among them: they join
 *   emoji sequences and shape scripts, and show;
 * - the line and paragraph separators U+2028 and U+2029.
 *
 * Each is replaced by a space, never removed, so it cannot join two words into one.
 */

const UNSAFE = /[\p{Cc}\p{Bidi_Control}\u200b\u2060\ufeff\u2028\u2029]/gu;
const CONTROL = /\p{Cc}/u;
/** `Cc` except tab and line feed. */
const CONTROL_EXCEPT_LAYOUT = /[^\P{Cc}\t\n]/gu;

/** True when `text` holds a control character (C0, DEL, C1): a key that has one is refused. */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** Every unsafe character (see the module comment) as a space; nothing else changes. */
export function blankUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE, ' ');
}

/**
 * Text from outside shown on one line and not inside a bidi isolate (a caller's name in the
 * call bar, the journal): unsafe characters blanked, runs of whitespace one space, trimmed, cut
 * to `maxCodePoints` (never inside a surrogate pair). Render it as text; markup stays literal.
 */
export function oneLineText(raw: string | null | undefined, maxCodePoints: number): string {
  if (!raw) return '';
  const clean = blankUnsafeCharacters(raw).replace(/\s+/gu, ' ').trim();
  return Array.from(clean).slice(0, maxCodePoints).join('').trim();
}

/**
 * Text from outside shown inside a bidi isolate (`<bdi>`) with its layout (a card's notes):
 * control characters other than tab and line feed blanked. Bidi characters are kept: the isolate
 * keeps them from reordering anything around it, and the text itself is shown as the MIS has it.
 */
export function isolatedText(text: string): string {
  return text.replace(CONTROL_EXCEPT_LAYOUT, ' ');
}
