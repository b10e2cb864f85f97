import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { parseDialLink } from '../../../src-shared/phone/dial-link';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { runPhoneAction, usePhoneStoreApi } from './phone-store';

/** The browser host's query parameter: `http://127.0.0.1:5180/?dial=tel:%2B79161234567` (or a bare number). */
export const DIAL_QUERY_PARAMETER = 'dial';

/**
 * Reads `?dial=` from the page's address once and takes it out of the address (so a reload or a
 * bookmark does not offer the call again): the link as given (a bare number reads as `tel:`), or
 * null when there is none.
 */
export function takeDialQueryParameter(win: Pick<Window, 'location' | 'history'>): string | null {
  try {
    const url = new URL(win.location.href);
    const value = url.searchParams.get(DIAL_QUERY_PARAMETER);
    if (value === null) return null;
    url.searchParams.delete(DIAL_QUERY_PARAMETER);
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return /^[a-z]+:/iu.test(value.trim()) ? value : `tel:${value}`;
  } catch {
    return null;
  }
}

/** What the dialog shows: a number to confirm, or a link that was refused. */
type Offer = { kind: 'number'; number: string } | { kind: 'refused' };

/** The offer the page's `?dial=` makes, if it has one (taken out of the address). */
function offerOfAddress(win: Pick<Window, 'location' | 'history'>): Offer | null {
  const link = takeDialQueryParameter(win);
  if (link === null) return null;
  const parsed = parseDialLink(link);
  return parsed.ok ? { kind: 'number', number: parsed.number } : { kind: 'refused' };
}

/** Why the call did not start (said in the dialog, which stays open). */
type DialProblem = 'noSoftphone' | 'dialFailed';

/**
 * «Позвонить на +7 (916) 123-45-67?» [Позвонить] [Отмена] — for a number from outside the page:
 * a `tel:` / `sip:` link the desktop app received (`app:dial-request`, taken once with
 * `app.takeDialRequest`), or the browser host's `?dial=` parameter (read once at start). It never
 * dials by itself: only the Call button does, through the softphone's own dial path. Nothing is
 * offered while the desk is signed out or locked (the link waits in main until it is unlocked).
 * `enabled`: this window runs the phone (not the supervisor's window).
 */
export function DialLinkConfirm({ enabled = true }: { enabled?: boolean }): ReactElement | null {
  const { t } = useTranslation();
  const desk = useDesk();
  const phones = usePhoneStoreApi();
  const sessionState = useAppStore((state) => state.session?.state);
  const allowed = enabled && (sessionState === 'open' || sessionState === 'signed-in');
  // The browser host's ?dial=: read once, when the page starts, and taken out of the address at
  // once; shown as soon as the desk is signed in or unlocked.
  const [offer, setOffer] = useState<Offer | null>(() => (enabled ? offerOfAddress(window) : null));
  const [problem, setProblem] = useState<DialProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!allowed) return;
    let alive = true;
    const show = (next: Offer) => {
      if (!alive) return;
      setOffer(next);
      setProblem(null);
    };
    const take = () =>
      desk.request('app.takeDialRequest', {}).then(
        (answer) => {
          if (answer?.request) show({ kind: 'number', number: answer.request.number });
        },
        () => undefined,
      );
    void take();
    const off = desk.on('app:dial-request', () => void take());
    return () => {
      alive = false;
      off();
    };
  }, [desk, allowed]);

  // The dialog takes the focus (not its Call button: a stray Enter must not dial), in the same
  // commit that shows it, so a key pressed at once already lands on the dialog.
  useLayoutEffect(() => {
    if (offer && allowed) dialog.current?.focus();
  }, [offer, allowed]);

  if (!offer || !allowed) return null;
  const close = () => {
    setOffer(null);
    setProblem(null);
  };
  const call = async () => {
    if (offer.kind !== 'number' || busy) return;
    if (!phones.getState().phone) {
      setProblem('noSoftphone');
      return;
    }
    setBusy(true);
    try {
      const callId = await runPhoneAction(phones, 'dial', (phone) => phone.call(offer.number));
      if (callId === null) setProblem('dialFailed');
      else close();
    } finally {
      setBusy(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    close();
  };
  const number = offer.kind === 'number' ? formatPhoneNumber(offer.number) : '';

  return (
    <div className="dial-link-backdrop">
      <div
        ref={dialog}
        className="dial-link-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dial-link-title"
        aria-describedby="dial-link-hint"
        tabIndex={-1}
        data-testid="dial-link"
        data-state={offer.kind}
        onKeyDown={onKeyDown}
      >
        {offer.kind === 'number' ? (
          <>
            <h2 id="dial-link-title" className="dial-link-title">
              {t('phone.dialLink.question', { number })}
            </h2>
            <p id="dial-link-hint" className="muted">
              {t('phone.dialLink.hint')}
            </p>
            {problem ? (
              <p className="field-error" role="alert" data-testid="dial-link-problem" data-problem={problem}>
                {problem === 'noSoftphone' ? t('phone.dialLink.noSoftphone', { number }) : t('phone.dialLink.dialFailed')}
              </p>
            ) : null}
            <div className="dial-link-actions">
              <button type="button" className="button answer-button" data-testid="dial-link-call" disabled={busy} onClick={() => void call()}>
                {t('phone.dialLink.call')}
              </button>
              <button type="button" className="button" data-testid="dial-link-cancel" onClick={close}>
                {t('phone.dialLink.cancel')}
              </button>
            </div>
          </>
        ) : (
          <>
            <h2 id="dial-link-title" className="dial-link-title">
              {t('phone.dialLink.refusedTitle')}
            </h2>
            <p id="dial-link-hint" className="muted">
              {t('phone.dialLink.refused')}
            </p>
            <div className="dial-link-actions">
              <button type="button" className="button" data-testid="dial-link-cancel" onClick={close}>
                {t('phone.dialLink.close')}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
