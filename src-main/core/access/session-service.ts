import type { SignInChoice } from '../../../src-shared/access/access-contract';
import type { Person, Role, SessionState, SessionView } from '../../../src-shared/access/access-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import { systemClock, type Clock } from '../../../src-shared/time/clock';
import type { Logger } from '../log/logger';
import type { SecretName, SecretStore } from '../secrets/secret-store';
import { hashPin, verifyPin, type PinHashParams } from './pin-hash';

/** Wrong PINs in a row before the first wait. */
export const WRONG_PINS_BEFORE_WAIT = 5;
/** The first wait after too many wrong PINs; each further wrong PIN doubles it, up to {@link MAX_WAIT_MS}. */
export const FIRST_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 15 * 60_000;

/** Who the audit log names for an access (docs/architecture.md, "Privacy and security"). */
export interface AuditActor {
  /** `person:<id>` for a signed-in person; `sip:<user>` or `role:<role>` on an open desk. */
  actor: string;
  /** The person's name as provisioned; null on an open desk. */
  actorName: string | null;
  role: Role;
}

export interface SessionServiceOptions {
  /** The effective settings, read live (`role`, `access`, `sip`). */
  settings: () => Settings;
  secrets: SecretStore;
  logger: Logger;
  /** First PINs from the provisioning file (hashed for people who have none yet). */
  provisionedPins?: ReadonlyMap<string, string>;
  clock?: Clock;
  /** scrypt cost (tests use a cheap one). */
  pinHashParams?: PinHashParams;
}

const pinSecret = (personId: string): SecretName => `access.pin.${personId}`;

/**
 * The desk's session (docs/architecture.md, "Privacy and security"): who is signed in, in which
 * role, and whether the screen is locked. Every request is allowed or refused against it (the
 * request guard), and the audit log names its person.
 *
 * - No staff list provisioned (`access.people` empty): the desk is `open`, works in its `role`
 *   setting, and names the SIP account in the audit log. Its idle lock hides patient data and
 *   unlocks without a PIN (there is nobody to ask for one).
 * - A staff list: the desk starts `signed-out`; a person signs in with their PIN (the first time
 *   they choose one) and may be switched for another without a restart; idle minutes or Ctrl+L
 *   lock it until the same person's PIN — or another person signs in, which is a switch.
 *
 * PINs live only as scrypt hashes in the secret store. Wrong PINs in a row make the next try
 * wait (30 s, doubling up to 15 min) for that person.
 */
export class SessionService {
  private readonly clock: Clock;
  private state: SessionState;
  private person: Person | null = null;
  private readonly failures = new Map<string, { count: number; retryAfter: number | null }>();
  private idleTimer: unknown = null;
  private lastActivity: number;
  private readonly listeners = new Set<(view: SessionView) => void>();

  constructor(private readonly options: SessionServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.lastActivity = this.clock.now();
    this.state = this.people().length === 0 ? 'open' : 'signed-out';
    this.armIdleTimer();
  }

  /** Hashes the provisioning file's first PINs into the secret store for people without one. */
  async storeProvisionedPins(): Promise<void> {
    const pins = this.options.provisionedPins;
    if (!pins || pins.size === 0 || this.options.secrets.kind === 'unavailable') return;
    let stored = 0;
    for (const person of this.people()) {
      const pin = pins.get(person.id);
      if (pin === undefined || this.options.secrets.has(pinSecret(person.id))) continue;
      this.options.secrets.set(pinSecret(person.id), await hashPin(pin, this.options.pinHashParams));
      stored += 1;
    }
    if (stored > 0) this.options.logger.info('session.provisioned-pins-stored', { count: stored });
  }

  view(): SessionView {
    const failure = this.person ? this.failures.get(this.person.id) : undefined;
    return {
      state: this.state,
      role: this.role(),
      person: this.person,
      idleLockMinutes: this.options.settings().access.idleLockMinutes,
      retryAfter: failure?.retryAfter ?? null,
    };
  }

  /** The role in force: the signed-in (or locked) person's, else the desk's setting. */
  role(): Role {
    return this.person?.role ?? this.options.settings().role;
  }

  /** Who the audit log names now. */
  auditActor(): AuditActor {
    if (this.person) return { actor: `person:${this.person.id}`, actorName: this.person.name, role: this.person.role };
    const role = this.options.settings().role;
    const sipUser = sipUserOf(this.options.settings());
    return { actor: sipUser ? `sip:${sipUser}` : `role:${role}`, actorName: null, role };
  }

  /** IT's list, for the sign-in screen (never a PIN or its hash). */
  signInChoices(): SignInChoice[] {
    return this.people().map((p) => ({ id: p.id, name: p.name, role: p.role, hasPin: this.options.secrets.has(pinSecret(p.id)) }));
  }

  /**
   * Signs `personId` in with their PIN; a person without one sets it now. Switching from another
   * person (signed in or locked) is the same call.
   *
   * @throws DeskError `WRONG_PIN`, `SIGN_IN_WAIT`, `NOT_AVAILABLE` (no such person, or an open desk), `SECRETS_UNAVAILABLE`.
   */
  async signIn(personId: string, pin: string): Promise<SessionView> {
    const person = this.people().find((p) => p.id === personId);
    if (!person) throw new DeskError('NOT_AVAILABLE', this.state === 'open' ? 'Nobody signs in at this desk: IT has not provisioned a staff list.' : 'This person is not on the desk\'s staff list.');
    const stored = this.options.secrets.get(pinSecret(person.id));
    if (stored === undefined) {
      if (this.options.secrets.kind === 'unavailable') throw new DeskError('SECRETS_UNAVAILABLE', 'The secret store is unavailable: a PIN cannot be kept on this desk.');
      this.options.secrets.set(pinSecret(person.id), await hashPin(pin, this.options.pinHashParams));
      this.options.logger.info('session.pin-set', { person: person.id });
    } else {
      await this.checkPin(person.id, pin, stored);
    }
    const previous = this.person?.id ?? null;
    this.person = person;
    this.state = 'signed-in';
    this.touch();
    this.options.logger.info('session.signed-in', { person: person.id, role: person.role, switchedFrom: previous !== person.id ? previous : null });
    return this.changed();
  }

  /** Signs the person out (the screen clears); on an open desk there is nobody to sign out. */
  signOut(): SessionView {
    if (this.state === 'open') return this.view();
    const person = this.person?.id ?? null;
    this.person = null;
    this.state = 'signed-out';
    if (person) this.options.logger.info('session.signed-out', { person });
    return this.changed();
  }

  /** Locks at once (Ctrl+L, the idle timer). Nothing to lock while signed out. */
  lock(reason: 'hotkey' | 'idle' | 'request' = 'request'): SessionView {
    if (this.state !== 'open' && this.state !== 'signed-in') return this.view();
    this.state = 'locked';
    this.options.logger.info('session.locked', { reason, person: this.person?.id ?? null });
    return this.changed();
  }

  /**
   * Unlocks with the signed-in person's PIN; an open desk's lock (nobody to ask) needs none.
   *
   * @throws DeskError `WRONG_PIN`, `SIGN_IN_WAIT`, `SIGNED_OUT` (nobody to unlock for).
   */
  async unlock(pin: string | undefined): Promise<SessionView> {
    if (this.state !== 'locked') return this.view();
    if (this.person) {
      const stored = this.options.secrets.get(pinSecret(this.person.id));
      if (pin === undefined) throw new DeskError('WRONG_PIN', 'Enter your PIN to unlock.');
      if (stored === undefined) throw new DeskError('SIGNED_OUT', 'No PIN is kept for this person any more: sign in again.');
      await this.checkPin(this.person.id, pin, stored);
      this.state = 'signed-in';
    } else {
      this.state = this.people().length === 0 ? 'open' : 'signed-out';
    }
    this.touch();
    this.options.logger.info('session.unlocked', { person: this.person?.id ?? null });
    return this.changed();
  }

  /** Input at the desk: restarts the idle timer. */
  activity(): void {
    this.touch();
  }

  /** @throws DeskError `SIGNED_OUT`, `WRONG_PIN`, `SIGN_IN_WAIT`. */
  async changePin(currentPin: string, newPin: string): Promise<SessionView> {
    if (this.state !== 'signed-in' || !this.person) throw new DeskError('SIGNED_OUT', 'Sign in to change your PIN.');
    const stored = this.options.secrets.get(pinSecret(this.person.id));
    if (stored === undefined) throw new DeskError('SIGNED_OUT', 'No PIN is kept for this person: sign in again to set one.');
    await this.checkPin(this.person.id, currentPin, stored);
    this.options.secrets.set(pinSecret(this.person.id), await hashPin(newPin, this.options.pinHashParams));
    this.options.logger.info('session.pin-changed', { person: this.person.id });
    return this.view();
  }

  /** An admin clears a person's PIN: they set a new one at their next sign-in. */
  resetPin(personId: string): void {
    if (!this.people().some((p) => p.id === personId)) throw new DeskError('NOT_AVAILABLE', 'This person is not on the desk\'s staff list.');
    this.options.secrets.delete(pinSecret(personId));
    this.failures.delete(personId);
    this.options.logger.info('session.pin-reset', { person: personId, by: this.person?.id ?? null });
  }

  /**
   * The settings changed: a staff list appearing closes the open desk; a removed person, or a
   * changed role, takes effect at once; an emptied list opens the desk; the idle minutes re-arm.
   */
  settingsChanged(): void {
    const people = this.people();
    const before = JSON.stringify(this.view());
    if (people.length === 0) {
      if (this.state !== 'locked' || this.person) {
        this.person = null;
        this.state = 'open';
      }
    } else if (this.state === 'open') {
      this.state = 'signed-out';
    } else if (this.person) {
      const current = people.find((p) => p.id === this.person!.id);
      if (!current) {
        this.options.logger.info('session.signed-out', { person: this.person.id, reason: 'removed' });
        this.person = null;
        this.state = 'signed-out';
      } else {
        this.person = current;
      }
    }
    this.armIdleTimer();
    if (JSON.stringify(this.view()) !== before) this.changed();
  }

  onChange(listener: (view: SessionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.listeners.clear();
  }

  private people(): readonly Person[] {
    return this.options.settings().access.people;
  }

  private async checkPin(personId: string, pin: string, stored: string): Promise<void> {
    const now = this.clock.now();
    const failure = this.failures.get(personId) ?? { count: 0, retryAfter: null };
    if (failure.retryAfter !== null && now < failure.retryAfter) {
      throw new DeskError('SIGN_IN_WAIT', `Too many wrong PINs: try again in ${Math.ceil((failure.retryAfter - now) / 1000)} s.`);
    }
    if (await verifyPin(pin, stored)) {
      this.failures.delete(personId);
      return;
    }
    failure.count += 1;
    const over = failure.count - WRONG_PINS_BEFORE_WAIT;
    failure.retryAfter = over >= 0 ? now + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** over) : null;
    this.failures.set(personId, failure);
    this.options.logger.warn('session.wrong-pin', { person: personId, inARow: failure.count, waitMs: failure.retryAfter === null ? 0 : failure.retryAfter - now });
    throw new DeskError('WRONG_PIN', failure.retryAfter === null ? 'Wrong PIN.' : `Wrong PIN. Too many in a row: try again in ${Math.ceil((failure.retryAfter - now) / 1000)} s.`);
  }

  private touch(): void {
    this.lastActivity = this.clock.now();
    this.armIdleTimer();
  }

  /** One timer, due when the idle minutes since the last input run out. */
  private armIdleTimer(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const minutes = this.options.settings().access.idleLockMinutes;
    if (minutes <= 0 || (this.state !== 'open' && this.state !== 'signed-in')) return;
    const due = this.lastActivity + minutes * 60_000;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      if (this.clock.now() >= due) this.lock('idle');
      else this.armIdleTimer();
    }, Math.max(0, due - this.clock.now()));
  }

  private changed(): SessionView {
    this.armIdleTimer();
    const view = this.view();
    for (const listener of this.listeners) listener(view);
    return view;
  }
}

/** The SIP account's user (`sip:1001@pbx` → `1001`), or its auth user, or null. */
function sipUserOf(settings: Settings): string | null {
  const fromUri = /^sips?:([^@]+)@/i.exec(settings.sip.uri)?.[1];
  const user = fromUri ?? (settings.sip.authUser || null);
  return user && /^[\x21-\x7e]{1,64}$/.test(user) ? user : null;
}
