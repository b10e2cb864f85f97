import {
  isRequestName,
  requests,
  type ParsedRequestInput,
  type RequestName,
  type RequestOutput,
} from '../../../src-shared/ipc/contract';
import { DeskError, type DeskResult } from '../../../src-shared/ipc/errors';
import type { Logger } from '../log/logger';

/** Who is asking: the host fills this in after its own sender checks. */
export interface RequestContext {
  host: 'electron' | 'web';
  /** A connection or window id, for logs only. */
  client: string;
}

export type Handler<N extends RequestName> = (
  input: ParsedRequestInput<N>,
  context: RequestContext,
) => Promise<RequestOutput<N>> | RequestOutput<N>;

export type HandlerTable = { [N in RequestName]: Handler<N> };

export class MissingHandlersError extends Error {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
  ) {
    super(
      [
        missing.length > 0 ? `contract requests without a handler: ${missing.join(', ')}` : '',
        unexpected.length > 0 ? `handlers for requests not in the contract: ${unexpected.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
    this.name = 'MissingHandlersError';
  }
}

export interface Dispatcher {
  dispatch(name: unknown, input: unknown, context: RequestContext): Promise<DeskResult<unknown>>;
}

/**
 * Binds the contract to its handlers. Refuses to start unless every contract request has
 * exactly one handler, so a forgotten handler fails at start-up, not when someone clicks.
 * Every input is validated (the renderer is untrusted) and every output too; errors leave as
 * `{code, message}`, unexpected ones as INTERNAL with a reference, the stack only in the log.
 */
export function createDispatcher(handlers: Partial<HandlerTable> & object, logger: Logger): Dispatcher {
  const expected = Object.keys(requests);
  const given = Object.keys(handlers);
  const missing = expected.filter((name) => typeof (handlers as Record<string, unknown>)[name] !== 'function');
  const unexpected = given.filter((name) => !expected.includes(name));
  if (missing.length > 0 || unexpected.length > 0) throw new MissingHandlersError(missing, unexpected);
  const table = handlers as HandlerTable;

  return {
    async dispatch(name, input, context) {
      if (!isRequestName(name)) {
        return fail('UNKNOWN_REQUEST', `Unknown request "${String(name).slice(0, 64)}".`);
      }
      const spec = requests[name];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
        return fail('INVALID_INPUT', `Invalid input for ${name}${where}: ${first?.message ?? 'invalid'}.`);
      }
      try {
        const handler = table[name] as (input: unknown, context: RequestContext) => unknown;
        const output = await handler(parsed.data, context);
        const checked = spec.output.safeParse(output);
        if (!checked.success) {
          const reference = newReference();
          logger.error('ipc.invalid-output', { request: name, reference, issue: checked.error.issues[0]?.message });
          return fail('INVALID_OUTPUT', `The desk produced an invalid answer to ${name} (ref ${reference}).`);
        }
        return { ok: true, value: checked.data };
      } catch (error) {
        if (error instanceof DeskError) return { ok: false, error: error.toPayload() };
        const reference = newReference();
        logger.error('ipc.handler-failed', { request: name, reference, client: context.client, error });
        return fail('INTERNAL', `Something went wrong in ${name} (ref ${reference}); it has been logged.`);
      }
    },
  };
}

function fail(code: DeskError['code'], message: string): DeskResult<never> {
  return { ok: false, error: { code, message } };
}

function newReference(): string {
  return Math.random().toString(36).slice(2, 8).toUpperCase();
}
