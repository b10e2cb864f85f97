import { mayReadPatientData, type MaskableField, type Role, type SessionState } from '../../../src-shared/access/access-model';
import { hiddenFieldsFor, maskPhone, visibleCard } from '../../../src-shared/access/field-masking';
import type { CallListTask } from '../../../src-shared/call-lists/call-lists-contract';
import type { EventName, EventPayload, ProductionRequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PrivacySettings } from '../../../src-shared/settings/settings-schema';
import type { SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';

/** What decides what may leave the core: the role in force, the session's state, the privacy settings. */
export interface MaskingView {
  role: Role;
  state: SessionState;
  privacy: PrivacySettings;
}

/** A view worked out once per answer: the role's hidden fields and whether patient data may leave at all. */
interface Masking {
  readonly view: MaskingView;
  readonly hidden: ReadonlySet<MaskableField>;
  /** False while locked or signed out, and for `admin`: no patient data leaves. */
  readonly patientData: boolean;
}

type RequestMasker<N extends ProductionRequestName> = (output: RequestOutput<N>, masking: Masking) => RequestOutput<N>;
type EventMasker<E extends EventName> = (payload: EventPayload<E>, masking: Masking) => EventPayload<E> | null;

/** Sent as it is (a decision, written down beside each use). */
const asIs = <T>(value: T): T => value;

/**
 * Patient data every patient role sees in full — a patient's name (never hidden: nobody could
 * tell two patients apart), a caller's number (the call's, not a card field: the call bar shows
 * it too). Sent as it is; refused while no patient data may leave, like every masker here.
 */
const seenByEveryPatientRole = <T>(value: T): T => value;

/**
 * The answers that carry patient data and what each role receives of them (docs/architecture.md,
 * "Privacy and security"). A request without an entry carries none; `output-masking.test.ts`
 * walks the contract's output schemas and fails for one that carries a card, a patient's name,
 * a phone, a visit or a note and has no entry here — so a new patient-bearing request is a
 * decision, not an accident. Every request here but those marked `asIs` is refused by the
 * request guard while the desk is locked or signed out (and to `admin`); reaching its masker
 * then means the guard was bypassed, and the answer is refused again rather than sent.
 */
const REQUEST_MASKERS: { readonly [N in ProductionRequestName]?: RequestMasker<N> } = {
  'patients.search': (output, { hidden }) => ({ ...output, items: output.items.map((card) => visibleCard(card, hidden)) }),
  'patients.get': (output, { hidden }) => ({ card: output.card === null ? null : visibleCard(output.card, hidden) }),
  'patients.history': (output, { hidden }) =>
    hidden.has('notes') ? { items: output.items.filter((item) => item.kind !== 'note'), notesHidden: true as const } : output,
  'screenPop.refresh': (output, { hidden }) => ({ ...output, matches: output.matches.map((card) => visibleCard(card, hidden)) }),
  // The patient's visits are what `appointments` hides: the list comes back empty.
  'booking.visits': (output, { hidden }) => (hidden.has('appointments') ? { visits: [] } : output),
  // The visit this desk has just booked, moved or cancelled: the operator's own action, echoed.
  'booking.create': seenByEveryPatientRole,
  'booking.move': seenByEveryPatientRole,
  'booking.cancel': seenByEveryPatientRole,
  'callLists.tasks': (output, { hidden }) => ({ ...output, tasks: output.tasks.map((task) => visibleTask(task, hidden)) }),
  'callLists.next': (output, { hidden }) => ({ ...output, task: output.task === null ? null : visibleTask(output.task, hidden) }),
  'callLists.release': (output, { hidden }) => visibleTask(output, hidden),
  'callLists.complete': (output, { hidden }) => visibleTask(output, hidden),
  'supervisor.board': (output, { view }) => boardForView(output, view),
  'calls.recent': seenByEveryPatientRole,
  'queue.view': seenByEveryPatientRole,
  'callbacks.list': seenByEveryPatientRole,
  'callbacks.claim': seenByEveryPatientRole,
  'callbacks.release': seenByEveryPatientRole,
  'callbacks.complete': seenByEveryPatientRole,
  'callbacks.callBack': seenByEveryPatientRole,
  'callLists.call': seenByEveryPatientRole,
  // A number someone clicked in another program (tel: / sip:), not a patient's record: the
  // page asks before it dials, whatever the session.
  'app.takeDialRequest': asIs,
};

/**
 * The one request whose answer still leaves the core while nobody may see patient data: the
 * ringing caller's lookup. Reduced to "known patient": no card, no choice, no transfer (its
 * note names the patient's business), only how many cached cards match.
 */
function withheldLookup(output: RequestOutput<'screenPop.lookup'>): RequestOutput<'screenPop.lookup'> {
  return { ...output, matches: [], chosenMisId: null, transfer: null, withheld: output.matches.length };
}

function visibleLookup(output: RequestOutput<'screenPop.lookup'>, { hidden }: Masking): RequestOutput<'screenPop.lookup'> {
  const { withheld: _withheld, ...rest } = output;
  return { ...rest, matches: output.matches.map((card) => visibleCard(card, hidden)) };
}

/**
 * A call-list task for a role that may not see the patient's visits: the visit and the reason
 * (a service or specialty: what the visit is for) are left out; the name and number stay, so
 * the call can still be made.
 */
function visibleTask(task: CallListTask, hidden: ReadonlySet<MaskableField>): CallListTask {
  return hidden.has('appointments') ? { ...task, visit: null, reason: '' } : task;
}

/** The board's caller numbers: starred unless `privacy.boardPhones` is `full`. Names follow `supervisor.patientNames` upstream. */
function boardForView(board: SupervisorBoard, view: MaskingView): SupervisorBoard {
  if (view.privacy.boardPhones === 'full') return board;
  return boardWith(board, maskPhone, (name) => name);
}

/** The board for a desk that may not show patient data (locked): no caller's name or number, the rest as it is. */
function boardWithoutPatients(board: SupervisorBoard): SupervisorBoard {
  return boardWith(board, () => '', () => null);
}

function boardWith(board: SupervisorBoard, number: (raw: string) => string, name: (name: string | null) => string | null): SupervisorBoard {
  return {
    ...board,
    agents: board.agents.map((agent) => (agent.call === null ? agent : { ...agent, call: { ...agent.call, number: number(agent.call.number), patientName: name(agent.call.patientName) } })),
    monitor: board.monitor === null || board.monitor.number === null ? board.monitor : { ...board.monitor, number: number(board.monitor.number) },
  };
}

/** Not sent while nobody may see patient data; the renderer reloads on unlock. */
const dropWhenLocked = <T>(payload: T, { patientData }: Masking): T | null => (patientData ? payload : null);

/**
 * Every pushed event and what leaves the core of it. Typed over every event, so a new event
 * does not compile until someone decides. Events reach the renderer whatever the session, so
 * here the lock matters: an event that is nothing but patient data is dropped while the desk is
 * locked or signed out (the views reload on unlock); one the phone needs keeps working.
 */
const EVENT_MASKERS: { readonly [E in EventName]: EventMasker<E> } = {
  'status:changed': asIs,
  'session:changed': asIs,
  'cache:changed': asIs,
  'sync:progress': asIs,
  'journal:changed': asIs,
  'settings:changed': asIs,
  'outbox:changed': asIs,
  'hotkey:pressed': asIs,
  // Ids only, no patient data: a view that reloads on it is refused while locked, and reloads on unlock.
  'schedule:changed': asIs,
  'callLists:changed': asIs,
  // The phone rings and is answered on a locked desk: the caller's number is the call bar's.
  'pbx:call': asIs,
  // A number someone clicked in another program (tel: / sip:): the page asks before it dials.
  'app:dial-request': asIs,
  // Which patient changed, which patient's visits: patient data.
  'patient:updated': dropWhenLocked,
  'booking:changed': dropWhenLocked,
  // A lost call's number (no renderer needs it while locked: the callback list reloads on unlock).
  'call:lost': dropWhenLocked,
  // Callers' names and numbers, the callback tasks: the panes reload them on unlock.
  'queue:changed': dropWhenLocked,
  'callbacks:changed': dropWhenLocked,
  // The supervisor's monitor session lives on the call bar and must keep working while locked:
  // the board goes on without any caller's name or number.
  'supervisor:changed': (board, masking) => (masking.patientData ? boardForView(board, masking.view) : boardWithoutPatients(board)),
};

function maskingOf(view: MaskingView): Masking {
  return { view, hidden: hiddenFieldsFor(view.role, view.privacy.hiddenFields), patientData: mayReadPatientData(view.state, view.role) };
}

/**
 * `output` as `view` may receive it, run on every answer before the dispatcher validates it:
 * the fields the role's matrix hides absent from every card, notes and visits left out, the
 * board's phones starred, and — while locked or signed out — the screen pop's lookup reduced
 * to "known patient". Never changes `output` itself (it may be the cache's own object).
 *
 * @throws DeskError `LOCKED`, `SIGNED_OUT` or `FORBIDDEN` for any other patient-bearing answer
 *   while no patient data may leave (the request guard refuses those first; this is the second lock).
 */
export function maskRequestOutput<N extends ProductionRequestName>(name: N, output: RequestOutput<N>, view: MaskingView): RequestOutput<N> {
  const masking = maskingOf(view);
  if (name === 'screenPop.lookup') {
    const lookup = output as RequestOutput<'screenPop.lookup'>;
    return (masking.patientData ? visibleLookup(lookup, masking) : withheldLookup(lookup)) as RequestOutput<N>;
  }
  if (name === 'connectors.preview' && !masking.patientData) {
    // The admin checks a spreadsheet's column mapping without reading a patient: each cell's shape only.
    const preview = output as RequestOutput<'connectors.preview'>;
    return { ...preview, rows: preview.rows.map((row) => row.map(shapeOfCell)) } as RequestOutput<N>;
  }
  const masker = REQUEST_MASKERS[name] as RequestMasker<N> | undefined;
  if (masker === undefined || masker === asIs) return output;
  if (!masking.patientData) throw refusal(name, view);
  return masker(output, masking);
}

/**
 * `payload` of a pushed event as `view` may receive it, or null when it must not be sent at
 * all. Never changes `payload` itself (the core's own listeners have the original).
 */
export function maskEvent<E extends EventName>(name: E, payload: EventPayload<E>, view: MaskingView): EventPayload<E> | null {
  const masker = EVENT_MASKERS[name] as EventMasker<E>;
  return masker(payload, maskingOf(view));
}

/** The request names with a masker (for the contract-walking test). */
export const MASKED_REQUESTS: readonly ProductionRequestName[] = ['screenPop.lookup', ...(Object.keys(REQUEST_MASKERS) as ProductionRequestName[])];

/** The requests whose answers are patient data (refused here while none may leave): all but the lookup and the `asIs` ones. */
export const PATIENT_DATA_REQUESTS: readonly ProductionRequestName[] = (Object.keys(REQUEST_MASKERS) as ProductionRequestName[]).filter(
  (name) => (REQUEST_MASKERS[name] as unknown) !== asIs,
);

/**
 * A spreadsheet cell as its shape — digits `9`, Cyrillic `я`, Latin `x` (capitals `Я` / `X`),
 * punctuation kept — so `+7 (916) 123-45-67` reads `+9 (999) 999-99-99` and «Иванова» `Яяяяяяя`:
 * enough to see a column is mapped right, nothing a patient is known by.
 */
export function shapeOfCell(cell: string): string {
  return cell
    .replace(/\d/g, '9')
    .replace(/\p{Lu}/gu, (c) => (/[А-ЯЁ]/.test(c) ? 'Я' : 'X'))
    .replace(/\p{Ll}/gu, (c) => (/[а-яё]/.test(c) ? 'я' : 'x'));
}

function refusal(name: string, view: MaskingView): DeskError {
  if (view.state === 'locked') return new DeskError('LOCKED', 'The desk is locked: unlock it with your PIN.');
  if (view.state === 'signed-out') return new DeskError('SIGNED_OUT', 'Nobody is signed in at this desk: sign in first.');
  return new DeskError('FORBIDDEN', `${name} is not for the ${view.role} role.`);
}
