/**
 * The command-line options of the measuring tools (`npm run bench`, `npm run soak`): one reading
 * of `--name value`, one of integers. A missing value or a bad number is an error that names the
 * option, never a silent default.
 */

/** `--name value` from `argv`; undefined when the option is absent. */
export function cliArgument(name: string, argv: readonly string[] = process.argv): string | undefined {
  const index = argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

/** An integer `--name` (`1_000_000` allowed), at least `minimum`; `fallback` when absent. */
export function cliInteger(name: string, fallback: number, minimum: number, argv: readonly string[] = process.argv): number {
  const raw = cliArgument(name, argv);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < minimum) throw new Error(`--${name} must be an integer ≥ ${minimum}, got ${raw}`);
  return value;
}

/** A switch `--name` without a value: whether it is present. */
export function cliFlag(name: string, argv: readonly string[] = process.argv): boolean {
  return argv.includes(`--${name}`);
}
