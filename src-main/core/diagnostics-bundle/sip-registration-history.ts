import type { SipRegistrationReport } from '../../../src-shared/diagnostics/diagnostics-contract';

/** One registration change: when main heard of it, the state and its reason code. */
export interface SipRegistrationEntry {
  at: string;
  state: SipRegistrationReport['state'];
  detail: SipRegistrationReport['detail'];
}

/** Changes kept (a desk that flaps all night keeps the latest ones). */
export const SIP_HISTORY_MAX = 200;

/**
 * The softphone's registration changes since the desk started, newest last, at most
 * {@link SIP_HISTORY_MAX}: for the support bundle ("it kept dropping at 8 a.m."). Only the
 * state and its code — no server, account or number. A repeat of the last entry is not added
 * (the renderer sends the indicator again after a bridge reconnect).
 */
export class SipRegistrationHistory {
  private readonly entries: SipRegistrationEntry[] = [];
  private droppedCount = 0;
  readonly since: string;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly max = SIP_HISTORY_MAX,
  ) {
    this.since = now().toISOString();
  }

  /** Adds a change; false when it repeats the last one. */
  record(report: SipRegistrationReport): boolean {
    const last = this.entries.at(-1);
    if (last && last.state === report.state && last.detail === report.detail) return false;
    this.entries.push({ at: this.now().toISOString(), state: report.state, detail: report.detail });
    if (this.entries.length > this.max) this.droppedCount += this.entries.splice(0, this.entries.length - this.max).length;
    return true;
  }

  /** The kept changes, oldest first. */
  list(): SipRegistrationEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Changes dropped as older than the kept ones (none until the history is full). */
  get dropped(): number {
    return this.droppedCount;
  }
}
