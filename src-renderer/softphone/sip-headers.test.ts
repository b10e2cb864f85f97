import { describe, expect, it } from 'vitest';
import { parseAnswerAfter, parseAssertedIdentity, splitHeaderList } from './sip-headers';

describe('parseAnswerAfter (Call-Info answer-after, intercom)', () => {
  it('reads the parameter after the URI', () => {
    expect(parseAnswerAfter(['<sip:pbx.clinic.test>;answer-after=0'])).toBe(0);
    expect(parseAnswerAfter(['<http://pbx/icon.png>;purpose=icon;Answer-After=5'])).toBe(5);
    expect(parseAnswerAfter(['<sip:pbx>;answer-after="3"'])).toBe(3);
    expect(parseAnswerAfter([';answer-after=2'])).toBe(2);
  });

  it('clamps to 0..60', () => {
    expect(parseAnswerAfter(['<sip:pbx>;answer-after=600'])).toBe(60);
    expect(parseAnswerAfter(['<sip:pbx>;answer-after=60'])).toBe(60);
  });

  it('treats garbage as absent', () => {
    for (const garbage of [
      '<sip:pbx>;answer-after=abc',
      '<sip:pbx>;answer-after=-1',
      '<sip:pbx>;answer-after=',
      '<sip:pbx>;answer-after=1.5',
      '<sip:pbx>;answer-after',
      '<sip:pbx;answer-after=3>',
      '<<<;;;===>>>',
      '',
      '<sip:pbx>;purpose=info',
      '<sip:pbx>;answer-after=99999999999',
    ]) {
      expect(parseAnswerAfter([garbage]), garbage).toBeNull();
    }
    expect(parseAnswerAfter([])).toBeNull();
  });

  it('takes the first valid entry across several headers and comma lists', () => {
    expect(parseAnswerAfter(['<http://pbx/a.png>;purpose=icon', '<sip:pbx>;answer-after=abc', '<sip:pbx>;answer-after=7'])).toBe(7);
    expect(parseAnswerAfter(['<http://pbx/a,b.png>;purpose=icon, <sip:pbx>;answer-after=4'])).toBe(4);
  });
});

describe('parseAssertedIdentity (P-Asserted-Identity, RFC 3325 §9.1)', () => {
  it('reads sip and tel identities with display names', () => {
    expect(parseAssertedIdentity(['"Регистратура, вход" <sip:+79001112233@pbx.clinic.test>'])).toEqual({
      number: '+79001112233',
      displayName: 'Регистратура, вход',
    });
    expect(parseAssertedIdentity(['<tel:+79001112233;phone-context=+7>'])).toEqual({ number: '+79001112233', displayName: '' });
    expect(parseAssertedIdentity(['sip:205@pbx.clinic.test;user=phone'])).toEqual({ number: '205', displayName: '' });
    expect(parseAssertedIdentity(['<sip:%2B7900@pbx>'])).toMatchObject({ number: '+7900' });
  });

  it('takes the first usable identity from a comma list or several headers', () => {
    expect(parseAssertedIdentity(['<sip:pbx.clinic.test>, <tel:+74950000000>'])).toMatchObject({ number: '+74950000000' });
    expect(parseAssertedIdentity(['<http://not-a-sip-uri>', '<sip:301@pbx>'])).toMatchObject({ number: '301' });
  });

  it('sanitises and gives up on garbage', () => {
    expect(parseAssertedIdentity(['"\u202eevil\u202c" <sip:1<2>3@pbx>'])).toBeNull();
    expect(parseAssertedIdentity(['"\u202eNurse\u202c" <sip:77@pbx>'])).toEqual({ number: '77', displayName: 'Nurse' });
    for (const garbage of ['garbage', '<>', '<sip:@pbx>', '"unterminated <sip:1@x>', '']) {
      expect(parseAssertedIdentity([garbage]), garbage).toBeNull();
    }
    expect(parseAssertedIdentity([])).toBeNull();
  });

  it('splitHeaderList keeps commas inside quotes and brackets', () => {
    expect(splitHeaderList('"a, b" <sip:1@x>, <sip:2@y;p=a,b>')).toEqual(['"a, b" <sip:1@x>', '<sip:2@y;p=a,b>']);
  });
});
