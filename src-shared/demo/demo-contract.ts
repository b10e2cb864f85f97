/**
 * The demo clinic's controls (training, sales demos, e2e): NOT part of the production contract.
 * Main answers them only while the demo MIS or demo PBX runs; otherwise `DEMO_ONLY`.
 */
import { z } from 'zod';
import { CallIdSchema, CallNumberSchema } from '../calls/calls-contract';
import type { RequestTable } from '../ipc/contract-table';
import { MisIdSchema } from '../patients/patient-card';
import { ScheduleIdSchema } from '../schedule/schedule-model';

/** One submission the demo MIS ledger applied (for e2e: "exactly one delivery"). */
export const DemoLedgerEntrySchema = z
  .object({
    kind: z.string().min(1).max(64),
    /** The idempotency key it was applied under. */
    key: z.string().min(1).max(128),
    /** The demo MIS's reference for it (what its `submit` answered). */
    ref: z.string().max(256),
    /** The desk's id of the change (`payload.localId`: the draft id, `wrapup:<callId>`), else the key. */
    localId: z.string().max(512),
    /** How many times that key was received (1 = first delivery only; more = retries answered duplicate). */
    receipts: z.number().int().positive(),
  })
  .strict();

export const demoRequests = {
  /**
   * Drives the embedded demo clinic (training, sales demos, tests): edit a patient as the MIS
   * staff would, or take the MIS offline. Refused when the MIS is not the demo clinic.
   */
  'demo.simulate': {
    input: z.discriminatedUnion('action', [
      z
        .object({
          action: z.literal('edit-patient'),
          misId: MisIdSchema,
          surname: z.string().trim().min(1).max(100).optional(),
          givenName: z.string().trim().min(1).max(100).optional(),
        })
        .strict(),
      z.object({ action: z.literal('set-offline'), offline: z.boolean() }).strict(),
      /** The demo PBX rings this desk's extension (CTI mode): `pbx:call` ringing with a fresh call id. */
      z
        .object({
          action: z.literal('pbx-ringing'),
          number: CallNumberSchema.min(1),
          extension: z.string().min(1).max(32),
        })
        .strict(),
      /** The demo PBX answers the call on the desk phone: `pbx:call` answered. */
      z.object({ action: z.literal('pbx-answered'), callId: CallIdSchema }).strict(),
      /** The demo PBX ends the call: `pbx:call` ended. */
      z.object({ action: z.literal('pbx-ended'), callId: CallIdSchema }).strict(),
      /**
       * Another channel of the clinic (the front desk, the patient app) books this slot in the
       * demo MIS now, as if between the operator seeing it and confirming. `applied`: false when
       * it was not free.
       */
      z.object({ action: z.literal('take-slot'), slotId: ScheduleIdSchema }).strict(),
      /**
       * Moves the desk's call-list clock forward (training and tests: a retry delay passes at
       * once). Only the outbound lists read this clock.
       */
      z.object({ action: z.literal('advance-clock'), ms: z.number().int().min(0).max(7 * 24 * 3_600_000) }).strict(),
    ]),
    /** `callId`: the call a `pbx-ringing` created (absent for the other actions). */
    output: z.object({ applied: z.boolean(), callId: CallIdSchema.optional() }).strict(),
  },
  /**
   * The demo MIS's persisted ledger of applied submissions (what e2e counts to prove "exactly
   * once"), optionally of one kind, oldest first. Refused when the MIS is not the demo clinic.
   */
  'demo.ledger': {
    input: z.object({ kind: z.string().min(1).max(64).optional() }).strict(),
    output: z.object({ entries: z.array(DemoLedgerEntrySchema) }).strict(),
  },
} as const satisfies RequestTable;
