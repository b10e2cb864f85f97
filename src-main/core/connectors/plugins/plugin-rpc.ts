import { z } from 'zod';
import { DiagnosticHintSchema } from '../../../../src-shared/connectors/connector-model';
import { BookingRejectionSchema } from '../../../../src-shared/schedule/schedule-model';
import { MisError, type MisErrorKind } from '../mis/mis-connector';

/**
 * The typed message RPC between the desk and a plugin's isolated worker (docs/connector-sdk.md,
 * "Isolation"). Every message crosses as one JSON text, so the host can measure it before it
 * parses it and validate it after: a plugin is untrusted code, and a malformed message is
 * misbehaviour, never something the host trips over.
 *
 * Host → plugin: `start` once, then `call`s. Plugin → host: `ready` or `start-failed`, a
 * `result` per call (by its id), and `log` lines.
 */

/** Methods a host may call in a plugin: the MIS interface, `diagnose(step)`, and `control…` hooks a plugin defines for tests and demos. */
export const PLUGIN_CALLABLE_METHODS = ['health', 'changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'streamChangesSince', 'diagnose', 'preview'] as const;
export type PluginCallableMethod = (typeof PLUGIN_CALLABLE_METHODS)[number];
/** A plugin-defined control hook (`controlEdit`): not part of the SDK contract, used by the plugin's own tests and demos. */
export const PLUGIN_CONTROL_METHOD = /^control[A-Z][A-Za-z0-9]{0,60}$/;
export type PluginControlMethod = `control${string}`;

export type HostToPluginMessage =
  | { type: 'start'; main: string; config: unknown; pluginDir: string; stateDir: string }
  | { type: 'call'; id: number; method: string; args: unknown[] };

/** An error as a plugin threw it, reduced by the bootstrap to plain data. */
export const RemoteErrorSchema = z.object({
  message: z.string().max(2000),
  kind: z.string().max(40).optional(),
  permanent: z.boolean().optional(),
  rejection: z.string().max(40).optional(),
  hint: z.string().max(40).optional(),
});
export type RemoteError = z.infer<typeof RemoteErrorSchema>;

const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const PluginToHostMessageSchema = z.union([
  z.object({ type: z.literal('ready'), methods: z.array(z.string().max(80)).max(100) }).strict(),
  z.object({ type: z.literal('start-failed'), stage: z.enum(['load', 'config']), error: RemoteErrorSchema }).strict(),
  z.object({ type: z.literal('result'), id: z.number().int().positive(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ type: z.literal('result'), id: z.number().int().positive(), ok: z.literal(false), error: RemoteErrorSchema }).strict(),
  z
    .object({
      type: z.literal('log'),
      level: LogLevelSchema,
      event: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'must be 1–80 letters, digits, dots, dashes or underscores'),
      context: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);
export type PluginToHostMessage = z.infer<typeof PluginToHostMessageSchema>;

/** A call the plugin answered with an error: what it threw, as data (the connector maps it per method). */
export class PluginRemoteError extends Error {
  constructor(
    readonly method: string,
    readonly remote: RemoteError,
  ) {
    super(remote.message);
    this.name = 'PluginRemoteError';
  }
}

const MIS_ERROR_KINDS: readonly MisErrorKind[] = ['unreachable', 'timeout', 'rejected', 'auth', 'protocol'];

/**
 * What a plugin threw, as the desk's {@link MisError}: `{ kind, message, permanent?, rejection? }`
 * keeps its kind (a booking `rejection` only when it is one the desk knows); anything else is
 * `unreachable` (transient) with "plugin error: …", so the outbox retries it.
 */
export function misErrorFromRemote(pluginId: string, remote: RemoteError): MisError {
  const kind = MIS_ERROR_KINDS.find((known) => known === remote.kind);
  const message = clip(remote.message);
  if (!kind) return new MisError('unreachable', `Plugin "${pluginId}" error: ${message}`);
  const rejection = BookingRejectionSchema.safeParse(remote.rejection);
  return new MisError(kind, message, {
    ...(remote.permanent === undefined ? {} : { permanent: remote.permanent }),
    ...(rejection.success ? { rejection: rejection.data } : {}),
  });
}

/** The diagnostic hint a plugin named, when it is one the desk knows. */
export function remoteHint(remote: RemoteError): z.infer<typeof DiagnosticHintSchema> | null {
  const hint = DiagnosticHintSchema.safeParse(remote.hint);
  return hint.success ? hint.data : null;
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
