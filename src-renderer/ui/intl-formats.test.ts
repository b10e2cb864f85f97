import { describe, expect, it } from 'vitest';
import { dateTimeFormat, numberFormat } from './intl-formats';

describe('shared Intl formatters', () => {
  it('hand back the same formatter for the same language and options, and a different one otherwise', () => {
    const clock = dateTimeFormat('ru', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(dateTimeFormat('ru', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).toBe(clock);
    expect(dateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).not.toBe(clock);
    expect(numberFormat('ru', { style: 'unit', unit: 'year' })).not.toBe(numberFormat('ru', { style: 'unit', unit: 'second' }));
  });

  it('format as a fresh formatter would', () => {
    const date = new Date(2026, 10, 30, 9, 5);
    expect(dateTimeFormat('ru', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date)).toBe('09:05');
    expect(numberFormat('ru').format(20000)).toBe(new Intl.NumberFormat('ru').format(20000));
  });

  it('stay bounded when a caller keeps varying the options', () => {
    const first = numberFormat('en', { minimumIntegerDigits: 1 });
    for (let digits = 2; digits <= 21; digits++) numberFormat('en', { minimumIntegerDigits: digits });
    for (let fraction = 0; fraction <= 20; fraction++) for (const language of ['en', 'ru', 'kk']) numberFormat(language, { maximumFractionDigits: fraction });
    expect(numberFormat('en', { minimumIntegerDigits: 1 })).not.toBe(first);
  });
});
