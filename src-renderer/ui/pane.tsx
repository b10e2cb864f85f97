import { useEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { useAppStore } from '../app/app-store';

export interface PaneProps {
  id: string;
  title: string;
  children: ReactNode;
}

/**
 * One main pane: a landmark with a heading. After the user navigates (click, shortcut,
 * keyboard) the heading takes focus so screen readers announce where they are.
 */
export function Pane({ id, title, children }: PaneProps): ReactElement {
  const navSeq = useAppStore((state) => state.navSeq);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navSeq > 0) heading.current?.focus();
  }, [navSeq]);
  const headingId = `pane-${id}-title`;
  return (
    <section className="pane" aria-labelledby={headingId} data-testid={`pane-${id}`}>
      <header className="pane-header">
        <h1 id={headingId} ref={heading} tabIndex={-1} className="pane-title">
          {title}
        </h1>
      </header>
      <div className="pane-body">{children}</div>
    </section>
  );
}
