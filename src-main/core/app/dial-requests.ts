import type { DialRequest } from '../../../src-shared/app/app-contract';

/** How long a dial request waits for the page (start-up, sign-in, an unlock) before it lapses. */
export const DIAL_REQUEST_TTL_MS = 5 * 60_000;

/**
 * The one number waiting to be offered for dialling (a `tel:` / `sip:` link that reached the
 * desktop app). A newer link replaces an older one; taking it empties the box, so the operator
 * is asked once, by one window; after {@link DIAL_REQUEST_TTL_MS} it lapses (a link clicked
 * before lunch is not offered after it). Holds nothing else: the number is never logged.
 */
export class DialRequestMailbox {
  private waiting: { request: DialRequest; at: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Leaves a request for the page (replacing any waiting one). */
  post(request: DialRequest): void {
    this.waiting = { request: { ...request }, at: this.now() };
  }

  /** The waiting request, now no longer waiting; null when there is none or it lapsed. */
  take(): DialRequest | null {
    const waiting = this.waiting;
    this.waiting = null;
    if (!waiting || this.now() - waiting.at > DIAL_REQUEST_TTL_MS) return null;
    return waiting.request;
  }
}
