import { describe, expect, it } from 'vitest';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { makeCallbackTask } from '../../test-support/fake-desk';
import {
  checkThresholds,
  countAgents,
  draftOf,
  filterAgents,
  formatSeconds,
  hourlyChartData,
  kpiRows,
  owedCallbacks,
  queueChoices,
  reassignTargets,
  sortAgents,
  transferTargets,
  waitingChartData,
  waitingSummary,
} from './supervisor-model';
import { makeBoard, makeKpi, makeSvAgent, START } from './supervisor-test-support';

const extensions = (agents: readonly { extension: string }[]) => agents.map((agent) => agent.extension);

describe('supervisor model: the board', () => {
  const agents = makeBoard().agents;

  it('sorts by name (the default: a tile keeps its place), by state (on a call first, offline last) and by time in state (longest first)', () => {
    expect(extensions(sortAgents(agents, 'name', 'ru'))).toEqual(['1003', '1005', '1004', '1001', '1002', '1006']);
    expect(extensions(sortAgents(agents, 'state', 'ru'))).toEqual(['1002', '1004', '1005', '1001', '1003', '1006']);
    expect(extensions(sortAgents(agents, 'time', 'ru'))).toEqual(['1006', '1003', '1005', '1004', '1002', '1001']);
  });

  it('an agent without a name sorts by its extension; ties break on the extension', () => {
    const sorted = sortAgents([makeSvAgent({ extension: '2002', name: '' }), makeSvAgent({ extension: '1999', name: 'Б' }), makeSvAgent({ extension: '1001', name: 'Б' })], 'name', 'ru');
    expect(extensions(sorted)).toEqual(['2002', '1001', '1999']);
  });

  it('filters by queue and by state, together', () => {
    expect(extensions(filterAgents(agents, { queue: 'lab', state: '' }))).toEqual(['1003', '1004', '1005']);
    expect(extensions(filterAgents(agents, { queue: '', state: 'ready' }))).toEqual(['1001', '1005']);
    expect(extensions(filterAgents(agents, { queue: 'lab', state: 'ready' }))).toEqual(['1005']);
    expect(filterAgents(agents, { queue: '', state: '' })).toHaveLength(agents.length);
  });

  it('counts the agents per state', () => {
    expect(countAgents(agents)).toEqual({ ready: 2, paused: 1, talking: 1, ringing: 0, 'wrap-up': 1, offline: 1 });
  });

  it('offers the KPI queues, then queues only an agent names', () => {
    const board = makeBoard({ agents: [...agents, makeSvAgent({ extension: '1010', queues: ['vip'] })] });
    expect(queueChoices(board)).toEqual([
      { id: 'reception', name: 'Регистратура' },
      { id: 'lab', name: 'Анализы' },
      { id: 'vip', name: 'vip' },
    ]);
  });

  it('transfers only to ready operators other than the agent; hands callbacks to anyone logged in', () => {
    expect(extensions(transferTargets(agents, '1002', 'ru'))).toEqual(['1005', '1001']);
    expect(extensions(transferTargets(agents, '1001', 'ru'))).toEqual(['1005']);
    expect(extensions(reassignTargets(agents, 'ru'))).toEqual(['1003', '1005', '1004', '1001', '1002']);
  });
});

describe('supervisor model: figures', () => {
  it('lists one KPI row per queue, then the total as `*`', () => {
    const board = makeBoard();
    const rows = kpiRows(board);
    expect(rows.map((row) => row.key)).toEqual(['reception', 'lab', '*']);
    expect(rows[2]!.kpi).toBe(board.total);
    expect(rows.map((row) => row.total)).toEqual([false, false, true]);
    expect(kpiRows({ queues: [makeKpi({ queue: null })], total: board.total }).map((row) => row.key)).toEqual(['*']);
  });

  it('formats seconds as m:ss (h:mm:ss from an hour), rounding a fraction', () => {
    expect(formatSeconds(0)).toBe('0:00');
    expect(formatSeconds(24.6)).toBe('0:25');
    expect(formatSeconds(190)).toBe('3:10');
    expect(formatSeconds(3599)).toBe('59:59');
    expect(formatSeconds(3725)).toBe('1:02:05');
    expect(formatSeconds(-4)).toBe('0:00');
  });

  it('builds the hourly bars from the first hour with a call to the last (or the current hour)', () => {
    const { hourly } = makeBoard();
    expect(hourlyChartData(hourly)).toEqual([
      { hour: 8, label: '08', answered: 30, abandoned: 2 },
      { hour: 9, label: '09', answered: 41, abandoned: 5 },
      { hour: 10, label: '10', answered: 0, abandoned: 0 },
      { hour: 11, label: '11', answered: 12, abandoned: 0 },
    ]);
    expect(hourlyChartData(hourly, 12).map((bar) => bar.hour)).toEqual([8, 9, 10, 11, 12]);
    expect(hourlyChartData(hourly, 7).map((bar) => bar.hour)).toEqual([8, 9, 10, 11]);
    // No call yet today: no bars at all (not a day of zeros).
    expect(hourlyChartData(Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, abandoned: 0 })), 9)).toEqual([]);
  });

  it("builds uPlot's arrays for callers waiting: seconds since epoch, in time order; under two samples, the last hour", () => {
    const samples = [
      { at: START, waiting: 7 },
      { at: START - 120_000, waiting: 3 },
      { at: START - 60_000, waiting: 9 },
    ];
    expect(waitingChartData(samples, START)).toEqual([
      [(START - 120_000) / 1000, (START - 60_000) / 1000, START / 1000],
      [3, 9, 7],
    ]);
    // No day yet: an hour's span up to now (never a row of "00:00" at the epoch), nothing drawn.
    expect(waitingChartData([], START)).toEqual([[(START - 3_600_000) / 1000, START / 1000], [null, null]]);
    expect(waitingChartData([{ at: START - 120_000, waiting: 2 }], START)).toEqual([
      [(START - 3_600_000) / 1000, (START - 120_000) / 1000, (START - 60_000) / 1000, START / 1000],
      [null, 2, 2, null],
    ]);
    // "Now" is the live count; the peak and its time come from the samples.
    expect(waitingSummary(samples, 4)).toEqual({ now: 4, peak: 9, peakAt: START - 60_000 });
    expect(waitingSummary([], 1)).toEqual({ now: 1, peak: 0, peakAt: null });
    expect(waitingSummary([{ at: START, waiting: 0 }], 0)).toEqual({ now: 0, peak: 0, peakAt: null });
  });

  it('lists the callback tasks still owed, the soonest due first (the overdue lead)', () => {
    const tasks = [
      makeCallbackTask({ id: 'later', dueAt: START + 600_000 }),
      makeCallbackTask({ id: 'done', state: 'done', dueAt: START - 900_000 }),
      makeCallbackTask({ id: 'late', dueAt: START - 60_000, state: 'claimed' }),
    ];
    expect(owedCallbacks(tasks).map((task) => task.id)).toEqual(['late', 'later']);
  });
});

describe('supervisor model: thresholds', () => {
  const current = { ...DEFAULT_SUPERVISOR_SETTINGS };

  it('sends only the fields that changed, as numbers', () => {
    const draft = { ...draftOf(current), pauseRedMinutes: '25', alertWaitingCallers: ' 0 ', patientNames: 'full' };
    expect(checkThresholds(draft, current)).toEqual({ ok: true, patch: { pauseRedMinutes: 25, alertWaitingCallers: 0, patientNames: 'full' } });
    expect(checkThresholds(draftOf(current), current)).toEqual({ ok: true, patch: {} });
  });

  it('refuses what the shared schema refuses: out of range, not whole, empty, an unknown choice', () => {
    const draft = { ...draftOf(current), pauseAmberMinutes: '0', wrapUpAmberSeconds: '7.5', slaTargetPercent: '', alertLongestWaitSeconds: '3601', patientNames: 'everything' };
    expect(checkThresholds(draft, current)).toEqual({
      ok: false,
      problems: { pauseAmberMinutes: 'invalid', wrapUpAmberSeconds: 'invalid', slaTargetPercent: 'invalid', alertLongestWaitSeconds: 'invalid', patientNames: 'invalid' },
    });
    expect(checkThresholds({ ...draftOf(current), alertWaitingCallers: 'пять' }, current)).toEqual({ ok: false, problems: { alertWaitingCallers: 'invalid' } });
  });

  it('refuses a red threshold sooner than its amber one', () => {
    const draft = { ...draftOf(current), pauseAmberMinutes: '30', wrapUpRedSeconds: '30' };
    expect(checkThresholds(draft, current)).toEqual({ ok: false, problems: { pauseRedMinutes: 'redBeforeAmber', wrapUpRedSeconds: 'redBeforeAmber' } });
  });
});
