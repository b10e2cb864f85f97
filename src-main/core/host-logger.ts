import { join } from 'node:path';
import { createLogger, fileSink, stderrSink, type Logger } from './log/logger';

/** The log every host writes: `<dataDir>/logs/desk.log` plus stderr. */
export function createHostLogger(dataDir: string, options: { stderr?: boolean } = {}): Logger {
  const sinks = [fileSink(join(dataDir, 'logs', 'desk.log'))];
  if (options.stderr !== false) sinks.push(stderrSink());
  return createLogger(sinks, process.env.REGISTRATURA_LOG_LEVEL === 'debug' ? 'debug' : 'info');
}
