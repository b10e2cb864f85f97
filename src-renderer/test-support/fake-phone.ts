import type { Phone, PhoneAccount, PhoneCall, PhoneRegistration, PhoneSnapshot } from '../softphone/phone';
import type { PhoneFactory } from '../features/phone/use-softphone';

/** A scripted {@link Phone} for component tests: no SIP.js, the test sets the registration. */
export class FakePhone implements Phone {
  registration: PhoneRegistration = { state: 'offline', since: 0, reason: null };
  readonly calls: readonly PhoneCall[] = [];
  readonly started: PhoneAccount[] = [];
  stopped = 0;
  private readonly listeners = new Set<(snapshot: PhoneSnapshot) => void>();

  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onCallEnded(): () => void {
    return () => undefined;
  }
  async start(account: PhoneAccount): Promise<void> {
    this.started.push(account);
    this.setRegistration({ state: 'connecting', since: 1_000, reason: null });
  }
  async stop(): Promise<void> {
    this.stopped++;
    this.setRegistration({ state: 'offline', since: 2_000, reason: null });
  }
  /** What the registration machine would report next. */
  setRegistration(registration: PhoneRegistration): void {
    this.registration = registration;
    for (const listener of this.listeners) listener({ registration, calls: this.calls });
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  call(): Promise<string> {
    return Promise.reject(new Error('fake phone: no calls'));
  }
  answer = notSupported;
  reject = notSupported;
  hangup = notSupported;
  hold = notSupported;
  resume = notSupported;
  setMuted = notSupported;
  sendDtmf = notSupported;
  blindTransfer = notSupported;
}

function notSupported(): Promise<void> {
  return Promise.reject(new Error('fake phone: not supported'));
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
