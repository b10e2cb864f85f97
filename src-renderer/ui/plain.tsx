import type { ReactElement } from 'react';

/** C0/C1 control characters (tabs, escapes, NUL) shown as spaces; bidi is isolated by `<bdi>`. */
export function displayText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ');
}

/**
 * Text from the MIS or a caller: rendered as text (React escapes it), control characters
 * blanked, and isolated with `<bdi>` so right-to-left or override characters inside a name
 * cannot reorder the label around it.
 */
export function Plain({ text }: { text: string }): ReactElement {
  return <bdi>{displayText(text)}</bdi>;
}
