import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportDiagnostic, setDiagnosticSink } from './report';

afterEach(() => {
  setDiagnosticSink(null);
  vi.restoreAllMocks();
});

describe('reportDiagnostic', () => {
  it('writes the console line and hands main only code values (anything else becomes "?")', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sent: unknown[] = [];
    setDiagnosticSink((event, detail) => sent.push({ event, detail }));
    reportDiagnostic('softphone.refused-unparseable', { method: 'INVITE', problem: 'malformed-contact', name: 'Иванова Анна', 'Bad key': 'x' }, 'softphone: refused');
    expect(warn).toHaveBeenCalledWith('softphone: refused');
    expect(sent).toEqual([{ event: 'softphone.refused-unparseable', detail: { method: 'INVITE', problem: 'malformed-contact', name: '?' } }]);
  });

  it('sends nothing without a connection or with an event name that is not a code; a failing sink never throws', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(() => reportDiagnostic('softphone.x', {}, 'no sink')).not.toThrow();
    const sink = vi.fn(() => {
      throw new Error('bridge down');
    });
    setDiagnosticSink(sink);
    reportDiagnostic('Refused a call from +79161234567', {}, 'x');
    expect(sink).not.toHaveBeenCalled();
    expect(() => reportDiagnostic('softphone.x', {}, 'x')).not.toThrow();
    expect(sink).toHaveBeenCalledTimes(1);
  });
});
