import { describe, expect, it } from 'vitest';
import { addDays, clinicDate, clinicInstant, clinicIso, clinicMinutes, spokenVisitTime, withinWindow, zoneOffsetMinutes } from './clinic-time';

const MSK = 'Europe/Moscow';

describe('clinic time', () => {
  it('computes the clinic-local date and minutes of an instant whatever the machine zone', () => {
    // 22:30 UTC on 5 December is 01:30 on 6 December in Moscow.
    const instant = Date.UTC(2026, 11, 5, 22, 30);
    expect(clinicDate(instant, MSK)).toBe('2026-12-06');
    expect(clinicMinutes(instant, MSK)).toBe(90);
    expect(zoneOffsetMinutes(instant, MSK)).toBe(180);
  });

  it('turns a clinic-local wall time into the instant and an ISO string with the offset', () => {
    expect(clinicIso('2026-12-07', 9 * 60 + 30, MSK)).toBe('2026-12-07T09:30:00+03:00');
    expect(clinicInstant('2026-12-07', 570, MSK)).toBe(Date.parse('2026-12-07T06:30:00Z'));
    // A zone with daylight saving: Berlin in July is +02:00, in December +01:00.
    expect(clinicIso('2026-07-01', 600, 'Europe/Berlin')).toBe('2026-07-01T10:00:00+02:00');
    expect(clinicIso('2026-12-01', 600, 'Europe/Berlin')).toBe('2026-12-01T10:00:00+01:00');
  });

  it('adds calendar days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('reads a visit back the Russian way, naming tomorrow, with «во вторник»', () => {
    const now = Date.parse('2026-12-05T10:00:00+03:00'); // a Saturday
    expect(spokenVisitTime('2026-12-06T09:30:00+03:00', now, MSK)).toBe('завтра, в воскресенье, 6 декабря, в 9:30');
    expect(spokenVisitTime('2026-12-08T14:05:00+03:00', now, MSK)).toBe('во вторник, 8 декабря, в 14:05');
    expect(spokenVisitTime('2026-12-05T18:00:00+03:00', now, MSK, 'en')).toBe('today, Saturday 5 December, at 18:00');
  });

  it('knows the calling window on the clinic clock', () => {
    const window = { from: '09:00', to: '21:00' };
    expect(withinWindow(Date.parse('2026-12-05T08:59:00+03:00'), window, MSK)).toBe(false);
    expect(withinWindow(Date.parse('2026-12-05T09:00:00+03:00'), window, MSK)).toBe(true);
    expect(withinWindow(Date.parse('2026-12-05T20:59:00+03:00'), window, MSK)).toBe(true);
    expect(withinWindow(Date.parse('2026-12-05T21:00:00+03:00'), window, MSK)).toBe(false);
  });
});
