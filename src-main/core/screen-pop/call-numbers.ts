import type { JournalService } from '../journal/journal-service';

/** Calls whose looked-up number is remembered for `screenPop.show` and `calls.wrapUp`. */
const REMEMBERED_CALLS = 500;

/**
 * The number (E.164) each call was looked up with: remembered from the pop's lookup in this
 * run (bounded, oldest forgotten first), else from the card shown for the call in journal.db.
 * Shared by the screen pop (which card a call had) and the wrap-up (which number it was for).
 */
export class CallNumbers {
  private readonly lookedUp = new Map<string, string>();

  constructor(private readonly journal: JournalService) {}

  remember(callId: string, numberKey: string): void {
    this.lookedUp.delete(callId);
    this.lookedUp.set(callId, numberKey);
    if (this.lookedUp.size > REMEMBERED_CALLS) this.lookedUp.delete(this.lookedUp.keys().next().value!);
  }

  of(callId: string): string | null {
    return this.lookedUp.get(callId) ?? this.journal.stores?.popChoices.numberOfCall(callId) ?? null;
  }
}
