import { useEffect, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { requests } from '../../../src-shared/ipc/contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { useAppStore } from '../../app/app-store';
import { newCall, reduceCall } from '../../softphone/call-state';
import { CallLine } from './call-line';
import { newPop, type ScreenPop } from './call-work';
import { IncomingCall } from './incoming-call';
import { ScreenPopView } from './screen-pop';

/**
 * The first ring of a page used to cost ~200 ms more than every later one: its components'
 * code compiled on first use, its styles and text laid out for the first time, Intl unit data
 * and the card schema's validators built — all on the thread that must paint the caller's card
 * within 50 ms. So once the desk can take calls, the ring is rehearsed: a made-up
 * caller's ringing panel and card rendered for two frames, invisible and inert, then removed.
 * The first call's line is rehearsed with it (drawing a line and its controls for the first time
 * cost the first call ~10 ms at each state change, traced): a made-up call's line, focused,
 * dialled, ringing at the far end and talking, one state per take.
 *
 * Nothing of it can be seen, focused, read by assistive technology or found by tests: the
 * container is `visibility: hidden`, `aria-hidden` and `inert`, and every `id` and
 * `data-testid` in it is removed before the browser gets control back. It sends nothing to
 * main: the card is not looked up, shown, audited or measured.
 */
export function ScreenPopRehearsal(): ReactElement | null {
  const registered = useAppStore((state) => state.sip.state === 'registered');
  const [stage, setStage] = useState<'waiting' | 'rendering' | 'done'>(() => (rehearsed ? 'done' : 'waiting'));
  const [take, setTake] = useState(0);
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (stage !== 'waiting' || !registered) return;
    // After registration's own work has settled, not within it.
    const timer = setTimeout(() => setStage('rendering'), REHEARSAL_DELAY_MS);
    return () => clearTimeout(timer);
  }, [stage, registered]);

  // Every commit: strip ids and test ids before the frame is handed to the browser.
  useLayoutEffect(() => {
    const root = container.current;
    if (!root) return;
    for (const element of root.querySelectorAll('[id], [data-testid]')) {
      element.removeAttribute('id');
      element.removeAttribute('data-testid');
    }
  });

  useEffect(() => {
    if (stage !== 'rendering') return;
    warmLookupValidation();
    const finish = () => {
      if (take + 1 < REHEARSAL_TAKES) {
        setTake(take + 1);
        return;
      }
      rehearsed = true;
      setStage('done');
      if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(REHEARSED_MARK);
    };
    // Two frames: one to lay the rehearsal out, one to paint it. A hidden page has no frames,
    // so a timer ends the rehearsal anyway.
    let frame = requestAnimationFrame(() => (frame = requestAnimationFrame(finish)));
    const timer = setTimeout(finish, REHEARSAL_MAX_MS);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [stage, take]);

  if (stage !== 'rendering') return null;
  return (
    <div key={take} ref={container} className="screen-pop-rehearsal" aria-hidden="true" inert>
      <IncomingCall call={REHEARSAL_CALL} secondLine={false} />
      <ScreenPopView pop={rehearsalPop()} rehearsal />
      <ul className="call-lines">
        <CallLine call={rehearsalLine(take)} focused canSwap={false} rehearsal />
      </ul>
    </div>
  );
}

/** Marked when the rehearsal is over (e2e checks it ran before measuring the first ring). */
export const REHEARSED_MARK = 'screen-pop:rehearsed';

/** Once per page: the compiled code and laid-out styles stay warm across panes. */
let rehearsed = false;

/** For tests: forget that the page already rehearsed. */
export function resetScreenPopRehearsal(): void {
  rehearsed = false;
}

const REHEARSAL_DELAY_MS = 250;
/**
 * Takes, each a fresh mount: V8 optimises a function only after it ran a few times, and the
 * first real rings after a single take were still slower than later ones. Six, so the call
 * line goes through each of its three set-up states twice.
 */
const REHEARSAL_TAKES = 6;
const REHEARSAL_MAX_MS = 500;
const REHEARSAL_CALL_ID = 'screen-pop-rehearsal';
const REHEARSAL_NUMBER = '+70000000000';

const REHEARSAL_CALL = newCall({ id: REHEARSAL_CALL_ID, direction: 'incoming', remoteNumber: REHEARSAL_NUMBER, remoteDisplayName: 'Репетиция', at: 0 });

/**
 * The line of a made-up outgoing call in the states a first call goes through, one per take:
 * dialled, ringing at the far end (18x), answered (its timer reads 00:00 and never ticks).
 */
function rehearsalLine(take: number) {
  const now = Date.now();
  const dialled = newCall({ id: `${REHEARSAL_CALL_ID}-line`, direction: 'outgoing', remoteNumber: REHEARSAL_NUMBER, remoteDisplayName: '', at: now });
  const ringing = reduceCall(dialled, { type: 'progress', at: now });
  return [dialled, ringing, reduceCall(ringing, { type: 'established', at: now })][take % 3]!;
}

/** A made-up card with every field the pop draws (names in Cyrillic, like the clinic's). */
const REHEARSAL_CARD: PatientCard = {
  misId: 'rehearsal',
  version: 1,
  surname: 'Репетиция',
  givenName: 'Вызова',
  patronymic: 'Тестовая',
  birthDate: '1990-01-01',
  sex: 'female',
  phones: [{ e164: REHEARSAL_NUMBER, national10: '0000000000', kind: 'mobile' }],
  email: null,
  address: null,
  omsPolicy: '0000000000000000',
  dms: null,
  snils: null,
  flags: { allergies: 'нет', vip: true, preferredChannel: null, consentSms: false, consentCalls: false },
  lastVisit: null,
  appointments: [{ id: 'rehearsal', startsAt: '2999-01-01T09:00:00.000Z', doctor: 'Репетиция', specialty: 'Репетиция', service: 'Репетиция', branch: 'Репетиция', status: 'booked' }],
};

function rehearsalPop(): ScreenPop {
  const at = new Date().toISOString();
  return {
    ...newPop(REHEARSAL_CALL_ID, REHEARSAL_NUMBER, 'sip', null),
    lookup: 'done',
    numberKey: REHEARSAL_NUMBER,
    matches: [REHEARSAL_CARD],
    selected: REHEARSAL_CARD.misId,
    dataAsOf: at,
    refresh: 'updated',
    refreshedAt: at,
  };
}

/** The bridge checks every lookup answer against the contract; build that check once now. */
function warmLookupValidation(): void {
  requests['screenPop.lookup'].output.safeParse({ numberKey: REHEARSAL_NUMBER, matches: [REHEARSAL_CARD], chosenMisId: null, dataAsOf: new Date().toISOString(), lookupMs: 0, transfer: null });
}
