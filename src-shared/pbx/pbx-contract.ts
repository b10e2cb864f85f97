/**
 * The PBX as the desk sees it: the live queue board, this desk's agent status, and CTI calls
 * on this desk's hardware phone.
 */
import { z } from 'zod';
import { CallIdSchema, CallNumberSchema } from '../calls/calls-contract';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { PauseReasonSchema } from '../settings/settings-schema';
import { ExtensionSchema, PbxSnapshotSchema } from './pbx-model';

/**
 * The queue view: the PBX's board, the cached patient name of each waiting or talking number
 * (the renderer never sees a card it did not ask for, only the name), and this desk's agent.
 */
export const QueueViewSchema = z
  .object({
    /** The configured PBX connector (`demo`, `asterisk-ami`). */
    connector: z.string().max(64),
    /** False until the first snapshot after a (re)connect: the board is then empty, not "nobody waits". */
    live: z.boolean(),
    board: PbxSnapshotSchema,
    /** number → "Surname Given Patronymic" for numbers the cache knows. */
    patientNames: z.record(CallNumberSchema, z.string().max(200)),
    /** This desk's agent extension (null: none configured). */
    agentExtension: ExtensionSchema.nullable(),
    slaSeconds: z.number().int().positive(),
  })
  .strict();
export type QueueView = z.infer<typeof QueueViewSchema>;

/** What the operator asks for in the status bar: ready, or paused with one of the reasons. */
export const AgentStatusRequestSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready') }).strict(),
  z.object({ state: z.literal('paused'), reason: PauseReasonSchema }).strict(),
]);
export type AgentStatusRequest = z.infer<typeof AgentStatusRequestSchema>;

export const pbxRequests = {
  /** The live queue board as of now. */
  'queue.view': { input: NoInput, output: QueueViewSchema },
  /**
   * Pauses (with a reason) or unpauses this desk's agent on the PBX. Resolves when the PBX
   * accepted it; the status itself changes only when the PBX's own event says so (`queue:changed`).
   * A refusal is `PBX_REFUSED` with the PBX's reason; no PBX link is `PBX_UNAVAILABLE`.
   */
  'agent.setStatus': { input: AgentStatusRequestSchema, output: z.object({ ok: z.literal(true) }).strict() },
} as const satisfies RequestTable;

export const pbxEvents = {
  /**
   * CTI mode (an operator on a hardware desk phone): the PBX reports a call on this desk's
   * extension. The renderer pops the card on `ringing` as it does for a softphone INVITE.
   */
  'pbx:call': z
    .object({
      event: z.enum(['ringing', 'answered', 'ended']),
      callId: CallIdSchema,
      number: CallNumberSchema,
      extension: z.string().min(1).max(32),
    })
    .strict(),
  /** The queue board changed (coalesced: at most a few times a second under load). */
  'queue:changed': QueueViewSchema,
} as const satisfies EventTable;
