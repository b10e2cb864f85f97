/**
 * The supervisor's board as the desk sees it (docs/architecture.md, "Supervisor"): every agent
 * with its state, call and today's work; today's figures per queue and in total; the day's
 * series for the charts; the missed-call SLA; the alerts; the supervisor's own monitor session.
 * Main computes all of it (from the PBX connector's events and snapshot plus the desks'
 * wrap-ups) and keeps what must survive a restart in journal.db; the renderer only draws it.
 */
import { z } from 'zod';
import { CallIdSchema, CallNumberSchema } from '../calls/calls-contract';
import { AgentRefSchema } from '../callbacks/callbacks-contract';
import { MisIdSchema } from '../patients/patient-card';
import { AgentStateSchema, ExtensionSchema, PBX_NAME_MAX, QueueIdSchema } from '../pbx/pbx-model';
import { SupervisorSettingsSchema } from '../settings/settings-schema';

/** What the supervisor hears and who hears them (ChanSpy `q`, `qw`, `qB`). */
export const MonitorModeSchema = z.enum(['listen', 'whisper', 'barge']);
export type MonitorMode = z.infer<typeof MonitorModeSchema>;

/** How long a state has run against the supervisor's thresholds: `ok`, `amber`, `red`. */
export const OverrunLevelSchema = z.enum(['ok', 'amber', 'red']);
export type OverrunLevel = z.infer<typeof OverrunLevelSchema>;

/**
 * A caller's number as the board shows it: the number itself (`privacy.boardPhones: 'full'`),
 * or starred by `maskPhone` (`+7 916 ***-**-67`, the default), or empty while the desk is
 * locked — so a call number's characters plus the space of the starred form.
 */
export const BoardNumberSchema = z
  .string()
  .max(64)
  .regex(/^[0-9A-Za-z+*#._ -]*$/, 'A board number holds only digits, letters, spaces and + * # . _ -');

/** The call an agent is on, as the board shows it. */
export const SupervisorAgentCallSchema = z
  .object({
    callId: CallIdSchema,
    number: BoardNumberSchema,
    /** The cached patient's name as `supervisor.patientNames` allows (full, initials), or null. */
    patientName: z.string().max(200).nullable(),
    queue: QueueIdSchema.nullable(),
    /** Ringing since, or talking since (ms since epoch): the renderer counts the talk time from it. */
    since: z.number().int().nonnegative(),
  })
  .strict();
export type SupervisorAgentCall = z.infer<typeof SupervisorAgentCallSchema>;

export const SupervisorAgentSchema = z
  .object({
    extension: ExtensionSchema,
    name: z.string().max(PBX_NAME_MAX),
    state: AgentStateSchema,
    /** When it entered `state` (ms since epoch). */
    since: z.number().int().nonnegative(),
    pauseReason: z.string().max(PBX_NAME_MAX).nullable(),
    /** A pause or after-call work past the supervisor's thresholds (always `ok` in other states). */
    level: OverrunLevelSchema,
    queues: z.array(QueueIdSchema).max(64),
    call: SupervisorAgentCallSchema.nullable(),
    /** Queue and direct calls this agent answered today (clinic day). */
    handledToday: z.number().int().nonnegative(),
    /** Mean talk + after-call work of today's handled calls (s); null before the first. */
    avgHandleSec: z.number().nonnegative().nullable(),
    /** Callback tasks this agent claimed that are past their SLA. */
    overdueCallbacks: z.number().int().nonnegative(),
    /** The supervisor's monitor session on this agent's call, if any. */
    monitoredBy: z.object({ extension: ExtensionSchema, mode: MonitorModeSchema }).strict().nullable(),
  })
  .strict();
export type SupervisorAgent = z.infer<typeof SupervisorAgentSchema>;

/** Today's figures for one queue (`queue` null: all queues together). */
export const QueueKpiSchema = z
  .object({
    queue: QueueIdSchema.nullable(),
    name: z.string().max(PBX_NAME_MAX),
    waitingNow: z.number().int().nonnegative(),
    /** The longest current wait (s), as QueueSummary's LongestHoldTime, as of the board's `at`. */
    longestWaitNowSec: z.number().int().nonnegative(),
    /** When the longest-waiting caller joined (ms; null: nobody waits): the pane counts the wait on from it. */
    longestWaitingSince: z.number().int().nonnegative().nullable(),
    /** Agents logged in (not offline) and available (ready), as QueueSummary's LoggedIn / Available. */
    agentsLoggedIn: z.number().int().nonnegative(),
    agentsAvailable: z.number().int().nonnegative(),
    offered: z.number().int().nonnegative(),
    answered: z.number().int().nonnegative(),
    abandoned: z.number().int().nonnegative(),
    answeredWithinSla: z.number().int().nonnegative(),
    /** Answered within `queue.slaSeconds` over answered + abandoned, 0..100; null before the first. */
    slaPercent: z.number().min(0).max(100).nullable(),
    /** True means of today's waits and talks (s) — not Asterisk's smoothed HoldTime / TalkTime. */
    avgWaitSec: z.number().nonnegative().nullable(),
    avgTalkSec: z.number().nonnegative().nullable(),
    /** The longest wait today (s), answered or abandoned. */
    longestWaitTodaySec: z.number().nonnegative(),
  })
  .strict();
export type QueueKpi = z.infer<typeof QueueKpiSchema>;

/** One clinic hour's calls: `hour` 0..23 in the clinic's time zone. */
export const HourBucketSchema = z.object({ hour: z.number().int().min(0).max(23), answered: z.number().int().nonnegative(), abandoned: z.number().int().nonnegative() }).strict();
export type HourBucket = z.infer<typeof HourBucketSchema>;

/** Callers waiting (all queues) at `at` — one sample a minute at most. */
export const WaitingSampleSchema = z.object({ at: z.number().int().nonnegative(), waiting: z.number().int().nonnegative() }).strict();
export type WaitingSample = z.infer<typeof WaitingSampleSchema>;
/** A day's worth of one-minute samples. */
export const WAITING_SAMPLES_MAX = 24 * 60;

/** Today's calls by wrap-up category, from every desk's wrap-ups. */
export const CategoryCountSchema = z.object({ category: z.string().min(1).max(80), count: z.number().int().positive() }).strict();
export type CategoryCount = z.infer<typeof CategoryCountSchema>;

/** The missed-call worklist's measure for today: missed calls called back within `callbacks.slaMinutes`. */
export const CallbackKpiSchema = z
  .object({
    slaMinutes: z.number().int().positive(),
    /** Tasks that started today (one per number). */
    tasksToday: z.number().int().nonnegative(),
    /** Processed (closed: reached, got through, wrong number, not needed) within the SLA, and at all. */
    closedWithinSla: z.number().int().nonnegative(),
    closed: z.number().int().nonnegative(),
    open: z.number().int().nonnegative(),
    overdue: z.number().int().nonnegative(),
    /** closedWithinSla over the tasks decided (closed, or open past the SLA), 0..100; null with none decided yet. */
    percentWithinSla: z.number().min(0).max(100).nullable(),
  })
  .strict();
export type CallbackKpi = z.infer<typeof CallbackKpiSchema>;

export const AlertKindSchema = z.enum(['waitingCallers', 'longestWait', 'slaBelowTarget']);
export type AlertKind = z.infer<typeof AlertKindSchema>;
/** A threshold crossed now (`queue` null: all queues together). */
export const SupervisorAlertSchema = z
  .object({ kind: AlertKindSchema, queue: QueueIdSchema.nullable(), value: z.number(), threshold: z.number(), since: z.number().int().nonnegative() })
  .strict();
export type SupervisorAlert = z.infer<typeof SupervisorAlertSchema>;

/**
 * The supervisor's monitor session: asked for (`connecting`: the PBX is ringing the supervisor's
 * phone), or running (`active`: ChanSpy started on the agent's channel).
 */
export const MonitorSessionSchema = z
  .object({
    state: z.enum(['connecting', 'active']),
    mode: MonitorModeSchema,
    supervisorExtension: ExtensionSchema,
    agent: AgentRefSchema,
    callId: CallIdSchema.nullable(),
    /** The monitored caller's number, starred like the board's (`BoardNumberSchema`). */
    number: BoardNumberSchema.nullable(),
    since: z.number().int().nonnegative(),
  })
  .strict();
export type MonitorSession = z.infer<typeof MonitorSessionSchema>;

export const SupervisorBoardSchema = z
  .object({
    /** False until the PBX link is up: the board is then empty, not "nobody works". */
    live: z.boolean(),
    connector: z.string().max(64),
    at: z.number().int().nonnegative(),
    /** The clinic day the figures are for (`YYYY-MM-DD`); they reset at the clinic's midnight. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    slaSeconds: z.number().int().positive(),
    /** The supervisor's own extension (null: none configured; monitoring then refused). */
    supervisorExtension: ExtensionSchema.nullable(),
    agents: z.array(SupervisorAgentSchema).max(2_000),
    queues: z.array(QueueKpiSchema).max(200),
    total: QueueKpiSchema,
    hourly: z.array(HourBucketSchema).length(24),
    waiting: z.array(WaitingSampleSchema).max(WAITING_SAMPLES_MAX),
    categories: z.array(CategoryCountSchema).max(200),
    callbacks: CallbackKpiSchema,
    thresholds: SupervisorSettingsSchema,
    alerts: z.array(SupervisorAlertSchema).max(400),
    monitor: MonitorSessionSchema.nullable(),
    /** Whether the PBX connector can monitor, transfer and pause others. */
    can: z.object({ monitor: z.boolean(), transfer: z.boolean(), pause: z.boolean() }).strict(),
  })
  .strict();
export type SupervisorBoard = z.infer<typeof SupervisorBoardSchema>;

/**
 * What a supervisor's transfer carries to the next operator ("transfer with context"): the
 * patient card to pop and a one-line note. Travels through the PBX's shared record.
 */
export const TransferNoteSchema = z.string().trim().max(200);
export const TransferContextSchema = z
  .object({
    number: CallNumberSchema,
    misId: MisIdSchema.nullable(),
    note: TransferNoteSchema,
    from: AgentRefSchema,
    to: ExtensionSchema,
    at: z.number().int().nonnegative(),
  })
  .strict();
export type TransferContext = z.infer<typeof TransferContextSchema>;

