import { z } from 'zod';

/** One request: what the renderer sends and what main answers, both checked on every call. */
export interface RequestSpec {
  input: z.ZodType;
  output: z.ZodType;
}

/** A domain's requests, `domain.verb` → spec; `contract.ts` composes them. */
export type RequestTable = Record<string, RequestSpec>;

/** A domain's push events, `domain:event` → payload schema. */
export type EventTable = Record<string, z.ZodType>;

/** The input of a request that takes none. */
export const NoInput = z.object({}).strict();
