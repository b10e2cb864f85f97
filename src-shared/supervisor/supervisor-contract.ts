/**
 * The supervisor's requests (docs/architecture.md, "Supervisor"). Main checks the desk's role on
 * every one: an operator or cashier desk gets `FORBIDDEN`, whatever its window shows.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { MisIdSchema } from '../patients/patient-card';
import { ExtensionSchema } from '../pbx/pbx-model';
import { PauseReasonSchema, SupervisorSettingsPatchSchema } from '../settings/settings-schema';
import { MonitorModeSchema, SupervisorBoardSchema, TransferNoteSchema } from './supervisor-model';

const Ok = z.object({ ok: z.literal(true) }).strict();

export const supervisorRequests = {
  /** The board as of now. */
  'supervisor.board': { input: NoInput, output: SupervisorBoardSchema },
  /**
   * Connects the supervisor's own extension to the call `extension` is on, in `mode` (listen,
   * whisper, barge). With a session running, another agent's call ends it first; the same agent's
   * call switches the mode instead (ChanSpy's DTMF switching). `PBX_REFUSED` when the agent has no call.
   */
  'supervisor.monitor': { input: z.object({ extension: ExtensionSchema, mode: MonitorModeSchema }).strict(), output: Ok },
  /** Ends the supervisor's monitor session (hangs up the supervisor's spy leg). */
  'supervisor.stopMonitor': { input: NoInput, output: Ok },
  /**
   * Sends the call `extension` is on to `target` (a blind transfer: the caller's channel is
   * redirected), with the patient card and a one-line note for the target's screen pop.
   */
  'supervisor.transfer': {
    input: z.object({ extension: ExtensionSchema, target: ExtensionSchema, misId: MisIdSchema.nullable(), note: TransferNoteSchema }).strict(),
    output: Ok,
  },
  /** Pauses (with a reason) or unpauses another agent on the PBX. */
  'supervisor.setAgentStatus': {
    input: z.discriminatedUnion('state', [
      z.object({ extension: ExtensionSchema, state: z.literal('ready') }).strict(),
      z.object({ extension: ExtensionSchema, state: z.literal('paused'), reason: PauseReasonSchema }).strict(),
    ]),
    output: Ok,
  },
  /** Hands a callback task to another operator (claims it in their name on every desk). */
  'supervisor.reassignCallback': { input: z.object({ id: z.string().min(1).max(80), extension: ExtensionSchema }).strict(), output: Ok },
  /** Sets the board's thresholds (stored in this desk's settings, group `supervisor`). */
  'supervisor.setThresholds': { input: SupervisorSettingsPatchSchema, output: Ok },
} as const satisfies RequestTable;

export const supervisorEvents = {
  /** The board changed (coalesced, at most a few times a second); sent to supervisor desks only. */
  'supervisor:changed': SupervisorBoardSchema,
} as const satisfies EventTable;
