import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDialString } from './dial-string';
import { dialLinkArgument, MAX_DIAL_LINK_LENGTH, parseDialLink, type DialLinkProblem } from './dial-link';

/** fast-check prints the seed of a failure; this also says how to replay it (vitest.setup.ts reads FC_SEED). */
function withSeedHint<T>(what: string, params: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    ...params,
    reporter: (details) => {
      if (!details.failed) return;
      console.warn(`${what}: replay with FC_SEED=${details.seed} npm test -- src-shared/phone/dial-link.test.ts`);
      throw new Error(fc.defaultReportMessage(details));
    },
  };
}

describe('parseDialLink', () => {
  it.each([
    ['tel:+7-916-123-45-67', 'tel', '+79161234567'],
    ['tel:+7(916)123.45.67', 'tel', '+79161234567'],
    ['TEL:+79161234567', 'tel', '+79161234567'],
    ['tel://+79161234567', 'tel', '+79161234567'],
    ['tel:84951234567;phone-context=+7495', 'tel', '84951234567'],
    ['tel:1234;phone-context=example.com', 'tel', '1234'],
    ['tel:+7-916-123-45-67;ext=101', 'tel', '+79161234567'],
    ['tel:%2B7%20916%20123-45-67', 'tel', '+79161234567'],
    ['tel:*72#', 'tel', '*72#'],
    ['  tel:101  ', 'tel', '101'],
    ['sip:1001@pbx.example', 'sip', '1001'],
    ['sip:1001@pbx.example:5060;transport=udp', 'sip', '1001'],
    ['sip:1001@192.0.2.10', 'sip', '1001'],
    ['sip:1001@[2001:db8::1]:5061', 'sip', '1001'],
    ['sips:+79161234567@pbx.example;transport=tls', 'sips', '+79161234567'],
    ['SIP:%2B79161234567@pbx.example', 'sip', '+79161234567'],
    ['sip:+79161234567;phone-context=+7@pbx.example;user=phone', 'sip', '+79161234567'],
    ['sip:1001@pbx.example?subject=hi', 'sip', '1001'],
    ['sip:1001', 'sip', '1001'],
  ])('%s → %s %s', (link, scheme, number) => {
    expect(parseDialLink(link)).toEqual({ ok: true, scheme, number });
  });

  it.each<[unknown, DialLinkProblem]>([
    [undefined, 'notALink'],
    [42, 'notALink'],
    ['', 'notALink'],
    ['+79161234567', 'notALink'],
    ['javascript:alert(1)', 'notALink'],
    ['https://evil.example/?tel:+7916', 'notALink'],
    ['callto:+79161234567', 'notALink'],
    [`tel:${'1'.repeat(MAX_DIAL_LINK_LENGTH)}`, 'tooLong'],
    ['tel:+7916%G1', 'badEncoding'],
    ['tel:+7916%', 'badEncoding'],
    ['tel:%C0%AF', 'badEncoding'],
    ['tel:+7916%00123', 'badCharacters'],
    ['tel:+7916%0A123', 'badCharacters'],
    ['tel:+7916\u202e321', 'badCharacters'],
    ['tel:+7916\u0000', 'badCharacters'],
    ['sip:1001@pbx.example\r\nINVITE', 'badCharacters'],
    ['tel:', 'empty'],
    ['tel:;phone-context=+7', 'empty'],
    ['sip:@pbx.example', 'empty'],
    ['tel:+7916abc', 'letters'],
    ['tel:tel:+79161234567', 'letters'],
    ['tel:%2525', 'letters'],
    ['sip:alice@pbx.example', 'letters'],
    ['sip:1001%40evil.example@pbx.example', 'letters'],
    ['tel:<script>', 'letters'],
    [`tel:+${'1'.repeat(33)}`, 'tooLong'],
    ['tel:+7+916', 'invalid'],
    ['sip:1001:secret@pbx.example', 'invalid'],
    ['sip:1001@', 'invalid'],
    ['sip:1001@evil example', 'invalid'],
    ['sip:1001@pbx.example/../x', 'invalid'],
  ])('refuses %j: %s', (link, problem) => {
    expect(parseDialLink(link)).toEqual({ ok: false, problem });
  });

  it('never throws, and whatever it accepts is a dial string the phone takes unchanged (property)', () => {
    const pieces = fc.constantFrom('tel:', 'sip:', 'sips:', 'TEL:', '//', '+', '7', '9', '0', '*', '#', '-', '(', ')', '.', ' ', ';', '@', ':', '?', '=', '%', '%2B', '%00', '%25', 'a', 'pbx.example', 'phone-context', '\u202e', '\n', 'й');
    const hostile = fc.oneof(fc.string({ maxLength: 80 }), fc.array(pieces, { maxLength: 24 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(hostile, (link) => {
        const result = parseDialLink(link);
        if (!result.ok) return;
        expect(result.number).toMatch(/^\+?[0-9*#]{1,32}$/);
        expect(checkDialString(result.number)).toEqual({ ok: true, number: result.number });
      }),
      withSeedHint('dial link totality', { numRuns: 2000 }),
    );
  });

  it('reads back every dialable number however a link writes it (property)', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 1, maxLength: 15 });
    const separators = fc.array(fc.constantFrom('', '-', '.', '(', ')'), { minLength: 16, maxLength: 16 });
    fc.assert(
      fc.property(fc.boolean(), digits, separators, fc.constantFrom('tel', 'sip', 'sips'), fc.boolean(), (plus, number, seps, scheme, encode) => {
        const written = (plus ? '+' : '') + [...number].map((digit, index) => digit + seps[index]).join('');
        const user = encode ? encodeURIComponent(written) : written;
        const link = scheme === 'tel' ? `${scheme}:${user};phone-context=+7` : `${scheme}:${user}@pbx.example;transport=tls`;
        expect(parseDialLink(link)).toEqual({ ok: true, scheme, number: (plus ? '+' : '') + number });
      }),
      withSeedHint('dial link round trip', { numRuns: 1000 }),
    );
  });
});

describe('dialLinkArgument', () => {
  it('finds the link among Electron’s, Chromium’s and our own arguments', () => {
    expect(dialLinkArgument(['C:\\Registratura\\Registratura.exe', '--allow-file-access-from-files', '--config', 'C:\\desk.json', 'tel:+79161234567'])).toBe('tel:+79161234567');
    expect(dialLinkArgument(['/opt/registratura/registratura', '--no-sandbox', 'SIP:1001@pbx.example'])).toBe('SIP:1001@pbx.example');
  });

  it('is null without one', () => {
    expect(dialLinkArgument(['electron', '.', '--data-dir', '/tmp/tel:x'])).toBeNull();
    expect(dialLinkArgument([])).toBeNull();
  });
});
