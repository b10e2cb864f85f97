import { allRequests, isDemoRequestName, isRequestName, requests, type DemoRequestName, type ParsedRequestInput, type ProductionRequestName, type RequestName, type RequestOutput } from '../../../src-shared/ipc/contract';
import { demoRequests } from '../../../src-shared/demo/demo-contract';
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

/** A handler for every production request (the demo controls are {@link DemoHandlerTable}). */
export type HandlerTable = { [N in ProductionRequestName]: Handler<N> };

/** The demo clinic's controls: given only while a demo connector runs. */
export type DemoHandlerTable = { [N in DemoRequestName]: Handler<N> };

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
 * Binds the contract to its handlers. Refuses to start unless every production request has
 * exactly one handler, so a forgotten handler fails at start-up, not when someone clicks. The
 * demo controls come as a whole (while a demo connector runs) or not at all — then each is
 * refused with `DEMO_ONLY`. Every input is validated (the renderer is untrusted) and every
 * output too; errors leave as `{code, message}`, unexpected ones as INTERNAL with a reference,
 * the stack only in the log.
 */
export function createDispatcher(handlers: Partial<HandlerTable & DemoHandlerTable> & object, logger: Logger): Dispatcher {
  const given = Object.keys(handlers);
  const has = (name: string) => typeof (handlers as Record<string, unknown>)[name] === 'function';
  const demoNames = Object.keys(demoRequests);
  const demoGiven = demoNames.filter(has);
  const missing = [...Object.keys(requests).filter((name) => !has(name)), ...(demoGiven.length > 0 ? demoNames.filter((name) => !has(name)) : [])];
  const unexpected = given.filter((name) => !Object.hasOwn(allRequests, name));
  if (missing.length > 0 || unexpected.length > 0) throw new MissingHandlersError(missing, unexpected);
  const table = handlers as HandlerTable & Partial<DemoHandlerTable>;
  const demoOn = demoGiven.length > 0;

  return {
    async dispatch(name, input, context) {
      if (!isRequestName(name)) {
        return fail('UNKNOWN_REQUEST', `Unknown request "${String(name).slice(0, 64)}".`);
      }
      if (isDemoRequestName(name) && !demoOn) {
        return fail('DEMO_ONLY', `${name} drives the demo clinic, and this desk runs no demo connector.`);
      }
      const spec = allRequests[name];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
        return fail('INVALID_INPUT', `Invalid input for ${name}${where}: ${first?.message ?? 'invalid'}.`);
      }
      try {
        const handler = table[name as keyof typeof table] as (input: unknown, context: RequestContext) => unknown;
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
