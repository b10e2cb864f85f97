/**
 * A streaming parser of the Asterisk Manager Interface wire format: `Key: value` lines ended by
 * CRLF (or LF), a message ended by an empty line, the server's banner line
 * (`Asterisk Call Manager/11.0.0`) first. It takes bytes as they arrive, split anywhere (inside a
 * UTF-8 character too: lines are cut at the LF byte, which never occurs inside one, and decoded
 * whole), keeps every header in order (repeated keys too), and never throws. Memory is bounded:
 * a line longer than `maxLineBytes` or a message longer than `maxMessageBytes` is dropped and
 * counted, and the parser resynchronises at the next empty line.
 */

/** One header as it arrived: the key as sent, the value after `: ` (further `: ` kept). */
export type AmiHeader = readonly [key: string, value: string];

/** One AMI message (a response, an event, a list item): its headers in wire order. */
export class AmiMessage {
  constructor(readonly headers: readonly AmiHeader[]) {}

  /** The first value of `key` (case-insensitive), or undefined. */
  get(key: string): string | undefined {
    const wanted = key.toLowerCase();
    for (const [k, v] of this.headers) if (k.toLowerCase() === wanted) return v;
    return undefined;
  }

  /** Every value of `key` (case-insensitive), in order (`ChanVariable` repeats). */
  getAll(key: string): string[] {
    const wanted = key.toLowerCase();
    return this.headers.filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The event's name (`Event:`), or undefined for a response. */
  get event(): string | undefined {
    return this.get('Event');
  }

  /** The response's status (`Response:`), or undefined for an event. */
  get response(): string | undefined {
    return this.get('Response');
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  static of(headers: Record<string, string> | readonly AmiHeader[]): AmiMessage {
    return new AmiMessage(Array.isArray(headers) ? (headers as readonly AmiHeader[]) : Object.entries(headers));
  }
}

export interface AmiParserLimits {
  /** Longest line kept (bytes, terminator included); default 8 KiB. */
  maxLineBytes: number;
  /** Largest message kept (bytes); default 64 KiB. */
  maxMessageBytes: number;
}

export interface AmiParserStats {
  messages: number;
  /** Lines without `:` (or with an empty key) inside a message: skipped. */
  garbageLines: number;
  /** Lines over `maxLineBytes`: dropped with the message they were in. */
  oversizedLines: number;
  /** Messages over `maxMessageBytes`, or holding an oversized line: dropped. */
  droppedMessages: number;
}

export const AMI_PARSER_DEFAULTS: AmiParserLimits = { maxLineBytes: 8 * 1024, maxMessageBytes: 64 * 1024 };

const BANNER = /^Asterisk Call Manager\/\S+/;
const LF = 0x0a;

export class AmiParser {
  /** The banner line once seen (`Asterisk Call Manager/11.0.0`), else null. */
  banner: string | null = null;
  readonly stats: AmiParserStats = { messages: 0, garbageLines: 0, oversizedLines: 0, droppedMessages: 0 };

  private readonly limits: AmiParserLimits;
  /** Bytes of the line being read (no LF seen yet). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The current line overflowed: drop bytes until its LF. */
  private skippingLine = false;
  private headers: AmiHeader[] = [];
  private messageBytes = 0;
  /** The current message is broken (too long): drop lines until the empty line. */
  private discarding = false;

  constructor(limits: Partial<AmiParserLimits> = {}) {
    this.limits = { ...AMI_PARSER_DEFAULTS, ...limits };
  }

  /** Takes the next bytes; returns the messages they complete, in order. Never throws. */
  feed(chunk: Buffer | Uint8Array | string): AmiMessage[] {
    const out: AmiMessage[] = [];
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    let start = 0;
    while (start < bytes.length) {
      const nl = bytes.indexOf(LF, start);
      if (nl === -1) {
        this.keepPartial(bytes.subarray(start));
        break;
      }
      const piece = bytes.subarray(start, nl);
      start = nl + 1;
      if (this.skippingLine) {
        this.skippingLine = false;
        continue;
      }
      let line: Buffer = piece;
      if (this.partialBytes > 0) {
        line = Buffer.concat([...this.partial, piece]);
        this.partial = [];
        this.partialBytes = 0;
      }
      if (line.length + 1 > this.limits.maxLineBytes) {
        this.overlongLine();
        continue;
      }
      this.onLine(line, out);
    }
    return out;
  }

  /** Forgets any half-read line or message (a new connection). */
  reset(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.skippingLine = false;
    this.headers = [];
    this.messageBytes = 0;
    this.discarding = false;
    this.banner = null;
  }

  private keepPartial(bytes: Buffer): void {
    if (this.skippingLine || bytes.length === 0) return;
    if (this.partialBytes + bytes.length + 1 > this.limits.maxLineBytes) {
      this.partial = [];
      this.partialBytes = 0;
      this.skippingLine = true;
      this.overlongLine();
      return;
    }
    // A copy: the caller may reuse its buffer.
    this.partial.push(Buffer.from(bytes));
    this.partialBytes += bytes.length;
  }

  private overlongLine(): void {
    this.stats.oversizedLines++;
    this.discardMessage();
  }

  private discardMessage(): void {
    if (!this.discarding) this.stats.droppedMessages++;
    this.discarding = true;
    this.headers = [];
    this.messageBytes = 0;
  }

  private onLine(raw: Buffer, out: AmiMessage[]): void {
    let text = raw.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text === '') {
      if (this.discarding) this.discarding = false;
      else if (this.headers.length > 0) {
        out.push(new AmiMessage(this.headers));
        this.stats.messages++;
      }
      this.headers = [];
      this.messageBytes = 0;
      return;
    }
    if (this.discarding) return;
    this.messageBytes += raw.length + 1;
    if (this.messageBytes > this.limits.maxMessageBytes) {
      this.discardMessage();
      return;
    }
    if (this.headers.length === 0 && BANNER.test(text)) {
      this.banner = text;
      this.messageBytes = 0;
      return;
    }
    const colon = text.indexOf(':');
    const key = colon > 0 ? text.slice(0, colon).trim() : '';
    if (key === '') {
      this.stats.garbageLines++;
      return;
    }
    const rest = text.slice(colon + 1);
    this.headers.push([key, rest.startsWith(' ') ? rest.slice(1) : rest]);
  }
}
