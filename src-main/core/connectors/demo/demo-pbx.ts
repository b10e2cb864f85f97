import { randomUUID } from 'node:crypto';

/** One CTI event of the demo PBX: a call on the desk phone of an extension (contract `pbx:call`). */
export interface PbxCallEvent {
  event: 'ringing' | 'answered' | 'ended';
  callId: string;
  number: string;
  extension: string;
}

/**
 * The embedded demo PBX in CTI mode: an operator on a hardware desk phone gets its
 * calls as events, not SIP. Driven by `demo.simulate` (`pbx-ringing` / `pbx-answered` /
 * `pbx-ended`); the real PBX connector will raise the same events.
 */
export class DemoPbx {
  private readonly calls = new Map<string, { number: string; extension: string }>();

  constructor(
    private readonly emit: (event: PbxCallEvent) => void,
    private readonly newId: () => string = () => `pbx-${randomUUID()}`,
  ) {}

  /** A call rings on `extension`; returns its fresh call id. */
  ring(number: string, extension: string): string {
    const callId = this.newId();
    this.calls.set(callId, { number, extension });
    this.emit({ event: 'ringing', callId, number, extension });
    return callId;
  }

  /** @returns false when the call is not ringing or talking (unknown or already ended). */
  answer(callId: string): boolean {
    const call = this.calls.get(callId);
    if (!call) return false;
    this.emit({ event: 'answered', callId, ...call });
    return true;
  }

  /** @returns false when the call is unknown or already ended. */
  end(callId: string): boolean {
    const call = this.calls.get(callId);
    if (!call) return false;
    this.calls.delete(callId);
    this.emit({ event: 'ended', callId, ...call });
    return true;
  }
}
