import { createContext, useContext, useEffect, useRef, type ReactElement, type ReactNode, type RefObject } from 'react';

/**
 * Bumped on every navigation the user asks for (the shell provides the app store's `navSeq`);
 * 0 until the first. Each bump moves the focus into the pane on screen.
 */
export const NavigationSeqContext = createContext(0);

export interface PaneProps {
  id: string;
  title: string;
  children: ReactNode;
  /** Shown at the right end of the header (e.g. "data as of 09:05"). */
  headerExtra?: ReactNode;
  /** Extra class on the section; `pane-fill` makes the body fill the window without page scroll. */
  className?: string;
  /**
   * Focused instead of the heading after navigation when it is on screen (the Patients pane's
   * search box: the cashier types at once). The pane is still announced by its landmark label.
   */
  focusTarget?: RefObject<HTMLElement | null>;
}

/**
 * One main pane: a landmark with a heading. After the user navigates (click, shortcut,
 * keyboard) the heading takes focus so screen readers announce where they are.
 */
export function Pane({ id, title, children, headerExtra, className, focusTarget }: PaneProps): ReactElement {
  const navSeq = useContext(NavigationSeqContext);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navSeq > 0) (focusTarget?.current ?? heading.current)?.focus();
  }, [navSeq, focusTarget]);
  const headingId = `pane-${id}-title`;
  return (
    <section className={className ? `pane ${className}` : 'pane'} aria-labelledby={headingId} data-testid={`pane-${id}`}>
      <header className="pane-header">
        <h1 id={headingId} ref={heading} tabIndex={-1} className="pane-title">
          {title}
        </h1>
        {headerExtra ? <div className="pane-header-extra">{headerExtra}</div> : null}
      </header>
      <div className="pane-body">{children}</div>
    </section>
  );
}
