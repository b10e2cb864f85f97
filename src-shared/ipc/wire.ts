import { z } from 'zod';
import { DeskErrorSchema } from './errors';

/** Frames of the browser host's WebSocket bridge; both ends parse every frame with these. */
export const ClientFrameSchema = z
  .object({
    type: z.literal('request'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    name: z.string().max(128),
    input: z.unknown(),
  })
  .strict();
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

// A plain union: zod 4's discriminatedUnion refuses two members with the same `type`
// ('response' with ok true / ok false) and throws on every parse.
export const ServerFrameSchema = z.union([
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: DeskErrorSchema }).strict(),
  z.object({ type: z.literal('event'), name: z.string(), payload: z.unknown() }).strict(),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Path of the bridge on the browser host. */
export const BRIDGE_PATH = '/bridge';
