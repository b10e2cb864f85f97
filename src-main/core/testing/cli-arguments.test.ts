import { describe, expect, it } from 'vitest';
import { cliArgument, cliFlag, cliInteger } from './cli-arguments';

describe('the measuring tools\' options', () => {
  const argv = ['node', 'bench.mjs', '--cards', '1_000_000', '--json', 'out.json', '--seed', 'x', '--only'];

  it('reads a value, an integer with underscores, and the fallback of an absent option', () => {
    expect(cliArgument('json', argv)).toBe('out.json');
    expect(cliArgument('cipher', argv)).toBeUndefined();
    expect(cliInteger('cards', 5, 1, argv)).toBe(1_000_000);
    expect(cliInteger('queries', 2_000, 1, argv)).toBe(2_000);
  });

  it('reads a switch by its presence alone', () => {
    expect(cliFlag('only', argv)).toBe(true);
    expect(cliFlag('node-default-sweeping', argv)).toBe(false);
  });

  it('names the option whose value is missing or not a number, or below its minimum', () => {
    expect(() => cliArgument('only', argv)).toThrow('--only needs a value');
    expect(() => cliArgument('cards', ['--cards', '--json'])).toThrow('--cards needs a value');
    expect(() => cliInteger('seed', 1, 0, argv)).toThrow('--seed must be an integer ≥ 0, got x');
    expect(() => cliInteger('cards', 1, 1, ['--cards', '0'])).toThrow('--cards must be an integer ≥ 1, got 0');
  });
});
