// The rules of `scripts/security-scan.mjs`, kept free of processes and the network so that
// `security-scan.test.ts` can feed them findings and audit reports and watch them fail.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** The pinned scanner. Not a dependency of the project (it is large): fetched by `npm exec`. */
export const ELECTRONEGATIVITY_PACKAGE = '@doyensec/electronegativity';
export const ELECTRONEGATIVITY_VERSION = '1.10.3';

/**
 * What Electronegativity reads: the Electron main process, the preload, the policy the app://
 * handler sends (CSP), and the renderer with its index.html (global checks such as CSP and
 * navigation limits need the whole app in one run). Tests, test doubles and the browser host
 * are left out: they are not shipped in the Electron app.
 */
export const SCAN_ROOTS = ['src-main/electron', 'src-preload', 'src-main/core/security', 'src-renderer'];

const SCANNED_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.html'];

/**
 * Whether a repository path (forward slashes) is shipped code the scanner should read: a source
 * or HTML file under one of SCAN_ROOTS that is not a test, a test double or a type declaration.
 * @param {string} path
 */
export function isScannedSource(path) {
  if (!SCAN_ROOTS.some((root) => path.startsWith(`${root}/`))) return false;
  if (!SCANNED_EXTENSIONS.some((extension) => path.endsWith(extension))) return false;
  if (path.endsWith('.d.ts')) return false;
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(path)) return false;
  if (/(^|\/)(testing|__tests__|__mocks__)\//.test(path)) return false;
  return true;
}

/**
 * Copies the files to scan from `repoRoot` into `stageDir`, keeping their repository paths, so
 * the report names `src-main/electron/windows.ts`, not a temporary path. Throws when a root is
 * missing or yields no file: a renamed folder must not turn into a silent "no findings".
 * @param {string} repoRoot
 * @param {string} stageDir
 * @returns {string[]} the staged repository paths
 */
export function stageScanInput(repoRoot, stageDir) {
  const staged = [];
  for (const root of SCAN_ROOTS) {
    const absoluteRoot = join(repoRoot, root);
    if (!existsSync(absoluteRoot)) throw new Error(`scan input missing: ${root}/ (update SCAN_ROOTS in scripts/security-scan-lib.mjs)`);
    const before = staged.length;
    for (const file of walk(absoluteRoot)) {
      const path = relative(repoRoot, file).split(sep).join('/');
      if (!isScannedSource(path)) continue;
      const target = join(stageDir, path);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
      staged.push(path);
    }
    if (staged.length === before) throw new Error(`scan input empty: no source file under ${root}/`);
  }
  return staged.sort();
}

/** @param {string} dir @returns {Generator<string>} */
function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

export const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

/**
 * @typedef {{ check: string, file: string, sample: string, reason: string }} ElectronegativityAllowEntry
 * @typedef {{ id: string, severity: string, confidence: string, file: string, line: number, column: number, sample: string, description: string }} Finding
 */

/**
 * Electronegativity's issue objects (its programmatic API) → plain findings.
 * @param {Array<any>} issues
 * @returns {Finding[]}
 */
export function toFindings(issues) {
  return issues.map((issue) => ({
    id: String(issue.id),
    severity: String(issue.severity?.name ?? issue.severity ?? 'INFORMATIONAL').toUpperCase(),
    confidence: String(issue.confidence?.name ?? issue.confidence ?? 'TENTATIVE').toUpperCase(),
    file: issue.file && issue.file !== 'N/A' ? String(issue.file).split(sep).join('/') : '(whole app)',
    line: Number(issue.location?.line ?? 0),
    column: Number(issue.location?.column ?? 0),
    sample: typeof issue.sample === 'string' ? issue.sample : '',
    description: String(issue.description ?? ''),
  }));
}

/** Whitespace-insensitive form of a code sample, so re-indenting a line does not un-accept it. */
function normaliseSample(sample) {
  return String(sample).replace(/\s+/g, ' ').trim();
}

/**
 * The verdict on Electronegativity's findings:
 * - HIGH fails, always: it cannot be allow-listed (fix the code, or make the safe setting
 *   visible to the scanner as `windows.ts` does);
 * - MEDIUM fails unless the allow-list accepts that check, in that file, on that line of code
 *   (its `sample`), with a reason: a new `openExternal` or window is reviewed before it ships;
 * - LOW and INFORMATIONAL are printed only.
 * Allow-list entries that match nothing are returned as `stale` (printed, not fatal).
 * @param {Finding[]} findings
 * @param {ElectronegativityAllowEntry[]} allowList
 */
export function judgeElectronegativity(findings, allowList) {
  const used = new Set();
  const judged = findings.map((finding) => {
    let accepted = null;
    if (finding.severity === 'MEDIUM' || finding.severity === 'LOW' || finding.severity === 'INFORMATIONAL') {
      const index = allowList.findIndex(
        (entry) => entry.check === finding.id && entry.file === finding.file && normaliseSample(entry.sample) === normaliseSample(finding.sample),
      );
      if (index >= 0) {
        accepted = allowList[index].reason;
        used.add(index);
      }
    }
    const failing = finding.severity === 'HIGH' || (finding.severity === 'MEDIUM' && accepted === null);
    return { ...finding, accepted, failing };
  });
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, judged.filter((finding) => finding.severity === severity).length]));
  const stale = allowList.filter((_, index) => !used.has(index));
  return { findings: judged, counts, failing: judged.filter((finding) => finding.failing), stale };
}

/**
 * @typedef {{ advisory: string, package: string, reason: string }} AuditAllowEntry
 * @typedef {{ id: string, package: string, severity: string, title: string, url: string }} Advisory
 */

/** The GitHub advisory id (GHSA-…) in an advisory URL, or the URL itself. */
function advisoryId(url, source) {
  const match = /GHSA(-[0-9a-z]{4}){3}/i.exec(String(url ?? ''));
  if (match) return `GHSA${match[0].slice(4).toLowerCase()}`;
  return source === undefined ? String(url ?? '') : String(source);
}

/**
 * The verdict on `npm audit --omit=dev --json`: every advisory of severity high or critical
 * fails unless the allow-list names its id (GHSA-…) and package with a reason. A report that is
 * an error (the registry has no audit service, no network) is `available: false`; the caller
 * decides whether that fails the run (`--require-audit`).
 * @param {any} report the parsed JSON npm printed
 * @param {AuditAllowEntry[]} allowList
 */
export function judgeAudit(report, allowList) {
  if (!report || typeof report !== 'object' || !report.vulnerabilities || typeof report.vulnerabilities !== 'object') {
    const reason = report && typeof report === 'object' && (report.message || report.error?.summary) ? String(report.message || report.error.summary) : 'npm audit printed no report';
    return { available: false, reason, counts: null, advisories: [], failing: [], accepted: [], stale: allowList };
  }
  /** @type {Map<string, Advisory>} */
  const advisories = new Map();
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities)) {
    for (const via of Array.isArray(vulnerability?.via) ? vulnerability.via : []) {
      // A string names another vulnerable package; its advisories are listed under that package.
      if (!via || typeof via !== 'object') continue;
      const id = advisoryId(via.url, via.source);
      const key = `${id} ${via.name ?? name}`;
      if (!advisories.has(key)) {
        advisories.set(key, { id, package: String(via.name ?? name), severity: String(via.severity ?? vulnerability.severity ?? 'unknown').toLowerCase(), title: String(via.title ?? ''), url: String(via.url ?? '') });
      }
    }
  }
  const list = [...advisories.values()];
  const used = new Set();
  const serious = list.filter((advisory) => advisory.severity === 'high' || advisory.severity === 'critical');
  const accepted = [];
  const failing = [];
  for (const advisory of serious) {
    const index = allowList.findIndex((entry) => entry.advisory.toUpperCase() === advisory.id.toUpperCase() && entry.package === advisory.package);
    if (index >= 0) {
      used.add(index);
      accepted.push({ ...advisory, reason: allowList[index].reason });
    } else failing.push(advisory);
  }
  const metadata = report.metadata?.vulnerabilities ?? {};
  const counts = Object.fromEntries(['critical', 'high', 'moderate', 'low', 'info'].map((level) => [level, Number(metadata[level] ?? list.filter((advisory) => advisory.severity === level).length)]));
  return { available: true, reason: null, counts, advisories: list, failing, accepted, stale: allowList.filter((_, index) => !used.has(index)) };
}

/**
 * Reads and checks the allow-list file's shape: every entry has its keys and a real reason
 * (at least 20 characters — "false positive" alone is not a reason).
 * @param {any} data the parsed scripts/security-allow-list.json
 * @returns {{ electronegativity: ElectronegativityAllowEntry[], npmAudit: AuditAllowEntry[] }}
 */
export function parseAllowList(data) {
  const problems = [];
  const section = (name, keys) => {
    const entries = data?.[name];
    if (!Array.isArray(entries)) {
      problems.push(`"${name}" must be a list`);
      return [];
    }
    entries.forEach((entry, index) => {
      for (const key of keys) {
        if (typeof entry?.[key] !== 'string' || entry[key].trim() === '') problems.push(`${name}[${index}].${key} is missing`);
      }
      if (typeof entry?.reason === 'string' && entry.reason.trim().length < 20) problems.push(`${name}[${index}].reason is too short to explain anything`);
    });
    return entries;
  };
  const electronegativity = section('electronegativity', ['check', 'file', 'sample', 'reason']);
  const npmAudit = section('npmAudit', ['advisory', 'package', 'reason']);
  if (problems.length > 0) throw new Error(`scripts/security-allow-list.json: ${problems.join('; ')}`);
  return { electronegativity, npmAudit };
}

/**
 * The CSV report: Electronegativity's own columns plus `accepted` (the allow-list's reason).
 * @param {ReturnType<typeof judgeElectronegativity>['findings']} findings
 */
export function findingsCsv(findings) {
  const cell = (value) => `"${String(value).replace(/"/g, '""')}"`;
  const lines = ['check,severity,confidence,file,location,sample,description,accepted'];
  for (const finding of findings) {
    lines.push([finding.id, finding.severity, finding.confidence, finding.file, `${finding.line}:${finding.column}`, finding.sample, finding.description, finding.accepted ?? ''].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
