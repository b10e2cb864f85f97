/**
 * The PBX as the desk sees it (CTI mode: calls on this desk's hardware phone).
 */
import { z } from 'zod';
import { CallIdSchema, CallNumberSchema } from '../calls/calls-contract';
import type { EventTable } from '../ipc/contract-table';

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
} as const satisfies EventTable;
