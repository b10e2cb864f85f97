import { AUDIT_VERIFY_USAGE, parseAuditVerifyArgs, runAuditVerify } from './verify-command';

/**
 * `npm run audit:verify -- --data-dir DIR [--entries N] [--card MISID]`: entry point built by
 * scripts/audit-verify.mjs. Prints the one verdict line, then (when asked for) one line per
 * entry, oldest first; exit 0 intact, 1 broken, 2 not verifiable (or bad usage).
 */
function main(): void {
  const args = parseAuditVerifyArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${AUDIT_VERIFY_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const { dataDir, ...options } = args;
  const outcome = runAuditVerify(dataDir, options);
  (outcome.code === 2 ? process.stderr : process.stdout).write(`${outcome.line}\n`);
  for (const line of outcome.entries ?? []) process.stdout.write(`${line}\n`);
  process.exitCode = outcome.code;
}

main();
