import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmiParser, type AmiMessage } from './ami-parser';
import { readTranscript, serverBytes } from './test-transcripts';

const flat = (messages: AmiMessage[]) => messages.map((m) => m.headers.map(([k, v]) => `${k}=${v}`).join('|'));

describe('AmiParser', () => {
  it('reads the banner and the messages of a real session (transcript 01)', () => {
    const parser = new AmiParser();
    const messages = parser.feed(serverBytes(readTranscript('01-login-queuestatus-idle.txt')[0]!));
    expect(parser.banner).toBe('Asterisk Call Manager/11.0.0');
    expect(messages[0]!.response).toBe('Success');
    expect(messages[0]!.get('message')).toBe('Authentication accepted');
    const members = messages.filter((m) => m.event === 'QueueMember');
    expect(members.map((m) => m.get('Name'))).toEqual(['Agent 1001', 'Agent 1002', 'Agent 1001']);
    expect(members[0]!.get('PausedReason')).toBe('');
    expect(messages.at(-1)!.response).toBe('Goodbye');
    expect(parser.stats).toMatchObject({ garbageLines: 0, oversizedLines: 0, droppedMessages: 0 });
  });

  it('gives the same messages whatever the cut, inside UTF-8 characters too (transcript 04)', () => {
    const bytes = serverBytes(readTranscript('04-login-failure-pause-reasons-astdb.txt')[1]!);
    const whole = flat(new AmiParser().feed(bytes));
    expect(whole.some((m) => m.includes('PausedReason=Обед'))).toBe(true);
    // every single-byte cut
    const byByte = new AmiParser();
    const oneByOne: AmiMessage[] = [];
    for (let i = 0; i < bytes.length; i++) oneByOne.push(...byByte.feed(bytes.subarray(i, i + 1)));
    expect(flat(oneByOne)).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
        const parser = new AmiParser();
        const out: AmiMessage[] = [];
        let start = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          out.push(...parser.feed(bytes.subarray(start, cut)));
          start = cut;
        }
        out.push(...parser.feed(bytes.subarray(start)));
        expect(flat(out)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('takes LF as well as CRLF, repeated keys, ": " inside values, empty values, any key case', () => {
    const parser = new AmiParser();
    const [m] = parser.feed('Event: Newchannel\nChanVariable: A=1\nchanvariable: B=2\nRequestType: Action: Foo\nAccountCode: \nX:y\n\n');
    expect(m!.getAll('ChanVariable')).toEqual(['A=1', 'B=2']);
    expect(m!.get('CHANVARIABLE')).toBe('A=1');
    expect(m!.get('requesttype')).toBe('Action: Foo');
    expect(m!.get('AccountCode')).toBe('');
    expect(m!.get('X')).toBe('y');
    expect(m!.get('Missing')).toBeUndefined();
  });

  it('skips and counts garbage lines; blank lines between messages are nothing', () => {
    const parser = new AmiParser();
    const out = parser.feed('\r\n\r\nEvent: A\r\nno colon here\r\n: empty key\r\nK: v\r\n\r\n\r\n');
    expect(out).toHaveLength(1);
    expect(out[0]!.headers).toEqual([
      ['Event', 'A'],
      ['K', 'v'],
    ]);
    expect(parser.stats.garbageLines).toBe(2);
  });

  it('drops a line without terminator past 8 KiB, keeps memory bounded, resynchronises', () => {
    const parser = new AmiParser();
    expect(parser.feed('Event: Big\r\nValue: ')).toEqual([]);
    for (let i = 0; i < 100; i++) expect(parser.feed('x'.repeat(10_000))).toEqual([]);
    expect(parser.stats.oversizedLines).toBe(1);
    const out = parser.feed('\r\nMore: 1\r\n\r\nEvent: Next\r\n\r\n');
    expect(out.map((m) => m.event)).toEqual(['Next']);
    expect(parser.stats.droppedMessages).toBe(1);
  });

  it('drops a message over 64 KiB and reads the next one', () => {
    const parser = new AmiParser();
    const lines = Array.from({ length: 2_000 }, (_, i) => `Header${i}: ${'v'.repeat(40)}\r\n`).join('');
    const out = parser.feed(`Event: Huge\r\n${lines}\r\nEvent: Small\r\n\r\n`);
    expect(out.map((m) => m.event)).toEqual(['Small']);
    expect(parser.stats.droppedMessages).toBe(1);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
        const parser = new AmiParser({ maxLineBytes: 256, maxMessageBytes: 1024 });
        for (const chunk of chunks) for (const m of parser.feed(chunk)) expect(m.headers.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
