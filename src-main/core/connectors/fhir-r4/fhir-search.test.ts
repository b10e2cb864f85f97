import { describe, expect, it } from 'vitest';
import { isMisError } from '../mis/mis-connector';
import { alreadyDelivered, decodePatientsCursor, decodeStreamCursor, emptyScan, encodePatientsCursor, encodeStreamCursor, finishScan, noteDelivered } from './fhir-cursor';
import { escapeSearchValue, nameParam, parsePatientQuery, phoneForms, punctuatedPhoneForms, snilsForms, tokenParam } from './fhir-search';

describe('phone forms', () => {
  it('asks the canonical forms of a Russian number, whatever form it arrived in', () => {
    const expected = ['+79161234567', '79161234567', '89161234567', '9161234567'];
    for (const raw of ['+79161234567', '89161234567', '8 (916) 123-45-67', '9161234567', '+7 916 123 45 67']) expect(phoneForms(raw), raw).toEqual(expected);
  });

  it('another country: E.164 with and without +; garbage: nothing', () => {
    expect(phoneForms('+375291234567')).toEqual(['+375291234567', '375291234567']);
    expect(phoneForms('123')).toEqual([]);
    expect(phoneForms('x'.repeat(100))).toEqual([]);
  });

  it('the punctuated forms registrars type, for a second try', () => {
    const forms = punctuatedPhoneForms('+79161234567');
    expect(forms).toContain('+7 (916) 123-45-67');
    expect(forms).toContain('8 (916) 123-45-67');
    expect(forms).toContain('8-916-123-45-67');
    expect(new Set(forms).size).toBe(forms.length);
    expect(punctuatedPhoneForms('+375291234567')).toEqual([]);
  });
});

describe('search values', () => {
  it('escapes FHIR search separators so a value is never an OR list or a system', () => {
    expect(escapeSearchValue('a,b|c$d\\e')).toBe('a\\,b\\|c\\$d\\\\e');
    expect(tokenParam('urn:registratura:outbox', 'wrapup-1,2')).toBe('urn:registratura:outbox|wrapup-1\\,2');
  });

  it('a name word is asked with its ё folded as well', () => {
    expect(nameParam('Семёнова')).toBe('Семёнова,Семенова');
    expect(nameParam('Иванов')).toBe('Иванов');
  });

  it('reads a query as a birth date, an ОМС policy, a СНИЛС or name words', () => {
    expect(parsePatientQuery('12.03.1985')).toEqual({ names: [], birthDate: '1985-03-12', identifier: null });
    expect(parsePatientQuery('1985-03-12')).toEqual({ names: [], birthDate: '1985-03-12', identifier: null });
    expect(parsePatientQuery('Семёнова 12.03.1985')).toEqual({ names: ['Семёнова'], birthDate: '1985-03-12', identifier: null });
    expect(parsePatientQuery('7799 0000 1111 2222')).toEqual({ names: [], birthDate: null, identifier: { kind: 'oms', digits: '7799000011112222' } });
    expect(parsePatientQuery('112-233-445 95')).toEqual({ names: [], birthDate: null, identifier: { kind: 'snils', digits: '11223344595' } });
    expect(parsePatientQuery('11223344595')).toEqual({ names: [], birthDate: null, identifier: { kind: 'snils', digits: '11223344595' } });
    expect(parsePatientQuery('  Римская-Корсакова   Анна ')).toEqual({ names: ['Римская-Корсакова', 'Анна'], birthDate: null, identifier: null });
    expect(parsePatientQuery('31.02.1985')).toBeNull();
    expect(parsePatientQuery('12345')).toBeNull();
    expect(parsePatientQuery('   ')).toBeNull();
    expect(snilsForms('11223344595')).toEqual(['11223344595', '112-233-445 95']);
  });
});

describe('cursors', () => {
  it('round-trips and refuses what it did not issue as rejected', () => {
    const scan = { ...emptyScan(), from: '2026-12-01T10:00:00.000+03:00', fromSeen: ['1'], next: 'http://h/fhir?_getpages=x' };
    expect(decodePatientsCursor(encodePatientsCursor(scan))).toEqual(scan);
    const stream = { ...emptyScan(), stream: 'slots' as const, today: '2026-12-06', horizonDays: 14 };
    expect(decodeStreamCursor(encodeStreamCursor(stream))).toEqual(stream);
    for (const bad of ['not-a-cursor', 'fhir1:!!!', `fhir1:${Buffer.from('{"f":1}').toString('base64url')}`, encodeStreamCursor(stream)]) {
      let error: unknown = null;
      try {
        decodePatientsCursor(bad);
      } catch (e) {
        error = e;
      }
      expect(isMisError(error) && error.kind === 'rejected', bad).toBe(true);
    }
  });

  it('a tie at the newest instant is remembered, so the next scan (ge) skips what it delivered and keeps what is new', () => {
    const scan = emptyScan();
    noteDelivered(scan, 'a', '2026-12-01T10:00:00.000+03:00');
    noteDelivered(scan, 'b', '2026-12-01T10:00:05.000+03:00');
    noteDelivered(scan, 'c', '2026-12-01T07:00:05.000Z'); // the same instant as b, written in UTC
    const next = finishScan(scan);
    expect(next.from).toBe('2026-12-01T10:00:05.000+03:00');
    expect(next.fromSeen).toEqual(['b', 'c']);
    expect(alreadyDelivered(next, 'b', '2026-12-01T10:00:05.000+03:00')).toBe(true);
    expect(alreadyDelivered(next, 'c', '2026-12-01T10:00:05.000+03:00')).toBe(true);
    expect(alreadyDelivered(next, 'd', '2026-12-01T10:00:05.000+03:00')).toBe(false);
    expect(alreadyDelivered(next, 'b', '2026-12-01T10:00:06.000+03:00')).toBe(false);
    // Older than the scan's start: a server that ignored _lastUpdated sent it again.
    expect(alreadyDelivered(next, 'a', '2026-12-01T10:00:00.000+03:00')).toBe(true);
  });

  it('a scan that delivered nothing new keeps its start', () => {
    const scan = { ...emptyScan(), from: '2026-12-01T10:00:05.000+03:00', fromSeen: ['b'] };
    expect(finishScan(scan)).toMatchObject({ from: '2026-12-01T10:00:05.000+03:00', fromSeen: ['b'], next: null });
    noteDelivered(scan, 'd', '2026-12-01T10:00:05.000+03:00');
    expect(finishScan(scan).fromSeen).toEqual(['b', 'd']);
  });
});
