import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSink, logFilesOf, rotatedLogPath } from './file-sink';
import { createLogger, type LogRecord } from './logger';

afterEach(() => vi.restoreAllMocks());

describe('fileSink (electron-log underneath)', () => {
  it('appends each record as one JSON line, 0600 in a 0700 folder, and writes nothing to stdout', () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const dir = join(mkdtempSync(join(tmpdir(), 'rg-file-sink-')), 'logs');
    const path = join(dir, 'desk.log');
    const logger = createLogger([fileSink(path)], 'debug');
    logger.info('core.started', { host: 'web', services: ['journal', 'cache'] });
    logger.debug('cache.page', { cards: 250, ms: 14 });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogRecord);
    expect(lines.map(({ level, event, context }) => ({ level, event, context }))).toEqual([
      { level: 'info', event: 'core.started', context: { host: 'web', services: ['journal', 'cache'] } },
      { level: 'debug', event: 'cache.page', context: { cards: 250, ms: 14 } },
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('rotates by size: desk.log → desk.1.log …, keeping `keep` old files, none of them ever over the limit by more than a line', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-file-sink-')), 'logs', 'desk.log');
    const logger = createLogger([fileSink(path, { maxBytes: 2_000, keep: 2 })]);
    for (let i = 0; i < 200; i++) logger.info('sync.page', { page: i, filler: 'x'.repeat(100) });
    expect(logFilesOf(path)).toEqual([path, rotatedLogPath(path, 1), rotatedLogPath(path, 2)]);
    const pages = logFilesOf(path).map((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { context: { page: number } }).context.page),
    );
    // Newest first, each file in order, no line lost between them, the oldest ones gone.
    expect(pages[0]!.at(-1)).toBe(199);
    expect(pages[1]!.at(-1)! + 1).toBe(pages[0]![0]);
    expect(pages[2]!.at(-1)! + 1).toBe(pages[1]![0]);
    expect(pages[2]![0]).toBeGreaterThan(0);
    for (const file of logFilesOf(path)) expect(statSync(file).size).toBeLessThan(2_000 + 200);
    expect(statSync(rotatedLogPath(path, 1)).mode & 0o777).toBe(0o600);
  });
});
