import { oneLineText } from '../../../src-shared/text/unsafe-characters';

/** Longest caller name the UI keeps (CSS truncates what does not fit on the line). */
const NAME_LIMIT = 200;

/**
 * A caller-supplied name made safe to draw: control, bidi and invisible characters blanked and a
 * length cap, on top of what the phone already did. Always rendered as React text.
 */
export function safeName(raw: string): string {
  return oneLineText(raw, NAME_LIMIT);
}
