import { parseAuditVerifyArgs, runAuditVerify } from './verify-command';

/**
 * `npm run audit:verify -- --data-dir DIR`: entry point built by scripts/audit-verify.mjs.
 * Prints exactly one line; exit 0 intact, 1 broken, 2 not verifiable (or bad usage).
 */
function main(): void {
  const args = parseAuditVerifyArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write('usage: npm run audit:verify -- --data-dir DIR\n');
    process.exitCode = 2;
    return;
  }
  const outcome = runAuditVerify(args.dataDir);
  (outcome.code === 2 ? process.stderr : process.stdout).write(`${outcome.line}\n`);
  process.exitCode = outcome.code;
}

main();
