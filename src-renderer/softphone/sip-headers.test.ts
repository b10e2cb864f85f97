import { describe, expect, it } from 'vitest';
import { parseAnswerAfter, parseAssertedIdentity, parseCaller, splitHeaderList } from './sip-headers';

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

describe('parseCaller (P-Asserted-Identity first, else From)', () => {
  it.each([
    ['PAI wins over From', '"Очередь" <sip:queue-7@pbx.test>;tag=1', ['<tel:+79161234567>'], { number: '+79161234567', displayName: 'Очередь' }],
    ['From when there is no PAI', '"Иванова" <sip:89161234567@trunk.test>;tag=1', [], { number: '89161234567', displayName: 'Иванова' }],
    ['From when the PAI is unusable', '<sip:+79161234567@trunk.test;user=phone>;tag=1', ['<http://x.test/>'], { number: '+79161234567', displayName: '' }],
    ['display name from the PAI when From has none', '<sip:anonymous@anonymous.invalid>;tag=1', ['"Регистратура" <sip:+79161234567@pbx.test>'], { number: '+79161234567', displayName: 'Регистратура' }],
    // A tel: From as the wire guard hands it to SIP.js (RFC 3261 §19.1.6): the telephone-subscriber is the number.
    ['a tel: From in its SIP form, with phone-context', '<sip:89161234567;phone-context=+7@from.caller-id.invalid;user=phone>;tag=1', [], { number: '89161234567', displayName: '' }],
    ['a tel: From with separators in its SIP form', '<sip:+7-916-123-45-67@from.caller-id.invalid;user=phone>;tag=1', [], { number: '+7-916-123-45-67', displayName: '' }],
    ['an escaped # survives', '<sip:*100%23;phone-context=+7@from.caller-id.invalid;user=phone>;tag=1', [], { number: '*100#', displayName: '' }],
    ['"<" inside a quoted display name', '"<img src=x> \\"Мама\\"" <sip:+79161234567@trunk.test>;tag=1', [], { number: '+79161234567', displayName: '<img src=x> "Мама"' }],
    // Malformed (the stack refuses such an INVITE with 400 anyway): not an identity to trust.
    ['a stray quote in an unquoted name', 'Ivan "Terrible <sip:+79161234567@trunk.test>;tag=1', [], { number: '', displayName: '' }],
    ['nothing usable', undefined, [], { number: '', displayName: '' }],
  ] as const)('%s', (_label, from, pai, expected) => {
    expect(parseCaller(from, pai)).toEqual(expected);
  });
});
