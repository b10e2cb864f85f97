import { readFileSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { maskText, redactContext, type LogRecord } from '../log/logger';

/** Lines redacted between two yields to the event loop (a ring must not wait for the bundle). */
const LINES_PER_SLICE = 2_000;

/** A log file as it goes into the bundle, and what was left out. */
export interface BundledLog {
  text: string;
  lines: number;
  /** Lines that were not one JSON record (a torn last line, a foreign write): left out, counted. */
  dropped: number;
}

/**
 * A log file as the bundle carries it: every record redacted again with today's rules (a file
 * written by an older version of the desk, whose rules knew fewer keys, is cleaned up too) and
 * written back as one JSON object a line, the user's `home` folder as `~` in every path. Anything
 * that is not a record is left out, not copied. Yields to the event loop every
 * {@link LINES_PER_SLICE} lines.
 */
export async function bundledLog(path: string, home: string | null = null): Promise<BundledLog> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return { text: '', lines: 0, dropped: 0 };
  }
  const out: string[] = [];
  let dropped = 0;
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && i % LINES_PER_SLICE === 0) await yieldToEvents();
    const line = lines[i]!.trim();
    if (line === '') continue;
    const record = redactedRecord(line, home);
    if (record) out.push(JSON.stringify(record));
    else dropped += 1;
  }
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', lines: out.length, dropped };
}

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** One line of the log redacted again (and `home` as `~`), or null when it is not a record. */
export function redactedRecord(line: string, home: string | null = null): LogRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { time, level, event, context } = parsed as Record<string, unknown>;
  if (typeof time !== 'string' || typeof level !== 'string' || !LEVELS.has(level) || typeof event !== 'string') return null;
  const record: LogRecord = { time: /^[0-9TZ:.+-]{10,40}$/.test(time) ? time : '[time]', level: level as LogRecord['level'], event: maskText(event, 120) };
  if (context !== undefined) record.context = withoutHome(redactContext(context), home) as LogRecord['context'];
  return record;
}

function withoutHome(value: unknown, home: string | null): unknown {
  if (!home || home.length < 2) return value;
  if (typeof value === 'string') return value.split(home).join('~');
  if (Array.isArray(value)) return value.map((item) => withoutHome(item, home));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutHome(v, home)]));
  return value;
}
