import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { parseAnswerAfter, parseCaller } from './sip-headers';
import { WARM_UP_INVITE, WARM_UP_RESPONSES } from './sip-warm-up-messages';

// The warm-up only warms what a real first call runs if SIP.js parses these messages as it parses
// real ones (a message it refused would warm its error path instead).

const logger = new Core.LoggerFactory().getLogger('sip.warm-up-test');

describe('the warm-up messages', () => {
  it('the INVITE parses as a proxy-relayed incoming call, and the desk reads its caller from it', () => {
    const message = Core.Parser.parseMessage(WARM_UP_INVITE, logger);
    expect(message).toBeInstanceOf(Core.IncomingRequestMessage);
    const invite = message as Core.IncomingRequestMessage;
    expect(invite.method).toBe('INVITE');
    expect(invite.getHeaders('record-route')).toHaveLength(2);
    expect(invite.parseHeader('contact')).toBeTruthy();
    expect(invite.from.uri.user).toBe('2001');
    expect(invite.body).toContain('m=audio');
    expect(parseCaller(invite.getHeader('From'), invite.getHeaders('P-Asserted-Identity'))).toEqual({ number: '+70000000000', displayName: 'Warm-up Caller' });
    expect(parseAnswerAfter(invite.getHeaders('Call-Info'))).toBe(0);
  });

  it('the responses parse in the order an authenticating proxy sends them, the challenge and the SDP answer included', () => {
    const responses = WARM_UP_RESPONSES.map((text) => Core.Parser.parseMessage(text, logger) as Core.IncomingResponseMessage);
    expect(responses.map((r) => r.statusCode)).toEqual([100, 407, 180, 200]);
    expect(responses[1]!.parseHeader('proxy-authenticate')).toMatchObject({ realm: 'warm-up.invalid', qop: ['auth'] });
    expect(responses[2]!.getHeaders('record-route')).toHaveLength(2);
    expect(responses[3]!.body).toContain('a=rtpmap:111 opus/48000/2');
    for (const response of responses) expect(response.cseq).toBeGreaterThan(0);
  });
});
