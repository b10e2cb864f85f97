import { sanitiseDisplayText } from '../../softphone/phone';

/** Longest caller name the UI keeps (CSS truncates what does not fit on the line). */
const NAME_LIMIT = 200;

/**
 * A caller-supplied name made safe to draw: control and bidi-override characters removed and a
 * length cap, on top of what the phone already did. Always rendered as React text.
 */
export function safeName(raw: string): string {
  return sanitiseDisplayText(raw, NAME_LIMIT);
}
