import { describe, expect, it } from 'vitest';
import { DiagnosticReportSchema } from '../../../src-shared/diagnostics/diagnostic-event';
import { createLogger, type LogRecord } from './logger';
import { createRendererDiagnostics } from './renderer-diagnostics';

describe('renderer diagnostics in the desk log', () => {
  it('logs an event with its codes, and at most `max` per window', () => {
    const records: LogRecord[] = [];
    let t = 0;
    const report = createRendererDiagnostics(createLogger([(record) => records.push(record)]), { max: 2, windowMs: 1_000, now: () => t });
    const event = { event: 'softphone.refused-unparseable', detail: { method: 'INVITE', status: '400', problem: 'malformed-contact' } };
    expect(report(event)).toEqual({ logged: true });
    expect(report(event)).toEqual({ logged: true });
    expect(report(event)).toEqual({ logged: false });
    t = 1_000;
    expect(report(event)).toEqual({ logged: true });
    expect(records.map((record) => record.event)).toEqual([
      'renderer.softphone.refused-unparseable',
      'renderer.softphone.refused-unparseable',
      'renderer.diagnostics-dropped',
      'renderer.softphone.refused-unparseable',
    ]);
    expect(records[0]!.context).toEqual({ method: 'INVITE', status: '400', problem: 'malformed-contact' });
  });

  it('the contract takes codes only: no names, numbers with spaces, or free text', () => {
    expect(DiagnosticReportSchema.safeParse({ event: 'softphone.refused-unparseable', detail: { problem: 'malformed-from' } }).success).toBe(true);
    for (const detail of [{ name: 'Иванова Анна' }, { number: '+7 916 123-45-67' }, { text: 'a b' }, { 'Bad Key': 'x' }]) {
      expect(DiagnosticReportSchema.safeParse({ event: 'softphone.x', detail }).success, JSON.stringify(detail)).toBe(false);
    }
    expect(DiagnosticReportSchema.safeParse({ event: 'Softphone refused', detail: {} }).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
    expect(DiagnosticReportSchema.safeParse({ event: 'a.b', detail: many }).success).toBe(false);
  });
});
