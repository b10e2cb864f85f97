import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSink } from './file-sink';
import { createLogger, redact, type LogRecord } from './logger';

describe('logger', () => {
  it('masks sensitive keys whatever they hold', () => {
    expect(redact({ password: 'hunter2', surname: 'Иванова', phone: '+79161234567', callerName: 'x', port: 8080 })).toEqual({
      password: '[redacted]',
      surname: '[redacted]',
      phone: '[redacted]',
      callerName: '[redacted]',
      port: 8080,
    });
  });

  it('masks phone-, policy- and СНИЛС-like digit runs inside free text', () => {
    const masked = redact({ detail: 'call from 8 (916) 123-45-67 policy 1234567890123456 snils 123-456-789 01' }) as { detail: string };
    expect(masked.detail).not.toMatch(/916|1234567890123456|123-456-789/);
    expect(masked.detail).toContain('[digits]');
  });

  it('reduces errors to name, message and a short stack, masked', () => {
    const out = redact({ error: new Error('no card for +7 916 123 45 67') }) as { error: { message: string } };
    expect(out.error.message).toBe('no card for [digits]');
  });

  it('survives cycles, deep nesting and huge strings', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => redact(cyclic)).not.toThrow();
    expect((redact({ detail: 'x'.repeat(10_000) }) as { detail: string }).detail.length).toBeLessThan(600);
  });

  it('writes JSON lines to a file and never lets a failing sink throw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-log-'));
    const path = join(dir, 'logs', 'desk.log');
    const logger = createLogger([
      fileSink(path),
      () => {
        throw new Error('disk full');
      },
    ]);
    expect(() => logger.info('settings.updated', { password: 's3cret-Пароль', paths: ['role'] })).not.toThrow();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('s3cret');
    const record = JSON.parse(text.trim()) as LogRecord;
    expect(record).toMatchObject({ level: 'info', event: 'settings.updated', context: { password: '[redacted]', paths: ['role'] } });
  });

  it('writes the line even when the context cannot be read (a throwing getter)', () => {
    const seen: LogRecord[] = [];
    const logger = createLogger([(r) => seen.push(r)]);
    const hostile = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(() => logger.info('odd', hostile)).not.toThrow();
    expect(seen).toMatchObject([{ event: 'odd', context: { unreadable: true } }]);
  });

  it('drops records below the minimum level', () => {
    const seen: LogRecord[] = [];
    const logger = createLogger([(r) => seen.push(r)], 'warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(seen.map((r) => r.event)).toEqual(['loud']);
  });
});
