import { join } from 'node:path';
import { fileSink, type FileSinkOptions } from './log/file-sink';
import { createLogger, stderrSink, type Logger, type LogLevel } from './log/logger';

/** Where every host writes its log: `<dataDir>/logs/desk.log` (rotated as `desk.1.log` …). */
export function deskLogPath(dataDir: string): string {
  return join(dataDir, 'logs', 'desk.log');
}

/**
 * The log every host writes: `<dataDir>/logs/desk.log`, rotated by size (5 MB, four old files
 * kept), plus stderr. Everything passes `redact` first (`createLogger`). The lowest level
 * written is `info`, or `debug` with `REGISTRATURA_LOG_LEVEL=debug` (or `options.level`).
 */
export function createHostLogger(dataDir: string, options: { stderr?: boolean; level?: LogLevel } & FileSinkOptions = {}): Logger {
  const { stderr, level, ...file } = options;
  const sinks = [fileSink(deskLogPath(dataDir), file)];
  if (stderr !== false) sinks.push(stderrSink());
  return createLogger(sinks, level ?? (process.env.REGISTRATURA_LOG_LEVEL === 'debug' ? 'debug' : 'info'));
}
