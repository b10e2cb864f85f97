import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { BookingPane } from './booking-pane';
import { CardBookingContext, useCardBooking, type BookingDone, type BookingMode, type BookingPatient, type CardBookingApi } from './booking-context';

interface ScopeState {
  misId: string;
  mode: BookingMode | null;
  done: BookingDone | null;
}

/** Alt+B, whatever the keyboard layout (the key's place: «И» on a Russian one). */
export function isBookingShortcut(event: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'repeat' | 'code'>): boolean {
  return event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.repeat && event.code === 'KeyB';
}

/**
 * A patient card's booking: the card (children) until the pane is opened — by the card's button,
 * Alt+B, or a visit's Move / an alternative — then the booking pane in its place; closing or
 * booking brings the card back with the focus on its button. Everything resets when the card
 * shows another patient.
 */
export function CardBooking({ patient, children }: { patient: BookingPatient; children: ReactNode }): ReactElement {
  const [state, setState] = useState<ScopeState>({ misId: patient.misId, mode: null, done: null });
  if (state.misId !== patient.misId) setState({ misId: patient.misId, mode: null, done: null });
  const mode = state.misId === patient.misId ? state.mode : null;
  const done = state.misId === patient.misId ? state.done : null;
  const openButtonRef = useRef<HTMLButtonElement | null>(null);
  /** Set when the pane closes: the card's button takes the focus back once the card is shown. */
  const returnFocus = useRef(false);

  const { misId, name } = patient;
  const who = useMemo(() => ({ misId, name }), [misId, name]);
  const open = useCallback((next: BookingMode) => setState((previous) => ({ ...previous, mode: next, done: null })), []);
  const close = useCallback(() => {
    returnFocus.current = true;
    setState((previous) => ({ ...previous, mode: null }));
  }, []);
  const finish = useCallback((result: BookingDone) => {
    returnFocus.current = true;
    setState((previous) => ({ ...previous, mode: null, done: result }));
  }, []);
  const api = useMemo<CardBookingApi>(() => ({ patient: who, mode, done, open, close, openButtonRef }), [who, mode, done, open, close]);

  useEffect(() => {
    if (mode) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (!isBookingShortcut(event)) return;
      event.preventDefault();
      setState((previous) => ({ ...previous, mode: { kind: 'new' }, done: null }));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [mode]);

  useEffect(() => {
    if (mode || !returnFocus.current) return;
    returnFocus.current = false;
    openButtonRef.current?.focus();
  }, [mode]);

  return (
    <CardBookingContext.Provider value={api}>
      {mode ? (
        <BookingPane patient={who} mode={mode} onClose={close} onDone={finish} />
      ) : null}
      <div className="card-booking-card" hidden={mode !== null}>
        {children}
      </div>
    </CardBookingContext.Provider>
  );
}

/** The card's "book a visit" button (`booking-open`, Alt+B). */
export function BookingOpenButton(): ReactElement {
  const { t } = useTranslation();
  const { open, openButtonRef } = useCardBooking();
  return (
    <button
      ref={openButtonRef}
      type="button"
      className="button primary booking-open"
      data-testid="booking-open"
      aria-keyshortcuts="Alt+B"
      title={t('booking.openHint')}
      onClick={() => open({ kind: 'new' })}
    >
      {t('booking.open')}
    </button>
  );
}
