/** Exit code of a refused start (bad arguments, provisioning file, data folder, port, lock) in both hosts. */
export const EXIT_REFUSED = 2;

/**
 * A start the desk refuses for a reason the person starting it can fix. The message is one
 * line that names the problem and what to do; hosts print it as
 * `Registratura could not start: <message>` and exit with EXIT_REFUSED, never with a stack.
 */
export class StartupError extends Error {
  readonly exitCode = EXIT_REFUSED;
  constructor(
    message: string,
    /** The errno code behind it (`EACCES`, `EADDRINUSE` …), for the log. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The one line a host prints for a refused start: single line, whatever the message held. */
export function startupLine(message: string): string {
  return `Registratura could not start: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
}

export function errnoCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
