import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PbxSnapshotSchema } from '../../../../src-shared/pbx/pbx-model';
import type { PbxEvent } from '../pbx/pbx-connector';
import { AMI_EVENT_WHITELIST, AmiSwitchboard, findSpy, spyerExtension } from './ami-mapper';
import { ExtensionResolver } from './ami-interfaces';
import { AmiMessage, AmiParser } from './ami-parser';
import { readTranscript, serverBytes } from './test-transcripts';
import { REPLAY_OPTIONS, Replay, replaySplit } from './test-replay';

const T02 = serverBytes(readTranscript('02-queue-call-abandoned.txt')[0]!);
const T03 = serverBytes(readTranscript('03-queue-call-answered-chanspy.txt')[0]!);
const T04 = serverBytes(readTranscript('04-login-failure-pause-reasons-astdb.txt')[1]!);
const T04B = serverBytes(readTranscript('04b-userevent-second-session.txt')[0]!);
const T05 = serverBytes(readTranscript('05-ring-no-answer-originate-chanspy-redirect.txt')[0]!);
const ALL = { T02, T03, T04, T04B, T05 };

function replay(bytes: Buffer): Replay {
  const r = new Replay();
  r.feed(bytes);
  return r;
}

const ofType = <T extends PbxEvent['type']>(events: PbxEvent[], type: T) => events.filter((e): e is Extract<PbxEvent, { type: T }> => e.type === type);

/** fast-check prints the seed of a failure; this also says how to replay it (vitest.setup.ts reads FC_SEED). */
function withSeedHint<T>(what: string, params: fc.Parameters<T>): fc.Parameters<T> {
  return {
    ...params,
    reporter: (details) => {
      if (!details.failed) return;
      console.warn(`${what}: replay with FC_SEED=${details.seed} npx vitest run src-main/core/connectors/asterisk-ami/ami-mapper.test.ts`);
      throw new Error(fc.defaultReportMessage(details));
    },
  };
}

function encode(headers: readonly (readonly [string, string])[]): string {
  return headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

describe('AmiSwitchboard on the real captures', () => {
  it('02: one queue.joined, then one queue.abandoned for 2001 after 9 s; the call ends unanswered', () => {
    const r = replay(T02);
    const queueEvents = r.events.filter((e) => e.type === 'queue.joined' || e.type === 'queue.abandoned');
    expect(queueEvents).toEqual([
      { type: 'queue.joined', at: expect.any(Number), callId: 'refpbx-1795463928.0', number: '2001', queue: 'reception', position: 1 },
      { type: 'queue.abandoned', at: expect.any(Number), callId: 'refpbx-1795463928.0', number: '2001', queue: 'reception', position: 1, waitSec: 9 },
    ]);
    expect(ofType(r.events, 'queue.left')).toMatchObject([{ reason: 'abandoned', number: '2001' }]);
    expect(ofType(r.events, 'call.ended')).toMatchObject([{ callId: 'refpbx-1795463928.0', extension: null, answered: false, talkSec: null }]);
    const snap = PbxSnapshotSchema.parse(r.board.snapshot(1_796_489_600_000));
    expect(snap.callers).toEqual([]);
    expect(snap.counters).toEqual([
      { queue: 'reception', offered: 1, answered: 0, abandoned: 1, answeredWithinSla: 0, waitSecTotal: 0, longestWaitSec: 9, talks: 0, talkSecTotal: 0 },
    ]);
  });

  it('03: 2002 rings, answers (queue.left answered before AgentConnect), the call ends after 13 s of talk', () => {
    const r = replay(T03);
    const calls = r.events.filter((e) => e.type.startsWith('call.') || e.type === 'queue.left');
    expect(calls).toEqual([
      { type: 'call.ringing', at: expect.any(Number), callId: '1795463971.0', number: '2001', extension: '2002', queue: 'reception' },
      { type: 'queue.left', at: expect.any(Number), callId: '1795463971.0', number: '2001', queue: 'reception', reason: 'answered' },
      { type: 'call.answered', at: expect.any(Number), callId: '1795463971.0', number: '2001', extension: '2002', queue: 'reception', waitSec: 0 },
      { type: 'call.ended', at: expect.any(Number), callId: '1795463971.0', number: '2001', extension: '2002', queue: 'reception', answered: true, talkSec: 13 },
    ]);
    const states = ofType(r.events, 'agent.status').filter((e) => e.extension === '2002').map((e) => e.state);
    expect(states).toEqual(['ready', 'ringing', 'talking', 'ready', 'offline']);
    const snap = PbxSnapshotSchema.parse(r.board.snapshot(1_796_489_600_000));
    expect(snap.counters[0]).toMatchObject({ offered: 1, answered: 1, answeredWithinSla: 1, talks: 1, talkSecTotal: 13, abandoned: 0 });
    expect(snap.agents).toEqual([]); // 2002 left the queue (QueueRemove)
  });

  it('05: one agent.ringNoAnswer of 15000 ms for 1001; 1002 answers after 22 s; the redirect rings 1001 directly', () => {
    const r = replay(T05);
    expect(ofType(r.events, 'agent.ringNoAnswer')).toEqual([
      { type: 'agent.ringNoAnswer', at: expect.any(Number), extension: '1001', callId: '1796489613.0', number: '2001', queue: 'reception', ringMs: 15000 },
    ]);
    expect(ofType(r.events, 'call.answered')).toEqual([
      { type: 'call.answered', at: expect.any(Number), callId: '1796489613.0', number: '2001', extension: '1002', queue: 'reception', waitSec: 22 },
      { type: 'call.answered', at: expect.any(Number), callId: '1796489613.0', number: '2001', extension: '1001', queue: null, waitSec: null },
    ]);
    expect(ofType(r.events, 'call.ringing').map((e) => [e.extension, e.queue])).toEqual([
      ['1001', 'reception'],
      ['1002', 'reception'],
      ['1001', 'reception'],
      ['1001', null],
    ]);
    expect(ofType(r.events, 'call.ended').map((e) => [e.extension, e.answered, e.queue])).toEqual([
      ['1002', true, 'reception'],
      ['1001', true, null],
    ]);
    expect(ofType(r.events, 'call.ended')[0]!.talkSec).toBe(19);
    expect(ofType(r.events, 'queue.left')).toMatchObject([{ reason: 'answered' }]);
    expect(ofType(r.events, 'call.missed')).toEqual([]); // queue legs are not direct calls
    const snap = PbxSnapshotSchema.parse(r.board.snapshot(1_796_489_600_000));
    expect(snap.agents.map((a) => [a.extension, a.state, a.call])).toEqual([
      ['1001', 'ready', null],
      ['1002', 'ready', null],
    ]);
    expect(snap.counters[0]).toMatchObject({ offered: 1, answered: 1, answeredWithinSla: 0, waitSecTotal: 22, longestWaitSec: 22, talks: 1, talkSecTotal: 19 });
  });

  it('03: the supervisor\'s Local spy (SpyerCallerIDNum 9000) on 2002 is monitor.started on the call id the board knows, then monitor.stopped', () => {
    const r = replay(T03);
    const monitor = r.events.filter((e) => e.type.startsWith('monitor.'));
    expect(monitor).toEqual([
      { type: 'monitor.started', at: expect.any(Number), supervisorExtension: '9000', extension: '2002', callId: '1795463971.0' },
      { type: 'monitor.stopped', at: expect.any(Number), supervisorExtension: '9000', extension: '2002' },
    ]);
    // The same id the board gave 2002's call.
    expect(ofType(r.events, 'call.answered')[0]!.callId).toBe('1795463971.0');
    expect(r.board.stats.malformed).toBe(0);
  });

  it('05: whisper from PJSIP/9000 then barge through Local/*2241002: started and stopped twice, each on 1002\'s call', () => {
    const r = replay(T05);
    expect(r.events.filter((e) => e.type.startsWith('monitor.')).map((e) => [e.type, 'supervisorExtension' in e ? e.supervisorExtension : '', 'extension' in e ? e.extension : '', 'callId' in e ? e.callId : '-'])).toEqual([
      ['monitor.started', '9000', '1002', '1796489613.0'],
      ['monitor.stopped', '9000', '1002', '-'],
      ['monitor.started', '9000', '1002', '1796489613.0'],
      ['monitor.stopped', '9000', '1002', '-'],
    ]);
    // The monitor events come while 1002 talks, between its call.answered and call.ended.
    const order = r.events.filter((e) => e.type.startsWith('monitor.') || (e.type.startsWith('call.') && 'extension' in e && e.extension === '1002')).map((e) => e.type);
    expect(order.indexOf('monitor.started')).toBeGreaterThan(order.indexOf('call.answered'));
    expect(r.board.stats.malformed).toBe(0);
  });

  it('drops (and counts) a ChanSpy event it cannot read; a stop without Spyee fields is the known spy\'s; a spyer hung up without ChanSpyStop stops it', () => {
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    const spy = (event: 'ChanSpyStart' | 'ChanSpyStop', fields: Record<string, string>) => board.handle(AmiMessage.of({ Event: event, ...fields }), 1_000);
    const start = { SpyerChannel: 'PJSIP/9000-00000004', SpyerCallerIDNum: '9000', SpyerUniqueid: '1.4', SpyeeChannel: 'PJSIP/1002-00000002', SpyeeLinkedid: '1.0' };
    let malformed = board.stats.malformed;
    const dropped = (events: PbxEvent[]) => {
      expect(events).toEqual([]);
      expect(board.stats.malformed).toBe(++malformed);
    };
    dropped(spy('ChanSpyStart', { ...start, SpyeeChannel: '' }));
    dropped(spy('ChanSpyStart', { ...start, SpyeeChannel: 'Local/garbage;2' }));
    dropped(spy('ChanSpyStart', { ...start, SpyerChannel: '', SpyerUniqueid: '' }));
    // A Local spyer is known by its caller number only; `<unknown>` names nobody.
    dropped(spy('ChanSpyStart', { ...start, SpyerChannel: 'Local/*2221002@internal-00000001;2', SpyerCallerIDNum: '<unknown>' }));
    dropped(spy('ChanSpyStop', { SpyerChannel: 'PJSIP/9000-00000009', SpyerUniqueid: '9.9' }));
    expect(board.stats.faults).toBe(0);

    // No Linkedid: the call id is null (the board has no call for 1002 either).
    expect(spy('ChanSpyStart', { ...start, SpyeeLinkedid: '' })).toEqual([{ type: 'monitor.started', at: 1_000, supervisorExtension: '9000', extension: '1002', callId: null }]);
    // Asterisk before 22 sends ChanSpyStop with the Spyer only.
    expect(spy('ChanSpyStop', { SpyerChannel: 'PJSIP/9000-00000004', SpyerUniqueid: '1.4' })).toEqual([{ type: 'monitor.stopped', at: 1_000, supervisorExtension: '9000', extension: '1002' }]);
    // The spyer's channel hung up with no ChanSpyStop: stopped once; the Hangup after a stop says nothing more.
    spy('ChanSpyStart', { ...start, SpyerChannel: 'SIP/9001-0000000a', SpyerCallerIDNum: '9001', SpyerUniqueid: '1.5' });
    expect(board.handle(AmiMessage.of({ Event: 'Hangup', Channel: 'SIP/9001-0000000a', Uniqueid: '1.5', Linkedid: '1.5' }), 2_000)).toEqual([
      { type: 'monitor.stopped', at: 2_000, supervisorExtension: '9001', extension: '1002' },
    ]);
    expect(board.handle(AmiMessage.of({ Event: 'Hangup', Channel: 'PJSIP/9000-00000004', Uniqueid: '1.4', Linkedid: '1.4' }), 2_000)).toEqual([]);
    expect(board.stats.malformed).toBe(malformed);
  });

  it('spyerExtension: a device channel by its device, a Local half by its caller number', () => {
    const resolver = new ExtensionResolver(['PJSIP/{extension}', 'Local/{extension}@internal-originate']);
    expect(spyerExtension('PJSIP/9000-00000004', '1234', resolver)).toBe('9000');
    expect(spyerExtension('SIP/9000-00000004', '9000', resolver)).toBe('9000');
    expect(spyerExtension('Local/*2241002@internal-00000000;2', '9000', resolver)).toBe('9000');
    expect(spyerExtension('Local/9000@internal-originate-0000002a;1', '<unknown>', resolver)).toBe('9000');
    expect(spyerExtension('Local/*2241002@internal-00000000;2', 'no such number', resolver)).toBeNull();
    expect(spyerExtension(undefined, '9000', resolver)).toBeNull();
  });

  it('findSpy: in 05\'s channel list the supervisor\'s Local spy runs qB and its phone is PJSIP/9000-00000005; nobody else spies', () => {
    const channels = replay(T05).lists.get('csc-barge')!;
    const resolver = new ExtensionResolver(['PJSIP/{extension}']);
    expect(findSpy(channels, '9000', resolver)).toEqual({ channel: 'Local/*2241002@internal-00000000;2', options: 'qB', hangup: 'PJSIP/9000-00000005' });
    expect(findSpy(channels, '1002', resolver)).toBeNull();
    expect(findSpy(replay(T05).lists.get('csc-xfer')!, '9000', resolver)).toBeNull();
    // A spy the supervisor's own phone runs (the Application path), options with arguments.
    const own = AmiMessage.of({ Event: 'CoreShowChannel', Channel: 'PJSIP/9000-00000004', CallerIDNum: '9000', Application: 'ChanSpy', ApplicationData: 'PJSIP/1002-,qwd(x)E', BridgeId: '' });
    expect(findSpy([own], '9000', resolver)).toEqual({ channel: 'PJSIP/9000-00000004', options: 'qwdE', hangup: 'PJSIP/9000-00000004' });
    // A Local spy whose other half has no phone (transcript 03: the Local;1 runs Wait): the spy itself.
    const lone = AmiMessage.of({ Event: 'CoreShowChannel', Channel: 'Local/*2222002@internal-00000000;2', CallerIDNum: '9000', Application: 'ChanSpy', ApplicationData: 'PJSIP/2002-,q' });
    expect(findSpy([lone], '9000', resolver)).toEqual({ channel: 'Local/*2222002@internal-00000000;2', options: 'q', hangup: 'Local/*2222002@internal-00000000;2' });
  });

  it('04: QueueMemberPause → paused "Обед" (UTF-8), then ready; pause without Queue likewise', () => {
    const r = replay(T04);
    const status = ofType(r.events, 'agent.status');
    expect(status.filter((e) => e.extension === '1001').map((e) => [e.state, e.pauseReason])).toEqual([
      ['paused', 'Обед'],
      ['ready', null],
    ]);
    expect(status.filter((e) => e.extension === '1002').map((e) => [e.state, e.pauseReason])).toEqual([
      ['paused', 'Перерыв 15 мин'],
      ['ready', null],
    ]);
    // QueueStatus list items were routed to their lists, not taken as events
    expect([...r.lists.values()].flat().filter((m) => m.event === 'QueueMember')).toHaveLength(3);
    expect(ofType(r.events, 'shared.changed')).toEqual([]); // RegistraturaCallback is not our record
  });

  it('04b: the other session sees the same pauses; foreign UserEvents are ignored, RegistraturaShared ones are shared.changed', () => {
    const r = replay(T04B);
    expect(ofType(r.events, 'agent.status').map((e) => [e.extension, e.state, e.pauseReason])).toEqual([
      ['1001', 'paused', 'Обед'],
      ['1001', 'ready', null],
      ['1002', 'paused', 'Перерыв 15 мин'],
      ['1002', 'ready', null],
    ]);
    expect(ofType(r.events, 'shared.changed')).toEqual([]);
    // The same UserEvent as the PBX relays ours (transcript 04b: headers verbatim, ActionID included).
    r.feed('Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: RegistraturaShared\r\nKey: cb/79161234567\r\nVal: claimed:1001\r\nActionID: x-7\r\n\r\n');
    r.feed('Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: RegistraturaShared\r\nKey: cb/79161234567\r\nVal: \r\nRemoved: yes\r\n\r\n');
    expect(ofType(r.events, 'shared.changed').map((e) => [e.key, e.value])).toEqual([
      ['cb/79161234567', 'claimed:1001'],
      ['cb/79161234567', null],
    ]);
  });

  it('rebuilds from QueueStatus / CoreShowChannels lists (the resync after a connect)', () => {
    // transcript 02's mid-wait QueueStatus: a waiting caller
    const r02 = replay(T02);
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    board.rebuild({ queueStatus: r02.lists.get('qs-mid')!, queueSummary: r02.lists.get('qsum-mid')! }, 1_000_000);
    const snap = PbxSnapshotSchema.parse(board.snapshot(1_000_000));
    expect(snap.callers).toEqual([{ callId: 'refpbx-1795463928.0', number: '2001', queue: 'reception', position: 1, joinedAt: 1_000_000 - 4_000 }]);
    expect(snap.agents.map((a) => [a.extension, a.name, a.state])).toEqual([
      ['1001', 'Agent 1001', 'offline'],
      ['1002', 'Agent 1002', 'offline'],
    ]);
    // transcript 05's CoreShowChannels: 1002 talks with 2001 from the queue
    const r05 = replay(T05);
    const b5 = new AmiSwitchboard(REPLAY_OPTIONS);
    const r04 = replay(T04);
    b5.rebuild({ queueStatus: r04.lists.get('qs-paused')!, channels: r05.lists.get('csc-barge')! }, 2_000_000);
    const s5 = PbxSnapshotSchema.parse(b5.snapshot(2_000_000));
    expect(s5.agents.find((a) => a.extension === '1002')).toMatchObject({
      state: 'talking',
      call: { callId: '1796489613.0', number: '2001', queue: 'reception', since: 2_000_000 - 10_000 },
    });
    expect(s5.agents.find((a) => a.extension === '1001')).toMatchObject({ state: 'paused', pauseReason: 'Обед', call: null });
  });

  it('takes the PBX totals from QueueParams as the baseline only while it has no counters', () => {
    const params = AmiMessage.of({ Event: 'QueueParams', Queue: 'reception', Calls: '1', Holdtime: '12', TalkTime: '60', Completed: '10', Abandoned: '2', ServicelevelPerf: '80.0' });
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    board.rebuild({ queueStatus: [params] }, 1_000);
    expect(board.snapshot(1_000).counters[0]).toEqual({
      queue: 'reception',
      offered: 13,
      answered: 10,
      abandoned: 2,
      answeredWithinSla: 8,
      waitSecTotal: 120,
      longestWaitSec: 12,
      talks: 10,
      talkSecTotal: 600,
    });
    board.rebuild({ queueStatus: [AmiMessage.of({ Event: 'QueueParams', Queue: 'reception', Completed: '99' })] }, 2_000);
    expect(board.snapshot(2_000).counters[0]!.answered).toBe(10);
  });

  it('cleans hostile caller ids, names and reasons; drops events without a call id', () => {
    const board = new AmiSwitchboard({ ...REPLAY_OPTIONS, queueNames: { reception: 'Регистратура' } });
    const events = board.handle(
      AmiMessage.of({ Event: 'QueueCallerJoin', Queue: 'reception', Linkedid: '17.1', Uniqueid: '17.1', CallerIDNum: '+7 (916)\u0007<script>\u202e123', Position: 'x' }),
      5_000,
    );
    expect(events).toMatchObject([{ type: 'queue.joined', number: '+7916script123', position: 1 }]);
    board.handle(
      AmiMessage.of({ Event: 'QueueMemberPause', Queue: 'reception', Interface: 'PJSIP/1001', MemberName: 'Ann\u0000\u202eie', Status: '1', Paused: '1', PausedReason: `Lunch\r${'x'.repeat(200)}` }),
      5_000,
    );
    expect(board.handle(AmiMessage.of({ Event: 'AgentConnect', Queue: 'reception', Interface: 'PJSIP/1001' }), 5_000)).toEqual([]);
    const snap = PbxSnapshotSchema.parse(board.snapshot(5_000));
    expect(snap.queues).toEqual([{ id: 'reception', name: 'Регистратура' }]);
    expect(snap.agents[0]!.name).toBe('Annie');
    expect(snap.agents[0]!.pauseReason!.length).toBeLessThanOrEqual(80);
    expect(board.stats.malformed).toBeGreaterThan(0);
    expect(board.stats.repaired).toBeGreaterThan(0);
  });

  it('maps direct calls to a member: ringing → answered → ended, busy → rejected, no answer → missed', () => {
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    board.handle(AmiMessage.of({ Event: 'QueueMemberStatus', Queue: 'reception', Interface: 'PJSIP/1001', Status: '1', Paused: '0' }), 0);
    const dial = (id: string, status?: string) =>
      board.handle(
        AmiMessage.of({
          Event: status ? 'DialEnd' : 'DialBegin',
          Channel: 'PJSIP/2001-0000000a',
          CallerIDNum: '2001',
          Uniqueid: `9.${id}`,
          Linkedid: `9.${id}`,
          DestChannel: 'PJSIP/1001-0000000b',
          DestUniqueid: `9.${id}1`,
          DestLinkedid: `9.${id}`,
          ...(status ? { DialStatus: status } : {}),
        }),
        10_000,
      );
    expect(dial('1').map((e) => e.type)).toEqual(['call.ringing', 'agent.status']);
    expect(dial('1', 'ANSWER').map((e) => e.type)).toEqual(['call.answered', 'agent.status']);
    expect(board.handle(AmiMessage.of({ Event: 'Hangup', Uniqueid: '9.11', Linkedid: '9.1' }), 25_000)).toMatchObject([
      { type: 'call.ended', extension: '1001', answered: true, talkSec: 15, queue: null },
      { type: 'agent.status', state: 'ready' },
    ]);
    dial('2');
    expect(dial('2', 'BUSY')).toMatchObject([{ type: 'call.missed', reason: 'rejected' }, { type: 'agent.status' }]);
    dial('3');
    expect(dial('3', 'NOANSWER')).toMatchObject([{ type: 'call.missed', reason: 'missed' }, { type: 'agent.status' }]);
  });

  it('puts an agent in wrap-up after AgentComplete when its Wrapuptime says so, and back to ready on tick', () => {
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    board.handle(AmiMessage.of({ Event: 'QueueMemberStatus', Queue: 'q', Interface: 'PJSIP/7', Status: '1', Paused: '0', Wrapuptime: '5' }), 0);
    board.handle(AmiMessage.of({ Event: 'AgentConnect', Queue: 'q', Interface: 'PJSIP/7', Linkedid: '1.1', CallerIDNum: '5', HoldTime: '3' }), 1_000);
    const done = board.handle(AmiMessage.of({ Event: 'AgentComplete', Queue: 'q', Interface: 'PJSIP/7', Linkedid: '1.1', TalkTime: '9' }), 10_000);
    expect(done).toMatchObject([{ type: 'call.ended', talkSec: 9 }, { type: 'agent.status', state: 'wrap-up' }]);
    expect(board.tick(12_000)).toEqual([]);
    expect(board.tick(15_000)).toMatchObject([{ type: 'agent.status', state: 'ready' }]);
  });

  it('does not read a queue named __proto__ from Object.prototype (fuzz seed 885288022)', () => {
    const board = new AmiSwitchboard(REPLAY_OPTIONS);
    board.handle(AmiMessage.of({ Event: 'QueueCallerJoin', Queue: '__proto__', Linkedid: '1.1', CallerIDNum: '1' }), 0);
    expect(PbxSnapshotSchema.parse(board.snapshot(0)).queues).toEqual([{ id: '__proto__', name: '__proto__' }]);
  });

  it('watches only the configured queues', () => {
    const board = new AmiSwitchboard({ ...REPLAY_OPTIONS, queues: ['sales'] });
    expect(board.handle(AmiMessage.of({ Event: 'QueueCallerJoin', Queue: 'reception', Linkedid: '1.1', CallerIDNum: '1' }), 0)).toEqual([]);
    expect(board.snapshot(0).queues).toEqual([]);
  });

  it('maps MikoPBX / FreePBX Local members by their interface pattern', () => {
    const board = new AmiSwitchboard({ ...REPLAY_OPTIONS, interfacePatterns: ['Local/{extension}@from-queue/n', 'hint:{extension}@ext-local', 'PJSIP/{extension}'] });
    const events = board.handle(
      AmiMessage.of({ Event: 'QueueMemberStatus', Queue: '400', MemberName: 'Ivanova', Interface: 'Local/201@from-queue/n', StateInterface: 'hint:201@ext-local', Status: '1', Paused: '0' }),
      0,
    );
    expect(events).toMatchObject([{ type: 'agent.status', extension: '201', state: 'ready' }]);
    expect(board.snapshot(0).agents[0]).toMatchObject({ extension: '201', name: 'Ivanova' });
  });
});

describe('AmiSwitchboard properties', () => {
  for (const [name, bytes] of Object.entries(ALL)) {
    it(`${name}: the same events whatever the byte boundaries`, () => {
      const whole = replaySplit(bytes, []).events;
      fc.assert(
        fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 60 }), (cuts) => {
          expect(replaySplit(bytes, cuts).events).toEqual(whole);
        }),
        withSeedHint(`${name} splits`, { numRuns: 100 }),
      );
    });
  }

  it('fuzz: random bytes, mutated real messages and header soup never throw and never corrupt the snapshot (10,000 runs)', () => {
    // The real events of the captures, as header lists.
    const real: (readonly (readonly [string, string])[])[] = [];
    for (const bytes of Object.values(ALL)) for (const m of new AmiParser().feed(bytes)) if (m.event && !['VarSet', 'Newexten', 'RTCPSent'].includes(m.event)) real.push(m.headers);
    const keys = ['Queue', 'Interface', 'Location', 'StateInterface', 'Linkedid', 'Uniqueid', 'DestUniqueid', 'DestLinkedid', 'DestChannel', 'Channel', 'CallerIDNum', 'MemberName', 'Name', 'Status', 'Paused', 'PausedReason', 'HoldTime', 'TalkTime', 'RingTime', 'Position', 'Wait', 'DialStatus', 'UserEvent', 'Key', 'Val', 'Removed', 'Wrapuptime', 'BridgeId', 'Duration', 'Completed', 'Abandoned', 'ServicelevelPerf', 'SpyerChannel', 'SpyerCallerIDNum', 'SpyerUniqueid', 'SpyeeChannel', 'SpyeeLinkedid'];
    const events = [...AMI_EVENT_WHITELIST, 'QueueMember', 'QueueParams', 'QueueEntry', 'CoreShowChannel', 'Nonsense'];
    const nasty = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('', '0', '1', '2', '5', '6', '-1', '1e9', '99999999999999', 'NaN', '<unknown>', 'PJSIP/1001', 'PJSIP/9000-00000004', 'Local/*2241002@internal-00000000;2', 'Local/1001@from-queue/n', 'reception', '1.1', 'refpbx-1.1', 'ANSWER', 'BUSY', 'yes', 'RegistraturaShared', '\u202e\u0000x', 'a b', 'Обед'),
      fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,2})?$/),
    );
    const soup = fc.tuple(fc.constantFrom(...events), fc.array(fc.tuple(fc.constantFrom(...keys), nasty), { maxLength: 12 })).map(([event, headers]) => encode([['Event', event], ...headers]));
    const mutated = fc
      .tuple(fc.nat({ max: real.length - 1 }), fc.nat(), fc.constantFrom<'drop' | 'replace' | 'dup' | 'keep'>('drop', 'replace', 'dup', 'keep'), nasty)
      .map(([i, j, op, value]) => {
        const headers = [...real[i]!];
        const k = j % headers.length;
        if (op === 'drop') headers.splice(k, 1);
        else if (op === 'replace') headers[k] = [headers[k]![0], value.replace(/[\r\n]/g, '')];
        else if (op === 'dup') headers.push(headers[k]!);
        return encode(headers);
      });
    const raw = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
    const chunk = fc.oneof({ weight: 2, arbitrary: soup }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: raw });
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { maxLength: 5 }), fc.integer({ min: -5, max: 3_000_000_000_000 }), (chunks, cuts, now) => {
        const bytes = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
        const r = new Replay(REPLAY_OPTIONS, () => now);
        const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        let start = 0;
        for (const p of [...points, bytes.length]) {
          r.feed(bytes.subarray(start, p));
          start = p;
        }
        r.board.rebuild({ queueStatus: [...r.lists.values()].flat(), channels: r.parser.feed('') }, now);
        r.board.tick(now + 60_000);
        const snap = r.board.snapshot(now);
        const parsed = PbxSnapshotSchema.safeParse(snap);
        if (!parsed.success) throw new Error(`snapshot invalid: ${JSON.stringify(parsed.error.issues.slice(0, 2))}`);
        expect(r.board.stats.faults).toBe(0);
      }),
      withSeedHint('fuzz', { numRuns: Number(process.env.AMI_FUZZ_RUNS ?? 10_000) }),
    );
  }, 120_000);
});
