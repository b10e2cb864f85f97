import { z } from 'zod';
import { SCHEDULE_STREAMS, type ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import { MisError } from '../mis/mis-connector';
import { instantMs } from './fhir-mapping';

/**
 * The `fhir-r4` connector's sync cursors: opaque to the desk, a small JSON in base64url here.
 *
 * A stream is read in scans. A scan asks `_lastUpdated=ge<from>` (the first one asks for
 * everything) and follows `Bundle.link[next]` to its end; it then becomes the next scan's
 * `from`: the newest `meta.lastUpdated` it delivered, with the ids delivered at exactly that
 * instant (`ge` and not `gt`, so a resource written in the same millisecond after our read is
 * not lost; the ids keep the ones already delivered from coming back on every poll). A
 * resource changed during a scan gets a newer `lastUpdated` and comes in the next one.
 */

/** Most ids remembered at one instant; beyond, a few cards are delivered twice (harmless: same version). */
const MAX_SEEN = 500;

export interface ScanCursor {
  /** Lower bound of the current scan (`_lastUpdated=ge`), null for a first full read. */
  from: string | null;
  /** Ids already delivered with `lastUpdated` equal to `from`. */
  fromSeen: string[];
  /** The current scan's next page (a server URL), null when the scan is done. */
  next: string | null;
  /** Newest `lastUpdated` delivered in this scan (or before it), as the server wrote it. */
  max: string | null;
  /** Ids delivered with `lastUpdated` equal to `max`. */
  maxSeen: string[];
  /** `Bundle.total` of the scan's first page, when the server gave it. */
  total: number | null;
  /** Resources delivered in this scan so far. */
  delivered: number;
}

/** A schedule stream's cursor: a scan plus the horizon it was read for. */
export interface StreamCursor extends ScanCursor {
  stream: ScheduleStream;
  today: string;
  horizonDays: number;
}

const PATIENTS_PREFIX = 'fhir1:';
const STREAM_PREFIX = 'fhirs1:';

const ScanShape = {
  f: z.string().max(64).nullable(),
  fs: z.array(z.string().max(64)).max(MAX_SEEN),
  n: z.string().max(16_000).nullable(),
  m: z.string().max(64).nullable(),
  ms: z.array(z.string().max(64)).max(MAX_SEEN),
  t: z.number().int().nonnegative().nullable(),
  d: z.number().int().nonnegative(),
};
const PatientsCursorSchema = z.object(ScanShape).strict();
const StreamCursorSchema = z
  .object({ ...ScanShape, s: z.enum(SCHEDULE_STREAMS), td: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), hd: z.number().int().positive() })
  .strict();

export function emptyScan(): ScanCursor {
  return { from: null, fromSeen: [], next: null, max: null, maxSeen: [], total: null, delivered: 0 };
}

function toWire(scan: ScanCursor) {
  return { f: scan.from, fs: scan.fromSeen.slice(0, MAX_SEEN), n: scan.next, m: scan.max, ms: scan.maxSeen.slice(0, MAX_SEEN), t: scan.total, d: scan.delivered };
}

function fromWire(wire: z.infer<typeof PatientsCursorSchema>): ScanCursor {
  return { from: wire.f, fromSeen: wire.fs, next: wire.n, max: wire.m, maxSeen: wire.ms, total: wire.t, delivered: wire.d };
}

function encode(prefix: string, value: unknown): string {
  return prefix + Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(prefix: string, cursor: string): unknown {
  if (typeof cursor !== 'string' || !cursor.startsWith(prefix) || cursor.length > 64_000) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function refused(what: string): MisError {
  return new MisError('rejected', `The ${what} cursor was not made by this FHIR connector; the stream starts over.`);
}

export function encodePatientsCursor(scan: ScanCursor): string {
  return encode(PATIENTS_PREFIX, toWire(scan));
}

/** The scan a patients cursor names; `rejected` for anything this connector did not issue. */
export function decodePatientsCursor(cursor: string): ScanCursor {
  const parsed = PatientsCursorSchema.safeParse(decode(PATIENTS_PREFIX, cursor));
  if (!parsed.success) throw refused('patients');
  return fromWire(parsed.data);
}

export function encodeStreamCursor(cursor: StreamCursor): string {
  return encode(STREAM_PREFIX, { ...toWire(cursor), s: cursor.stream, td: cursor.today, hd: cursor.horizonDays });
}

export function decodeStreamCursor(cursor: string): StreamCursor {
  const parsed = StreamCursorSchema.safeParse(decode(STREAM_PREFIX, cursor));
  if (!parsed.success) throw refused('schedule');
  const { s, td, hd, ...scan } = parsed.data;
  return { ...fromWire(scan), stream: s, today: td, horizonDays: hd };
}

/**
 * Whether a resource delivered at `lastUpdated` was already delivered before this scan (same
 * instant as its `from` and the id remembered, or older than `from`): such a resource is skipped.
 */
export function alreadyDelivered(scan: ScanCursor, id: string, lastUpdated: string | null): boolean {
  if (scan.from === null || lastUpdated === null) return false;
  const at = instantMs(lastUpdated);
  const from = instantMs(scan.from);
  // Older than the scan's start: delivered by an earlier scan (a façade that ignores `_lastUpdated` sends everything).
  if (at !== null && from !== null && at < from) return true;
  return sameInstant(lastUpdated, scan.from) && scan.fromSeen.includes(id);
}

/** Folds one delivered resource into the scan's running newest instant. */
export function noteDelivered(scan: ScanCursor, id: string, lastUpdated: string | null): void {
  scan.delivered += 1;
  if (lastUpdated === null) return;
  const ms = instantMs(lastUpdated);
  if (ms === null) return;
  const maxMs = scan.max === null ? null : instantMs(scan.max);
  if (maxMs === null || ms > maxMs) {
    scan.max = lastUpdated;
    scan.maxSeen = [id];
  } else if (ms === maxMs && !scan.maxSeen.includes(id) && scan.maxSeen.length < MAX_SEEN) {
    scan.maxSeen.push(id);
  }
}

/** The scan done: the next one starts at its newest instant (or where it started, when it delivered nothing newer). */
export function finishScan(scan: ScanCursor): ScanCursor {
  const fromMs = scan.from === null ? null : instantMs(scan.from);
  const maxMs = scan.max === null ? null : instantMs(scan.max);
  if (maxMs === null || (fromMs !== null && maxMs < fromMs)) return { ...scan, next: null, total: null, delivered: 0, max: scan.from, maxSeen: [...scan.fromSeen] };
  const seen = fromMs !== null && maxMs === fromMs ? [...new Set([...scan.fromSeen, ...scan.maxSeen])].slice(0, MAX_SEEN) : scan.maxSeen;
  return { from: scan.max, fromSeen: seen, next: null, max: scan.max, maxSeen: seen, total: null, delivered: 0 };
}

function sameInstant(a: string, b: string): boolean {
  if (a === b) return true;
  const x = instantMs(a);
  return x !== null && x === instantMs(b);
}
