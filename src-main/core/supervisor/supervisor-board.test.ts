import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import type { QueueAgent, QueueCounters } from '../../../src-shared/pbx/pbx-model';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { TransferContextSchema } from '../../../src-shared/supervisor/supervisor-model';
import { Replay } from '../connectors/asterisk-ami/test-replay';
import { readTranscript, serverBytes } from '../connectors/asterisk-ami/test-transcripts';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import { boardName, liveFigures, nextTimedChange, overrun } from './supervisor-board';
import { SupervisorLedger } from './supervisor-ledger';
import { encodeTransfer, numberKey, transferKey, TransferInbox } from './transfer-inbox';

const NOW = 1_796_489_600_000;

function agent(extension: string, state: QueueAgent['state'], queues = ['reception'], since = NOW): QueueAgent {
  return { extension, name: extension, state, since, pauseReason: null, queues, call: null };
}

describe('live figures: what Asterisk QueueSummary says', () => {
  it('equal every QueueSummary of the real Asterisk 22 captures (Callers, LongestHoldTime, LoggedIn, Available), from the board the AMI connector keeps', () => {
    let compared = 0;
    for (const file of ['01-login-queuestatus-idle.txt', '02-queue-call-abandoned.txt', '03-queue-call-answered-chanspy.txt']) {
      for (const connection of readTranscript(file)) {
        const replay = new Replay();
        for (const message of replay.parser.feed(serverBytes(connection))) {
          replay.route(message);
          const id = message.actionId ?? '';
          if (message.event === 'QueueStatusComplete') replay.board.rebuild({ queueStatus: replay.lists.get(id) ?? [] }, NOW);
          if (message.event !== 'QueueSummaryComplete') continue;
          for (const summary of replay.lists.get(id) ?? []) {
            const queue = summary.get('Queue')!;
            const live = liveFigures(replay.board.snapshot(NOW), queue, NOW);
            expect({ file, callers: live.waitingNow, longest: live.longestWaitNowSec, loggedIn: live.agentsLoggedIn, available: live.agentsAvailable }).toEqual({
              file,
              callers: Number(summary.get('Callers')),
              longest: Number(summary.get('LongestHoldTime')),
              loggedIn: Number(summary.get('LoggedIn')),
              available: Number(summary.get('Available')),
            });
            compared += 1;
          }
        }
      }
    }
    // Transcript 2's summary has a caller who has held on 4 s.
    expect(compared).toBe(3);
  });

  it("count a member as QueueSummary does: logged in unless its device is unavailable; available only when ready (not paused, busy, ringing or in after-call work)", () => {
    const agents = [
      agent('1', 'ready'),
      agent('2', 'paused'),
      agent('3', 'talking'),
      agent('4', 'ringing'),
      agent('5', 'wrap-up'),
      agent('6', 'offline'),
      agent('7', 'ready', ['info']),
      agent('8', 'ready', ['reception', 'info']),
    ];
    const callers = [
      { callId: 'a', number: '1', queue: 'reception', position: 1, joinedAt: NOW - 61_900 },
      { callId: 'b', number: '2', queue: 'reception', position: 2, joinedAt: NOW - 5_000 },
      { callId: 'c', number: '3', queue: 'info', position: 1, joinedAt: NOW - 90_000 },
    ];
    expect(liveFigures({ agents, callers }, 'reception', NOW)).toMatchObject({ waitingNow: 2, longestWaitNowSec: 61, agentsLoggedIn: 6, agentsAvailable: 2 });
    expect(liveFigures({ agents, callers }, 'info', NOW)).toMatchObject({ waitingNow: 1, longestWaitNowSec: 90, agentsLoggedIn: 2, agentsAvailable: 2 });
    expect(liveFigures({ agents, callers }, null, NOW)).toMatchObject({ waitingNow: 3, longestWaitNowSec: 90, agentsLoggedIn: 7, agentsAvailable: 3 });
    expect(liveFigures({ agents: [], callers: [] }, 'reception', NOW)).toMatchObject({ waitingNow: 0, longestWaitNowSec: 0, agentsLoggedIn: 0, agentsAvailable: 0 });
  });
});

describe('the board’s rules', () => {
  it('cuts a name to initials («Иванова А. П.»), keeps it whole, or shows none', () => {
    expect(boardName('Иванова Анна Петровна', 'initials')).toBe('Иванова А. П.');
    expect(boardName('Салтыков-Щедрин  михаил', 'initials')).toBe('Салтыков-Щедрин М.');
    expect(boardName('Иванова', 'initials')).toBe('Иванова');
    expect(boardName('Иванова Анна Петровна', 'full')).toBe('Иванова Анна Петровна');
    expect(boardName('Иванова Анна Петровна', 'none')).toBeNull();
    expect(boardName(null, 'full')).toBeNull();
    expect(boardName('  ', 'initials')).toBeNull();
  });

  it('turns a pause amber and red by minutes, after-call work by seconds, and nothing else', () => {
    const t = DEFAULT_SUPERVISOR_SETTINGS;
    expect(overrun({ state: 'paused', since: NOW - 9 * 60_000 }, t, NOW)).toBe('ok');
    expect(overrun({ state: 'paused', since: NOW - 10 * 60_000 }, t, NOW)).toBe('amber');
    expect(overrun({ state: 'paused', since: NOW - 20 * 60_000 }, t, NOW)).toBe('red');
    expect(overrun({ state: 'wrap-up', since: NOW - 59_000 }, t, NOW)).toBe('ok');
    expect(overrun({ state: 'wrap-up', since: NOW - 60_000 }, t, NOW)).toBe('amber');
    expect(overrun({ state: 'wrap-up', since: NOW - 180_000 }, t, NOW)).toBe('red');
    expect(overrun({ state: 'talking', since: NOW - 3_600_000 }, t, NOW)).toBe('ok');
    expect(overrun({ state: 'offline', since: 0 }, t, NOW)).toBe('ok');
  });

  it('knows the next instant the board changes by time alone', () => {
    const t = { ...DEFAULT_SUPERVISOR_SETTINGS, alertLongestWaitSeconds: 120 };
    const snapshot = {
      agents: [agent('1', 'paused', ['reception'], NOW - 9 * 60_000), agent('2', 'wrap-up', ['reception'], NOW - 30_000)],
      callers: [{ callId: 'a', number: '1', queue: 'reception', position: 1, joinedAt: NOW - 100_000 }],
    };
    expect(nextTimedChange(snapshot, [], t, NOW)).toBe(NOW + 20_000);
    expect(nextTimedChange({ agents: [], callers: [] }, [], t, NOW)).toBeNull();
    expect(nextTimedChange({ agents: [], callers: snapshot.callers }, [], { ...t, alertLongestWaitSeconds: 0 }, NOW)).toBeNull();
  });
});

describe('SupervisorLedger', () => {
  const counters = (patch: Partial<QueueCounters>): QueueCounters => ({ queue: 'reception', offered: 0, answered: 0, abandoned: 0, answeredWithinSla: 0, waitSecTotal: 0, longestWaitSec: 0, talks: 0, talkSecTotal: 0, ...patch });

  it("takes the PBX's totals field by field where they are higher; taking them again changes nothing", () => {
    const ledger = new SupervisorLedger('2026-11-30');
    ledger.queues.set('reception', counters({ offered: 5, answered: 3, abandoned: 1, longestWaitSec: 90 }));
    expect(ledger.reconcile([counters({ offered: 4, answered: 2, abandoned: 1 })])).toBe(false);
    expect(ledger.reconcile([counters({ offered: 9, answered: 6, abandoned: 1, longestWaitSec: 40, waitSecTotal: 60 })])).toBe(true);
    expect(ledger.queues.get('reception')).toEqual(counters({ offered: 9, answered: 6, abandoned: 1, longestWaitSec: 90, waitSecTotal: 60 }));
    expect(ledger.reconcile([counters({ offered: 9, answered: 6, abandoned: 1, longestWaitSec: 40, waitSecTotal: 60 })])).toBe(false);
  });

  it('rebuilds a day from its rows, skipping rows that do not parse', () => {
    const ledger = new SupervisorLedger('2026-11-30');
    ledger.queues.set('reception', counters({ offered: 2 }));
    ledger.sample(NOW, 3);
    ledger.wrapUp('wu/20261130/abc', 'Запись на приём');
    const rows = [
      ...ledger.allRows(),
      { kind: 'queue' as const, key: 'info', value: '{"queue":"other"}' },
      { kind: 'hour' as const, key: '24', value: '{"answered":1,"abandoned":0}' },
      { kind: 'agent' as const, key: '101', value: 'not json' },
      { kind: 'wrapup' as const, key: 'wu/x', value: JSON.stringify('a\nb') },
    ];
    const { ledger: again, skipped } = SupervisorLedger.fromRows('2026-11-30', rows);
    expect(skipped).toBe(4);
    expect(again.queues.get('reception')).toEqual(counters({ offered: 2 }));
    expect(again.waiting()).toEqual([{ at: Math.floor(NOW / 60_000) * 60_000, waiting: 3 }]);
    expect(again.categories()).toEqual([{ category: 'Запись на приём', count: 1 }]);
    expect(again.hasDirty).toBe(false);
  });
});

describe('transfer contexts', () => {
  const context = { number: '+79161234567', misId: 'P-1', note: 'Вопрос по ДМС', from: { extension: '9000', name: 'Смирнова Елена' }, to: '102', at: NOW };

  it('are keyed by the digits of the number as E.164, however the desk wrote it', () => {
    expect(transferKey('+7 (916) 123-45-67')).toBe('tx/79161234567');
    expect(transferKey('89161234567')).toBe('tx/79161234567');
    expect(transferKey('2001')).toBe('tx/2001');
    expect(transferKey('anonymous')).toBeNull();
    expect(numberKey('8 916 123 45 67')).toBe(numberKey('+79161234567'));
  });

  it('travel as one line within the shared channel limit, cutting the name then the note when a note is long in four-byte letters', () => {
    expect(JSON.parse(encodeTransfer(context))).toEqual(context);
    const long = { ...context, misId: 'M'.repeat(64), note: '𝒜'.repeat(200), from: { extension: '9000', name: 'Щ'.repeat(80) } };
    const line = encodeTransfer(long);
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(SHARED_VALUE_MAX);
    expect(line).not.toContain('\n');
    const parsed = TransferContextSchema.parse(JSON.parse(line));
    expect(parsed).toMatchObject({ misId: long.misId, to: '102', from: { extension: '9000', name: '' } });
    expect(parsed.note.length).toBeGreaterThan(100);
    expect(long.note.startsWith(parsed.note)).toBe(true);
  });

  it('are kept for the agent they are sent to, for two minutes from their arrival', () => {
    let now = NOW;
    const inbox = new TransferInbox(() => now);
    expect(inbox.receive(JSON.stringify(context), '103')).toBe('other');
    expect(inbox.receive(JSON.stringify(context), null)).toBe('other');
    expect(inbox.receive('{', '102')).toBe('invalid');
    expect(inbox.receive(JSON.stringify({ ...context, extra: 1 }), '102')).toBe('invalid');
    expect(inbox.find('89161234567')).toBeNull();
    expect(inbox.receive(JSON.stringify(context), '102')).toBe('kept');
    now += 119_000;
    expect(inbox.find('89161234567')).toEqual(context);
    now += 1_000;
    expect(inbox.find('89161234567')).toBeNull();
  });
});
