import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactElement, type ReactNode } from 'react';

export interface VirtualRowsProps<T> {
  items: readonly T[];
  /** Fixed row height (px): no measuring, so an update re-renders only the rows on screen. */
  rowHeight: number;
  keyOf(item: T): string;
  /**
   * Draws one row. It is placed in a positioned slot, so a row that only moved (the queue
   * advanced) is not drawn again: memoise it on its values.
   */
  row(item: T): ReactNode;
  /** The table's accessible name and the header row above the scroller. */
  label: string;
  header: ReactNode;
  className: string;
  testId?: string;
}

/**
 * A table whose body scrolls inside `.queue-scroll` and holds only the rows on screen (plus a few):
 * 500 waiting callers cost what 20 do.
 */
export function VirtualRows<T>({ items, rowHeight, keyOf, row, label, header, className, testId }: VirtualRowsProps<T>): ReactElement {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read only in this component's render, never memoised across it
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    getItemKey: (index) => keyOf(items[index]!),
    overscan: 6,
  });
  return (
    <div className={`queue-table ${className}`} role="table" aria-label={label} aria-rowcount={items.length + 1} data-testid={testId}>
      {header}
      <div ref={scroller} className="queue-scroll">
        <div className="queue-scroll-inner" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((virtual) => {
            const item = items[virtual.index]!;
            return (
              <div key={keyOf(item)} className="queue-slot" style={{ transform: `translateY(${virtual.start}px)` }}>
                {row(item)}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
