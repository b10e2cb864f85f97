import { newCall, reduceCall, type CallEvent } from '../softphone/call-state';
import {
  isDtmfString,
  type CallMediaStats,
  type CallOutcome,
  type Phone,
  type PhoneAccount,
  type PhoneAudioDevices,
  type PhoneCall,
  type PhoneRegistration,
  type PhoneSnapshot,
} from '../softphone/phone';
import type { PhoneFactory } from '../features/phone';

/** The {@link Phone} methods a test can see in {@link FakePhone.actions} or make fail. */
export type FakePhoneMethod =
  | 'start'
  | 'stop'
  | 'call'
  | 'prepareMicrophone'
  | 'expectIntercom'
  | 'answer'
  | 'reject'
  | 'hangup'
  | 'hold'
  | 'resume'
  | 'setMuted'
  | 'sendDtmf'
  | 'blindTransfer'
  | 'startConsultation'
  | 'completeAttendedTransfer'
  | 'swap'
  | 'setAudioDevices'
  | 'mediaStats';

export interface FakePhoneAction {
  readonly method: FakePhoneMethod;
  readonly args: readonly unknown[];
}

/**
 * A scriptable {@link Phone} for component tests: no SIP.js, no timers. Every method call is
 * recorded in {@link FakePhone.actions} and changes the fake calls the way the real phone's
 * would once the far end agreed (answer → `active`, hold → `held`, hangup → removed and
 * `onCallEnded` fired with the journal outcome). The far end is scripted with {@link ring},
 * {@link establish}, {@link remoteHangup}, {@link setCalls} and {@link setRegistration};
 * {@link failNext} makes the next call of a method reject.
 */
export class FakePhone implements Phone {
  registration: PhoneRegistration = { state: 'offline', since: 0, reason: null };
  /** Live calls, as the real phone's `calls`: an ended call is not in this list. */
  calls: readonly PhoneCall[] = [];
  readonly started: PhoneAccount[] = [];
  stopped = 0;
  /** Every {@link Phone} method called, in order, with its arguments. */
  readonly actions: FakePhoneAction[] = [];
  /** Every call that ended, in order (what `onCallEnded` listeners were given). */
  readonly ended: PhoneCall[] = [];
  /** Set by `start` (from the account) and `setAudioDevices`. */
  audioDevices: PhoneAudioDevices | null = null;
  /** What {@link mediaStats} resolves to, per call id (absent → null). */
  readonly stats = new Map<string, CallMediaStats>();
  /** Clock time (ms) stamped on calls and state changes; tests may move it. */
  now = 1_000;
  private readonly listeners = new Set<(snapshot: PhoneSnapshot) => void>();
  private readonly endedListeners = new Set<(call: PhoneCall) => void>();
  private readonly failures = new Map<FakePhoneMethod, Error>();
  private nextId = 1;
  /** Set by `expectIntercom`: the next intercom ring is the expected one (no clock: it does not expire). */
  private intercomExpected = false;

  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onCallEnded(listener: (call: PhoneCall) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }

  // ---- scripting (the far end / the network) ----

  /** What the registration machine would report next. */
  setRegistration(registration: PhoneRegistration): void {
    this.registration = registration;
    this.emit();
  }
  /** Replace the live calls wholesale (e.g. to show a `recovering` call) and notify. */
  setCalls(calls: readonly PhoneCall[]): void {
    this.calls = [...calls];
    this.emit();
  }
  /**
   * An incoming INVITE: adds a `ringing` call and notifies. Returns its id. An intercom ring
   * (`autoAnswerAfterSec` set) while one is expected (`expectIntercom`) is flagged and answered
   * at once, as the real phone does.
   */
  ring(args: {
    id?: string;
    number: string;
    displayName?: string;
    autoAnswerAfterSec?: number | null;
  }): string {
    const id = args.id ?? this.makeId('in');
    const autoAnswerAfterSec = args.autoAnswerAfterSec ?? null;
    const expectedIntercom = autoAnswerAfterSec !== null && this.intercomExpected;
    if (expectedIntercom) this.intercomExpected = false;
    this.add(
      newCall({
        id,
        direction: 'incoming',
        remoteNumber: args.number,
        remoteDisplayName: args.displayName ?? '',
        at: this.now,
        autoAnswerAfterSec,
        expectedIntercom,
      }),
    );
    if (expectedIntercom) this.answer(id).catch(() => undefined);
    return id;
  }
  /** The far end of an outgoing call rings (18x). */
  progress(id: string): void {
    this.apply(id, { type: 'progress', at: this.now });
  }
  /** The far end answered an outgoing call (or our answer was confirmed): `active`. */
  establish(id: string): void {
    this.apply(id, { type: 'established', at: this.now });
  }
  /** The far end hung up (BYE, or CANCEL while ringing). */
  remoteHangup(id: string): void {
    const call = this.get(id);
    this.apply(id, call.state === 'ringing' && call.direction === 'incoming' ? { type: 'cancelled', at: this.now } : { type: 'hungUp', at: this.now });
  }
  /** End a call with an explicit outcome (e.g. `lost`, `failed`). */
  endCall(id: string, outcome: CallOutcome): void {
    const call = this.get(id);
    this.finish({ ...call, state: 'ended', endedAt: this.now, outcome });
  }
  /** Make the next call of `method` reject with `error` (once). */
  failNext(method: FakePhoneMethod, error: Error = new Error(`fake phone: ${method} failed`)): void {
    this.failures.set(method, error);
  }
  /** The actions recorded for one method, e.g. `actionsOf('sendDtmf')`. */
  actionsOf(method: FakePhoneMethod): FakePhoneAction[] {
    return this.actions.filter((a) => a.method === method);
  }

  // ---- Phone ----

  async start(account: PhoneAccount): Promise<void> {
    this.record('start', [account]);
    this.started.push(account);
    this.audioDevices = account.audioDevices ?? null;
    this.setRegistration({ state: 'connecting', since: 1_000, reason: null });
  }
  async stop(): Promise<void> {
    this.record('stop', []);
    this.stopped++;
    for (const call of this.calls) this.apply(call.id, { type: 'hungUp', at: this.now });
    this.setRegistration({ state: 'offline', since: 2_000, reason: null });
  }
  async call(number: string): Promise<string> {
    this.record('call', [number]);
    const id = this.makeId('out');
    this.add(newCall({ id, direction: 'outgoing', remoteNumber: number, remoteDisplayName: '', at: this.now }));
    return id;
  }
  /** Recorded only (tests check the UI asks for it); a scripted failure throws, like a buggy phone would. */
  prepareMicrophone(): void {
    this.record('prepareMicrophone', []);
  }
  expectIntercom(withinMs: number): void {
    this.record('expectIntercom', [withinMs]);
    this.intercomExpected = withinMs > 0;
    if (!this.intercomExpected) return;
    const ringing = this.calls.filter((c) => c.direction === 'incoming' && c.state === 'ringing' && c.autoAnswerAfterSec !== null && !c.expectedIntercom).at(-1);
    if (!ringing) return;
    this.intercomExpected = false;
    this.apply(ringing.id, { type: 'expected', at: this.now });
    this.answer(ringing.id).catch(() => undefined);
  }
  async answer(id: string): Promise<void> {
    this.record('answer', [id]);
    const call = this.get(id);
    if (call.direction !== 'incoming' || call.state !== 'ringing') throw new Error(`fake phone: call ${id} is not ringing`);
    this.holdOthers(id);
    this.apply(id, { type: 'accepting', at: this.now });
    this.apply(id, { type: 'established', at: this.now });
  }
  async reject(id: string): Promise<void> {
    this.record('reject', [id]);
    this.get(id);
    this.apply(id, { type: 'rejected', at: this.now });
  }
  async hangup(id: string): Promise<void> {
    this.record('hangup', [id]);
    this.get(id);
    this.apply(id, { type: 'hungUp', at: this.now });
  }
  async hold(id: string): Promise<void> {
    this.record('hold', [id]);
    this.get(id);
    this.apply(id, { type: 'held', at: this.now });
  }
  async resume(id: string): Promise<void> {
    this.record('resume', [id]);
    this.get(id);
    this.apply(id, { type: 'resumed', at: this.now });
  }
  async setMuted(id: string, muted: boolean): Promise<void> {
    this.record('setMuted', [id, muted]);
    this.get(id);
    this.apply(id, { type: 'muted', muted, at: this.now });
  }
  async sendDtmf(id: string, digits: string): Promise<void> {
    this.record('sendDtmf', [id, digits]);
    this.get(id);
    if (!isDtmfString(digits)) throw new Error(`fake phone: invalid DTMF "${digits}"`);
  }
  async blindTransfer(id: string, target: string): Promise<void> {
    this.record('blindTransfer', [id, target]);
    this.get(id);
    this.apply(id, { type: 'hungUp', at: this.now });
  }
  async startConsultation(id: string, target: string): Promise<string> {
    this.record('startConsultation', [id, target]);
    const call = this.get(id);
    if (call.state !== 'active' && call.state !== 'held') throw new Error(`fake phone: call ${id} is not connected`);
    this.apply(id, { type: 'held', at: this.now });
    const consultationId = this.makeId('out');
    this.add(
      newCall({
        id: consultationId,
        direction: 'outgoing',
        remoteNumber: target,
        remoteDisplayName: '',
        at: this.now,
        consultationFor: id,
      }),
    );
    return consultationId;
  }
  async completeAttendedTransfer(id: string, consultationId: string): Promise<void> {
    this.record('completeAttendedTransfer', [id, consultationId]);
    this.get(id);
    if (this.get(consultationId).state !== 'active') throw new Error(`fake phone: consultation ${consultationId} is not connected`);
    this.apply(id, { type: 'hungUp', at: this.now });
    this.apply(consultationId, { type: 'hungUp', at: this.now });
  }
  async swap(id: string): Promise<void> {
    this.record('swap', [id]);
    this.get(id);
    this.holdOthers(id);
    this.apply(id, { type: 'resumed', at: this.now });
  }
  async setAudioDevices(devices: PhoneAudioDevices): Promise<void> {
    this.record('setAudioDevices', [devices]);
    this.audioDevices = devices;
  }
  async mediaStats(id: string): Promise<CallMediaStats | null> {
    this.record('mediaStats', [id]);
    this.get(id);
    return this.stats.get(id) ?? null;
  }

  // ---- internals ----

  /** Records the action, then throws a scripted failure if one is pending (after recording, so tests see the attempt). */
  private record(method: FakePhoneMethod, args: readonly unknown[]): void {
    this.actions.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }
  private makeId(prefix: string): string {
    let id: string;
    do id = `fake-${prefix}-${this.nextId++}`;
    while (this.calls.some((c) => c.id === id));
    return id;
  }
  private get(id: string): PhoneCall {
    const call = this.calls.find((c) => c.id === id);
    if (!call) throw new Error(`fake phone: no call ${id}`);
    return call;
  }
  private holdOthers(id: string): void {
    for (const other of this.calls) if (other.id !== id && other.state === 'active') this.apply(other.id, { type: 'held', at: this.now });
  }
  private add(call: PhoneCall): void {
    this.calls = [...this.calls, call];
    this.emit();
  }
  private apply(id: string, event: CallEvent): void {
    const call = this.calls.find((c) => c.id === id);
    if (!call) return;
    const next = reduceCall(call, event);
    if (next === call) return;
    if (next.state === 'ended') this.finish(next);
    else {
      this.calls = this.calls.map((c) => (c.id === id ? next : c));
      this.emit();
    }
  }
  private finish(ended: PhoneCall): void {
    this.calls = this.calls.filter((c) => c.id !== ended.id);
    this.ended.push(ended);
    this.emit();
    for (const listener of this.endedListeners) listener(ended);
  }
  private emit(): void {
    const snapshot: PhoneSnapshot = { registration: this.registration, calls: this.calls };
    for (const listener of this.listeners) listener(snapshot);
  }
}

/** A factory that records every phone it makes (`phones.at(-1)` is the current one). */
export function fakePhoneFactory(): { factory: PhoneFactory; phones: FakePhone[] } {
  const phones: FakePhone[] = [];
  return {
    phones,
    factory: () => {
      const phone = new FakePhone();
      phones.push(phone);
      return phone;
    },
  };
}
