import { Buffer } from 'node:buffer';
import { TransferContextSchema, type TransferContext } from '../../../src-shared/supervisor/supervisor-model';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import { normalizePhone } from '../patients/phone-normalisation';

/** Shared keys of transfer contexts: `tx/<the caller's number, digits only>`. */
export const TRANSFER_KEY_PREFIX = 'tx/';
/** How long a target desk keeps a context it was sent (the transferred call rings well within it). */
export const TRANSFER_KEEP_MS = 2 * 60_000;
const INBOX_MAX = 100;

/**
 * The key a caller's number is matched by on both desks: its E.164 digits when it is a phone
 * number (the supervisor's board and the target's phone may write it differently), else its digits.
 */
export function numberKey(number: string): string {
  const e164 = normalizePhone(number)?.e164;
  return (e164 ?? number).replace(/\D/g, '');
}

/** `tx/<digits>`, or null for a number without digits (anonymous: nothing to match it by). */
export function transferKey(number: string): string | null {
  const digits = numberKey(number);
  return digits === '' ? null : `${TRANSFER_KEY_PREFIX}${digits.slice(0, 64)}`;
}

/**
 * One line of JSON within the shared channel's limit: a context too long (a note in a script of
 * four-byte letters) travels with the supervisor's name cut, then with the note cut.
 */
export function encodeTransfer(context: TransferContext): string {
  const fits = (value: TransferContext) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= SHARED_VALUE_MAX;
  let value = TransferContextSchema.parse(context);
  if (fits(value)) return JSON.stringify(value);
  value = { ...value, from: { ...value.from, name: '' } };
  let note = Array.from(value.note);
  while (!fits(value) && note.length > 0) {
    note = note.slice(0, -8);
    value = { ...value, note: note.join('') };
  }
  return JSON.stringify(value);
}

/**
 * The transfer contexts sent to this desk's agent ("transfer with context"): kept for
 * {@link TRANSFER_KEEP_MS} from their arrival, found by the caller's number for the screen pop.
 */
export class TransferInbox {
  private readonly entries = new Map<string, { context: TransferContext; until: number }>();

  constructor(private readonly now: () => number) {}

  /**
   * A `tx/…` value from the shared channel. Returns `kept` when it is for `agentExtension`,
   * `other` when it is for another desk, `invalid` when it is not a context (dropped).
   */
  receive(value: string, agentExtension: string | null): 'kept' | 'other' | 'invalid' {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'invalid';
    }
    const checked = TransferContextSchema.safeParse(parsed);
    if (!checked.success) return 'invalid';
    if (agentExtension === null || checked.data.to !== agentExtension) return 'other';
    this.prune();
    if (this.entries.size >= INBOX_MAX) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(numberKey(checked.data.number), { context: checked.data, until: this.now() + TRANSFER_KEEP_MS });
    return 'kept';
  }

  /** The context for a caller's number (raw, as the phone or the PBX gave it), or null. */
  find(number: string): TransferContext | null {
    const key = numberKey(number);
    if (key === '') return null;
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.context;
  }

  clear(): void {
    this.entries.clear();
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
