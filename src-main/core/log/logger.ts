import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  error(event: string, context?: LogContext): void;
}

export interface LogRecord {
  time: string;
  level: LogLevel;
  event: string;
  context?: LogContext;
}

export type LogSink = (record: LogRecord) => void;

/**
 * Keys whose values never reach a log, whatever they hold. Patient data and secrets are
 * special-category data (152-ФЗ): the log says that something happened, not to whom.
 */
const REDACTED_KEYS =
  /pass(word)?|secret|token|key|credential|authorization|cookie|name|surname|patronymic|phone|number|caller|birth|snils|policy|address|email|note|text|query|search/i;

/** Digit runs long enough to be a phone, policy or СНИЛС number. */
const LONG_DIGITS = /\+?\d[\d\s\-()]{5,}\d/g;

const MAX_STRING = 500;

/** Makes a log context safe: sensitive keys masked, long digit runs masked, errors reduced. */
export function redact(value: unknown, key = '', depth = 0): unknown {
  if (key !== '' && REDACTED_KEYS.test(key)) return value === undefined ? undefined : '[redacted]';
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return typeof value === 'bigint' ? String(value) : value;
  if (typeof value === 'string') return maskString(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: maskString(value.message),
      code: (value as { code?: unknown }).code,
      stack: value.stack ? maskString(value.stack.split('\n').slice(0, 8).join('\n'), 2000) : undefined,
    };
  }
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redact(item, '', depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) {
      out[k] = redact(v, k, depth + 1);
    }
    return out;
  }
  return `[${typeof value}]`;
}

function maskString(value: string, max = MAX_STRING): string {
  const masked = value.replace(LONG_DIGITS, '[digits]');
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

export function createLogger(sinks: LogSink[], minimum: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
  const write = (level: LogLevel, event: string, context?: LogContext) => {
    if (order[level] < order[minimum]) return;
    const record: LogRecord = { time: new Date().toISOString(), level, event: maskString(event, 120) };
    if (context) record.context = redact(context) as LogContext;
    for (const sink of sinks) {
      try {
        sink(record);
      } catch {
        // A broken sink (disk full, closed stream) must never take the desk down.
      }
    }
  };
  return {
    debug: (event, context) => write('debug', event, context),
    info: (event, context) => write('info', event, context),
    warn: (event, context) => write('warn', event, context),
    error: (event, context) => write('error', event, context),
  };
}

/** One JSON object a line, appended; the folder is created on first use. */
export function fileSink(path: string): LogSink {
  let ready = false;
  return (record) => {
    if (!ready) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      ready = true;
    }
    appendFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  };
}

/** Human-readable lines on stderr; stdout is kept for the host's one ready line. */
export function stderrSink(): LogSink {
  return (record) => {
    const context = record.context ? ` ${JSON.stringify(record.context)}` : '';
    process.stderr.write(`${record.time} ${record.level.toUpperCase()} ${record.event}${context}\n`);
  };
}

export const silentLogger: Logger = createLogger([]);
