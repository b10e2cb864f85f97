import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';

export interface OpenCard {
  misId: string;
  /** `gone`: the cache no longer has it (deleted or merged in the MIS). */
  status: 'loading' | 'ready' | 'gone' | 'error';
  /** As the role may see it: the fields its matrix hides are absent. */
  card: VisiblePatientCard | null;
  /** When a `patient:updated` refresh last replaced the card (ISO), for the "updated HH:MM" note. */
  updatedAt: string | null;
  /** A failed open, or a failed refresh (the card shown is then the previous one). */
  error: DeskErrorPayload | null;
}

export interface OpenCardApi {
  open: OpenCard | null;
  /** Open a card; `context` says why when it was not the search (audited by main). */
  openCard(misId: string, context?: { reason: 'journal' | 'call'; callId: string | null }): void;
  closeCard(): void;
}

/**
 * The card on the right: fetched with `patients.get` when opened (main audits every open),
 * and fetched again whenever sync reports that card changed.
 */
export function useOpenCard(now: () => Date = () => new Date()): OpenCardApi {
  const desk = useDesk();
  const [open, setOpen] = useState<OpenCard | null>(null);
  const sequence = useRef(0);
  const clock = useRef(now);

  const fetchCard = useCallback(
    (misId: string, reason: 'open' | 'update', context?: { reason: 'journal' | 'call'; callId: string | null }) => {
      const mine = ++sequence.current;
      const audit = reason === 'update' ? { reason: 'refresh' as const } : context ? { reason: context.reason, callId: context.callId } : { reason: 'search' as const };
      desk.request('patients.get', { misId, ...audit }).then(
        ({ card }) => {
          if (mine !== sequence.current) return;
          const updatedAt = reason === 'update' ? clock.current().toISOString() : null;
          setOpen((previous) => {
            if (previous?.misId !== misId) return previous;
            if (!card) return { misId, status: 'gone', card: null, updatedAt, error: null };
            return { misId, status: 'ready', card, updatedAt: updatedAt ?? previous.updatedAt, error: null };
          });
        },
        (error: unknown) => {
          if (mine !== sequence.current) return;
          const payload = toDeskError(error).toPayload();
          setOpen((previous) => {
            if (previous?.misId !== misId) return previous;
            // A failed refresh keeps the card on screen with a note; a failed open shows the error.
            return previous.card ? { ...previous, error: payload } : { ...previous, status: 'error', error: payload };
          });
        },
      );
    },
    [desk],
  );

  const openCard = useCallback(
    (misId: string, context?: { reason: 'journal' | 'call'; callId: string | null }) => {
      setOpen({ misId, status: 'loading', card: null, updatedAt: null, error: null });
      fetchCard(misId, 'open', context);
    },
    [fetchCard],
  );

  const closeCard = useCallback(() => {
    sequence.current += 1;
    setOpen(null);
  }, []);

  const openId = open?.misId ?? null;
  useEffect(() => {
    if (openId === null) return;
    return desk.on('patient:updated', ({ misId }) => {
      if (misId === openId) fetchCard(openId, 'update');
    });
  }, [desk, openId, fetchCard]);

  return { open, openCard, closeCard };
}
