import { useCallback, useEffect, useRef, useState } from 'react';
import type { OutboxItemView } from '../../../src-shared/outbox/outbox-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';

export interface UndeliveredApi {
  /** The last list main sent; null until the first answer. */
  items: OutboxItemView[] | null;
  /** Why the last load failed (the previous list, if any, stays shown). */
  loadError: DeskErrorPayload | null;
  reload(): void;
  /** The retry button; resolves to the error to show, or null when main took the retry. */
  retry(id: number): Promise<DeskErrorPayload | null>;
}

/**
 * The outbox's undelivered writes, loaded at start, again on every `outbox:changed` (main
 * sends counts only, the list is fetched) and when the bridge comes back after a drop.
 */
export function useUndelivered(): UndeliveredApi {
  const desk = useDesk();
  const [items, setItems] = useState<OutboxItemView[] | null>(null);
  const [loadError, setLoadError] = useState<DeskErrorPayload | null>(null);
  // Answers can overtake each other; only the newest request's answer is applied.
  const sequence = useRef(0);

  const reload = useCallback(() => {
    const mine = ++sequence.current;
    desk.request('outbox.undelivered', {}).then(
      (result) => {
        if (mine !== sequence.current) return;
        setItems(result.items);
        setLoadError(null);
      },
      (error: unknown) => {
        if (mine === sequence.current) setLoadError(toDeskError(error).toPayload());
      },
    );
  }, [desk]);

  useEffect(() => {
    let lost = false;
    const unsubscribe = [
      desk.on('outbox:changed', () => reload()),
      desk.onBridgeState((state) => {
        if (state === 'reconnecting' || state === 'closed') lost = true;
        if (state === 'open' && lost) {
          lost = false;
          reload();
        }
      }),
    ];
    reload();
    return () => unsubscribe.forEach((off) => off());
  }, [desk, reload]);

  const retry = useCallback(
    async (id: number) => {
      try {
        await desk.request('outbox.retry', { id });
        return null;
      } catch (error) {
        return toDeskError(error).toPayload();
      } finally {
        // Whether or not it was still failed, the list now says what is true.
        reload();
      }
    },
    [desk, reload],
  );

  return { items, loadError, reload, retry };
}
