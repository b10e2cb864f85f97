import { z } from 'zod';

/**
 * An event the renderer reports to main's log (`diagnostics.report`): a dotted name and a few
 * code values. The shapes are strict on purpose — letters, digits and `._:-` only — so no text
 * a caller or patient typed (a display name, a number) can reach the log this way.
 */
export const DIAGNOSTIC_EVENT = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+){1,3}$/;
/** A method, a status, a reason code. */
export const DIAGNOSTIC_VALUE = /^[A-Za-z0-9._:-]{1,64}$/;
export const DIAGNOSTIC_KEY = /^[a-z][A-Za-z0-9]{0,31}$/;
/** Most keys in one event's detail. */
export const DIAGNOSTIC_MAX_KEYS = 8;

export const DiagnosticReportSchema = z
  .object({
    event: z.string().max(100).regex(DIAGNOSTIC_EVENT, 'an event is a dotted lower-case name'),
    detail: z
      .record(z.string().regex(DIAGNOSTIC_KEY), z.string().regex(DIAGNOSTIC_VALUE, 'detail values are codes'))
      .refine((detail) => Object.keys(detail).length <= DIAGNOSTIC_MAX_KEYS, `at most ${DIAGNOSTIC_MAX_KEYS} details`),
  })
  .strict();
export type DiagnosticReport = z.infer<typeof DiagnosticReportSchema>;
