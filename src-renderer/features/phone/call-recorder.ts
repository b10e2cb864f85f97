import { ANSWERED_OUTCOMES, CALL_DISPLAY_NAME_MAX, type CallRecord } from '../../../src-shared/calls/calls-contract';
import { toDeskError } from '../../bridge/desk-error';
import { oneLineText } from '../../../src-shared/text/unsafe-characters';
import { sanitiseRemoteNumber, type PhoneCall } from '../../softphone/phone';

export type { CallRecord };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The journal record of an ended call (`calls.record`): ISO times, text cut the way the
 * contract wants it, and `answeredAt` set exactly for the answered outcomes (`answered`, `lost`).
 */
export function callRecordOf(call: PhoneCall, now: number = Date.now()): CallRecord {
  const outcome = call.outcome ?? (call.answeredAt === null ? 'failed' : 'answered');
  const answered = ANSWERED_OUTCOMES.includes(outcome);
  return {
    id: call.id,
    direction: call.direction,
    number: sanitiseRemoteNumber(call.remoteNumber),
    displayName: oneLineText(call.remoteDisplayName, CALL_DISPLAY_NAME_MAX),
    startedAt: iso(call.startedAt),
    answeredAt: answered ? iso(call.answeredAt ?? call.startedAt) : null,
    endedAt: iso(call.endedAt ?? now),
    outcome,
  };
}

/** Sends one record to main; rejects when it did not get there. */
export type SendRecord = (record: CallRecord) => Promise<unknown>;

/** Attempts per record before it is given up (logged, never thrown). */
export const MAX_ATTEMPTS = 5;
/** Records kept waiting for the bridge; the oldest is dropped beyond this. */
export const MAX_PENDING = 200;
/** Ids remembered to refuse a second record of the same call. */
const MAX_SEEN = 1000;

/**
 * Sends every ended call to main exactly once. A send that fails stays queued and is tried
 * again on {@link CallRecorder.flush} (the app calls it when the bridge comes back, and every
 * new record flushes the queue too), at most {@link MAX_ATTEMPTS} times; a record main refuses
 * as invalid is not retried. Nothing here ever throws into the caller. `calls.record` is
 * idempotent by id, so a retry after a lost answer is harmless.
 */
export class CallRecorder {
  private readonly pending: { record: CallRecord; attempts: number }[] = [];
  private readonly seen = new Set<string>();
  private current: Promise<void> | null = null;
  private again = false;

  constructor(private readonly send: SendRecord) {}

  /** The phone reported `call` ended: record it unless it already was. */
  record(call: PhoneCall): void {
    if (this.seen.has(call.id)) return;
    this.seen.add(call.id);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value as string);
    this.pending.push({ record: callRecordOf(call), attempts: 0 });
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    // A pass already running picks the new record up on its way.
    if (!this.current) void this.flush();
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Try every queued record once, in order; failures stay queued until their attempts run out.
   * Called while a pass runs, it resolves after that pass and one more.
   */
  flush(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    })().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async pass(): Promise<void> {
    let index = 0;
    while (index < this.pending.length) {
      const entry = this.pending[index]!;
      entry.attempts++;
      try {
        await this.send(entry.record);
        this.pending.splice(index, 1);
      } catch (error) {
        const { code } = toDeskError(error);
        if (code === 'INVALID_INPUT' || entry.attempts >= MAX_ATTEMPTS) {
          this.pending.splice(index, 1);
          console.warn(`calls.record: gave up on call ${entry.record.id} after ${entry.attempts} attempt(s) (${code})`);
        } else {
          index++;
        }
      }
    }
  }
}
