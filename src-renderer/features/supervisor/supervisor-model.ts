/**
 * Pure helpers of the supervisor pane: the board's tile order and filters, the state totals, the
 * KPI rows, the chart data, the callback rows and the thresholds form. Main computes every figure;
 * these only arrange what it sent. Cheap on purpose: they run on every `supervisor:changed`.
 */
import type { AlignedData } from 'uplot';
import type { CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import type { AgentState } from '../../../src-shared/pbx/pbx-model';
import { supervisorFields, SupervisorSettingsPatchSchema, type SupervisorSettings, type SupervisorSettingsPatch } from '../../../src-shared/settings/settings-schema';
import type { HourBucket, QueueKpi, SupervisorAgent, SupervisorBoard, WaitingSample } from '../../../src-shared/supervisor/supervisor-model';

/** Every agent state, in the order the totals count them (working first, then free, then away). */
export const AGENT_STATES: readonly AgentState[] = ['talking', 'ringing', 'wrap-up', 'ready', 'paused', 'offline'];

export type AgentSort = 'name' | 'state' | 'time';
export const AGENT_SORTS: readonly AgentSort[] = ['name', 'state', 'time'];

/** The board's filters: '' is "all". */
export interface AgentFilter {
  queue: string;
  state: AgentState | '';
}

const collators = new Map<string, Intl.Collator>();
function collatorOf(language: string): Intl.Collator {
  let collator = collators.get(language);
  if (!collator) collators.set(language, (collator = new Intl.Collator(language, { numeric: true, sensitivity: 'base' })));
  return collator;
}

/**
 * The tiles in order. `name` (the default) keeps every tile in its place whatever its state, so
 * the supervisor learns where each operator sits; `state` groups them (on a call first, offline
 * last); `time` puts the longest in its state first. Name then extension break ties.
 */
export function sortAgents(agents: readonly SupervisorAgent[], sort: AgentSort, language: string): SupervisorAgent[] {
  const collator = collatorOf(language);
  const byName = (a: SupervisorAgent, b: SupervisorAgent) => collator.compare(a.name || a.extension, b.name || b.extension) || collator.compare(a.extension, b.extension);
  const rank = (agent: SupervisorAgent) => AGENT_STATES.indexOf(agent.state);
  return [...agents].sort((a, b) => {
    if (sort === 'state') return rank(a) - rank(b) || byName(a, b);
    if (sort === 'time') return a.since - b.since || byName(a, b);
    return byName(a, b);
  });
}

export function filterAgents(agents: readonly SupervisorAgent[], filter: AgentFilter): SupervisorAgent[] {
  return agents.filter((agent) => (filter.queue === '' || agent.queues.includes(filter.queue)) && (filter.state === '' || agent.state === filter.state));
}

/** How many agents are in each state. */
export function countAgents(agents: readonly SupervisorAgent[]): Record<AgentState, number> {
  const counts: Record<AgentState, number> = { ready: 0, paused: 0, talking: 0, ringing: 0, 'wrap-up': 0, offline: 0 };
  for (const agent of agents) counts[agent.state]++;
  return counts;
}

/** The queues the filter offers: the board's KPI queues, then any queue only an agent names. */
export function queueChoices(board: Pick<SupervisorBoard, 'queues' | 'agents'>): { id: string; name: string }[] {
  const out = new Map<string, string>();
  for (const kpi of board.queues) if (kpi.queue !== null) out.set(kpi.queue, kpi.name || kpi.queue);
  for (const agent of board.agents) for (const queue of agent.queues) if (!out.has(queue)) out.set(queue, queue);
  return [...out].map(([id, name]) => ({ id, name }));
}

/** Where a call can be sent: ready operators other than `extension`, by name. */
export function transferTargets(agents: readonly SupervisorAgent[], extension: string, language: string): SupervisorAgent[] {
  return sortAgents(
    agents.filter((agent) => agent.state === 'ready' && agent.extension !== extension),
    'name',
    language,
  );
}

/** Who a callback task can be handed to: every logged-in operator, by name. */
export function reassignTargets(agents: readonly SupervisorAgent[], language: string): SupervisorAgent[] {
  return sortAgents(
    agents.filter((agent) => agent.state !== 'offline'),
    'name',
    language,
  );
}

/** One KPI row: a queue's figures (`key` its id), or the total (`key` `*`), last. */
export interface KpiRow {
  key: string;
  kpi: QueueKpi;
  total: boolean;
}

export function kpiRows(board: Pick<SupervisorBoard, 'queues' | 'total'>): KpiRow[] {
  return [
    ...board.queues.filter((kpi) => kpi.queue !== null).map((kpi) => ({ key: kpi.queue!, kpi, total: false })),
    { key: '*', kpi: board.total, total: true },
  ];
}

/** A duration in seconds as `m:ss` (`h:mm:ss` from an hour on); a fraction is rounded. */
export function formatSeconds(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export interface HourBar {
  hour: number;
  /** `08`, `09` … the clinic's hour. */
  label: string;
  answered: number;
  abandoned: number;
}

/**
 * The hourly bars: the clinic hours from the first with a call to the last (the current hour
 * included when it is later), none before the day's first call — an empty chart, not a row of zeros.
 */
export function hourlyChartData(hourly: readonly HourBucket[], currentHour: number | null = null): HourBar[] {
  const busy = hourly.filter((bucket) => bucket.answered + bucket.abandoned > 0).map((bucket) => bucket.hour);
  if (busy.length === 0) return [];
  const first = Math.min(...busy);
  const last = Math.max(...busy, currentHour !== null && currentHour >= first ? currentHour : first);
  const byHour = new Map(hourly.map((bucket) => [bucket.hour, bucket]));
  const bars: HourBar[] = [];
  for (let hour = first; hour <= last; hour++) {
    const bucket = byHour.get(hour);
    bars.push({ hour, label: String(hour).padStart(2, '0'), answered: bucket?.answered ?? 0, abandoned: bucket?.abandoned ?? 0 });
  }
  return bars;
}

/**
 * uPlot's arrays for "callers waiting": x in seconds since epoch (uPlot's time unit), in time
 * order. With fewer than two samples the line has no span: the last hour up to `nowMs`, empty.
 */
export function waitingChartData(samples: readonly WaitingSample[], nowMs: number): AlignedData {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  if (sorted.length < 2) {
    const only = sorted[0];
    if (!only) return [[(nowMs - 3_600_000) / 1000, nowMs / 1000], [null, null]];
    // One sample is one minute's peak: drawn across its minute (a lone point would not show).
    const from = Math.min(nowMs - 3_600_000, only.at - 60_000);
    const minuteEnd = only.at + 60_000;
    const to = Math.max(nowMs, minuteEnd + 1_000);
    return [[from / 1000, only.at / 1000, minuteEnd / 1000, to / 1000], [null, only.waiting, only.waiting, null]];
  }
  return [sorted.map((sample) => sample.at / 1000), sorted.map((sample) => sample.waiting)];
}

/** The figures the waiting chart's text alternative says: now, the day's peak and when. */
/** Now (the live count, not the last minute's sample), the day's peak and when. */
export function waitingSummary(samples: readonly WaitingSample[], waitingNow: number): { now: number; peak: number; peakAt: number | null } {
  let peak: WaitingSample | null = null;
  for (const sample of samples) if (!peak || sample.waiting > peak.waiting) peak = sample;
  return { now: waitingNow, peak: peak?.waiting ?? 0, peakAt: peak && peak.waiting > 0 ? peak.at : null };
}

/** The callback tasks still owed a call (open or claimed), the soonest due first: the overdue lead. */
export function owedCallbacks(tasks: readonly CallbackTask[]): CallbackTask[] {
  return tasks.filter((task) => task.state !== 'done').sort((a, b) => a.dueAt - b.dueAt || a.firstAt - b.firstAt || (a.id < b.id ? -1 : 1));
}

// ---------- the thresholds form ----------

export const THRESHOLD_FIELDS = [
  'pauseAmberMinutes',
  'pauseRedMinutes',
  'wrapUpAmberSeconds',
  'wrapUpRedSeconds',
  'alertWaitingCallers',
  'alertLongestWaitSeconds',
  'slaTargetPercent',
  'patientNames',
] as const satisfies readonly (keyof SupervisorSettings)[];
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number];
export type NumericThresholdField = Exclude<ThresholdField, 'patientNames'>;

/** The form's text, field by field. */
export type ThresholdDraft = Record<ThresholdField, string>;

export function draftOf(settings: SupervisorSettings): ThresholdDraft {
  const draft = {} as ThresholdDraft;
  for (const field of THRESHOLD_FIELDS) draft[field] = String(settings[field]);
  return draft;
}

/** Why a field is refused: out of the schema's range, not a whole number, or red before amber. */
export type ThresholdProblem = 'invalid' | 'redBeforeAmber';

export type ThresholdCheck = { ok: true; patch: SupervisorSettingsPatch } | { ok: false; problems: Partial<Record<ThresholdField, ThresholdProblem>> };

/**
 * Checks the form with the shared schema (the same one main applies) and one rule of sense:
 * red comes no sooner than amber. The patch holds only the fields that differ from `current`.
 */
export function checkThresholds(draft: ThresholdDraft, current: SupervisorSettings): ThresholdCheck {
  const problems: Partial<Record<ThresholdField, ThresholdProblem>> = {};
  const values: Partial<Record<ThresholdField, unknown>> = {};
  for (const field of THRESHOLD_FIELDS) {
    const text = draft[field].trim();
    const parsed = supervisorFields[field].safeParse(field === 'patientNames' ? text : text === '' ? Number.NaN : Number(text));
    if (parsed.success) values[field] = parsed.data;
    else problems[field] = 'invalid';
  }
  const before = (amber: NumericThresholdField, red: NumericThresholdField) => {
    const low = values[amber];
    const high = values[red];
    if (typeof low === 'number' && typeof high === 'number' && high < low) problems[red] = 'redBeforeAmber';
  };
  before('pauseAmberMinutes', 'pauseRedMinutes');
  before('wrapUpAmberSeconds', 'wrapUpRedSeconds');
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const changed: Record<string, unknown> = {};
  for (const field of THRESHOLD_FIELDS) if (values[field] !== current[field]) changed[field] = values[field];
  // The whole patch as main will check it (the same schema, strict).
  const patch = SupervisorSettingsPatchSchema.safeParse(changed);
  return patch.success ? { ok: true, patch: patch.data } : { ok: false, problems: Object.fromEntries(Object.keys(changed).map((field) => [field, 'invalid'])) };
}
