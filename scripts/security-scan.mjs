// `node scripts/security-scan.mjs [--require-audit] [--only electronegativity|npm-audit] [--out DIR]`
//
// The security scan CI runs (`.ci/run`), two checks side by side:
// 1. Electronegativity (pinned, fetched by `npm exec`, not a dependency) over the Electron main
//    process, the preload, the CSP and the renderer: any HIGH finding fails; a MEDIUM one fails
//    unless scripts/security-allow-list.json accepts it with a reason; LOW is printed.
// 2. `npm audit --omit=dev`: any high or critical advisory fails unless the allow-list names it
//    with a reason. Where the registry has no audit service (this repo's CI mirror answers 405)
//    the audit is reported NOT CHECKED; `--require-audit` makes that a failure (release builds).
// Reports go to artifacts/security/ (electronegativity.csv / .json, npm-audit.json). Exit code:
// 0 passed, 1 a finding fails, 2 the scan itself could not run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ELECTRONEGATIVITY_PACKAGE,
  ELECTRONEGATIVITY_VERSION,
  findingsCsv,
  judgeAudit,
  judgeElectronegativity,
  parseAllowList,
  stageScanInput,
  toFindings,
} from './security-scan-lib.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCAN_DEADLINE_MS = 5 * 60_000;
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function parseArgs(argv) {
  const options = { requireAudit: false, only: null, out: join(repoRoot, 'artifacts', 'security') };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--require-audit') options.requireAudit = true;
    else if (argument === '--only') options.only = argv[++index];
    else if (argument === '--out') options.out = resolve(argv[++index] ?? '');
    else throw new Error(`unknown argument ${argument}; usage: security-scan.mjs [--require-audit] [--only electronegativity|npm-audit] [--out DIR]`);
  }
  if (options.only !== null && options.only !== 'electronegativity' && options.only !== 'npm-audit') throw new Error('--only takes electronegativity or npm-audit');
  return options;
}

/** Runs a command without a shell (npm.cmd needs one on Windows) and collects its output. */
function run(command, args, { cwd = repoRoot, env = process.env } = {}) {
  const windows = process.platform === 'win32';
  return new Promise((resolvePromise, reject) => {
    const child = spawn(windows && command === 'npm' ? 'npm.cmd' : command, args, { cwd, env, shell: windows, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * Fetches the pinned Electronegativity into npm's exec cache (a no-op when cached) and returns
 * its folder: `npm exec` puts the package's bin folder first on PATH, and the package sits
 * beside it. It is then driven through its programmatic API, which returns severities and the
 * files it could not parse (the CLI's CSV writer races its own header; the SARIF has no severity).
 */
async function locateElectronegativity() {
  const spec = `${ELECTRONEGATIVITY_PACKAGE}@${ELECTRONEGATIVITY_VERSION}`;
  const result = await run('npm', ['exec', '--yes', `--package=${spec}`, '--', 'node', '-p', 'process.env.PATH']);
  if (result.code !== 0) throw new Error(`npm exec ${spec} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  for (const entry of result.stdout.trim().split(delimiter)) {
    const packageJson = join(entry, '..', ...ELECTRONEGATIVITY_PACKAGE.split('/'), 'package.json');
    if (!existsSync(packageJson)) continue;
    const version = JSON.parse(readFileSync(packageJson, 'utf8')).version;
    if (version === ELECTRONEGATIVITY_VERSION) return dirname(packageJson);
  }
  throw new Error(`npm exec did not provide ${spec}`);
}

async function scanElectronegativity(allowList, outDir) {
  const electronVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const packageDir = await locateElectronegativity();
  const stageDir = mkdtempSync(join(tmpdir(), 'registratura-electronegativity-'));
  try {
    const staged = stageScanInput(repoRoot, stageDir);
    const runner = createRequire(join(packageDir, 'package.json'))('./dist/runner.js');
    // Built by Babel with add-module-exports: the module is the function itself.
    const runScan = typeof runner === 'function' ? runner : runner.default;
    // Electronegativity fetches Electron's release list without a timeout; a network that drops
    // packets must not hold CI for minutes.
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Electronegativity did not finish within ${SCAN_DEADLINE_MS / 1000} s`)), SCAN_DEADLINE_MS);
    });
    const scan = runScan(
      {
        input: stageDir,
        isRelative: true,
        isVerbose: false,
        customScan: [],
        excludeFromScan: [],
        electronVersionOverride: electronVersion,
        parserPlugins: [],
      },
      false,
    );
    const result = await Promise.race([scan, deadline]).finally(() => clearTimeout(timer));
    const unparsed = result.errors.filter((error) => !error.tolerable).map((error) => `${relative(stageDir, error.file)}: ${error.message}`);
    const verdict = judgeElectronegativity(toFindings(result.issues), allowList);
    writeFileSync(join(outDir, 'electronegativity.csv'), findingsCsv(verdict.findings));
    writeFileSync(join(outDir, 'electronegativity.json'), `${JSON.stringify({ tool: `${ELECTRONEGATIVITY_PACKAGE}@${ELECTRONEGATIVITY_VERSION}`, electronVersion, files: staged, unparsed, ...verdict }, null, 2)}\n`);
    return { electronVersion, staged, unparsed, checks: result.globalChecks + result.atomicChecks, verdict };
  } finally {
    rmSync(stageDir, { recursive: true, force: true });
  }
}

async function scanNpmAudit(allowList, outDir) {
  // --omit=dev: what ships in the installers (electron-builder packs production dependencies only).
  const result = await run('npm', ['audit', '--omit=dev', '--json']);
  writeFileSync(join(outDir, 'npm-audit.json'), result.stdout || '{}\n');
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = { message: (result.stderr.trim().split('\n').pop() || `npm audit exited ${result.code} without JSON`).slice(0, 300) };
  }
  return judgeAudit(report, allowList);
}

function printElectronegativity(scan) {
  const { verdict } = scan;
  console.log(`Electronegativity ${ELECTRONEGATIVITY_VERSION}: ${scan.checks} checks on ${scan.staged.length} files (Electron ${scan.electronVersion})`);
  const accepted = verdict.findings.filter((finding) => finding.accepted !== null).length;
  console.log(`  ${Object.entries(verdict.counts).map(([severity, count]) => `${severity} ${count}`).join(' · ')}  (accepted by the allow-list: ${accepted})`);
  for (const finding of verdict.findings) {
    const where = finding.line ? `${finding.file}:${finding.line}` : finding.file;
    const state = finding.failing ? 'FAIL' : finding.accepted !== null ? 'accepted' : 'note';
    console.log(`  ${state.padEnd(8)} ${finding.severity.padEnd(6)} ${finding.id} ${where}${finding.accepted !== null ? ` — ${finding.accepted}` : ''}`);
  }
  for (const entry of verdict.stale) console.log(`  stale allow-list entry (matches nothing now; remove it): ${entry.check} ${entry.file} "${entry.sample}"`);
  for (const problem of scan.unparsed) console.log(`  FAIL     could not parse, so not scanned: ${problem}`);
}

function printAudit(audit) {
  if (!audit.available) {
    console.log(`npm audit --omit=dev: NOT CHECKED — ${audit.reason}`);
    return;
  }
  console.log(`npm audit --omit=dev: ${Object.entries(audit.counts).map(([level, count]) => `${level} ${count}`).join(' · ')}`);
  for (const advisory of audit.failing) console.log(`  FAIL     ${advisory.severity} ${advisory.package} ${advisory.id} ${advisory.title}`);
  for (const advisory of audit.accepted) console.log(`  accepted ${advisory.severity} ${advisory.package} ${advisory.id} — ${advisory.reason}`);
  for (const entry of audit.stale) console.log(`  stale allow-list entry (matches nothing now; remove it): ${entry.package} ${entry.advisory}`);
}

async function main() {
  let options;
  let allowList;
  try {
    options = parseArgs(process.argv.slice(2));
    allowList = parseAllowList(JSON.parse(readFileSync(join(repoRoot, 'scripts', 'security-allow-list.json'), 'utf8')));
  } catch (error) {
    console.error(`security scan: ${error.message}`);
    return 2;
  }
  mkdirSync(options.out, { recursive: true });
  const wantScanner = options.only !== 'npm-audit';
  const wantAudit = options.only !== 'electronegativity';
  const [scanner, audit] = await Promise.allSettled([
    wantScanner ? scanElectronegativity(allowList.electronegativity, options.out) : Promise.resolve(null),
    wantAudit ? scanNpmAudit(allowList.npmAudit, options.out) : Promise.resolve(null),
  ]);

  const failures = [];
  let broken = false;
  if (scanner.status === 'rejected') {
    console.log(`Electronegativity: could not run — ${scanner.reason?.message ?? scanner.reason}`);
    broken = true;
  } else if (scanner.value) {
    printElectronegativity(scanner.value);
    const failing = scanner.value.verdict.failing;
    if (failing.some((finding) => finding.severity === 'HIGH')) failures.push('a HIGH Electronegativity finding');
    if (failing.some((finding) => finding.severity === 'MEDIUM')) failures.push('a MEDIUM Electronegativity finding not in the allow-list');
    if (scanner.value.unparsed.length > 0) failures.push('a file Electronegativity could not parse');
  }
  if (audit.status === 'rejected') {
    console.log(`npm audit: could not run — ${audit.reason?.message ?? audit.reason}`);
    broken = true;
  } else if (audit.value) {
    printAudit(audit.value);
    if (audit.value.failing.length > 0) failures.push('a high or critical advisory not in the allow-list');
    if (!audit.value.available && options.requireAudit) failures.push('npm audit unavailable and --require-audit was given');
  }

  const reports = relative(process.cwd(), options.out) || '.';
  if (broken) {
    console.log(`security scan: COULD NOT RUN (${seconds()}); reports in ${reports}/`);
    return 2;
  }
  if (failures.length > 0) {
    console.log(`security scan: FAILED — ${failures.join('; ')} (${seconds()}); reports in ${reports}/. See README "Security scanning".`);
    return 1;
  }
  console.log(`security scan: passed (${seconds()}); reports in ${reports}/`);
  return 0;
}

// Exit explicitly: a request the scanner left open must not keep the process (and CI) waiting.
process.exit(await main());
