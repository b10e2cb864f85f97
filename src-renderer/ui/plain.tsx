import type { ReactElement } from 'react';
import { isolatedText } from '../../src-shared/text/unsafe-characters';

/**
 * Text from the MIS or a caller: rendered as text (React escapes it), control characters
 * blanked (`isolatedText`, the one rule in src-shared/text), and isolated with `<bdi>` so
 * right-to-left or override characters inside a name cannot reorder the label around it.
 */
export function Plain({ text }: { text: string }): ReactElement {
  return <bdi>{isolatedText(text)}</bdi>;
}
