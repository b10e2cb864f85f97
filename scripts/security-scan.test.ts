import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findingsCsv,
  isScannedSource,
  judgeAudit,
  judgeElectronegativity,
  parseAllowList,
  SCAN_ROOTS,
  stageScanInput,
  toFindings,
} from './security-scan-lib.mjs';

/**
 * The rules of the CI security scan (scripts/security-scan.mjs), fed synthetic findings and
 * audit reports: the scan itself needs the network (npm exec, npm audit) and runs in .ci/run.
 */

const repoRoot = resolve(__dirname, '..');
const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Finding = ReturnType<typeof toFindings>[number];
const finding = (overrides: Partial<Finding>): Finding => ({
  id: 'OPEN_EXTERNAL_JS_CHECK',
  severity: 'MEDIUM',
  confidence: 'TENTATIVE',
  file: 'src-main/electron/security.ts',
  line: 61,
  column: 67,
  sample: 'shell.openExternal(url)',
  description: 'Review the use of openExternal',
  ...overrides,
});
const reason = 'Only https: links reach it; security.test.ts asserts the check.';

describe('what Electronegativity reads', () => {
  it.each([
    'src-main/electron/windows.ts',
    'src-main/electron/desk-app.ts',
    'src-preload/index.ts',
    'src-main/core/security/content-security-policy.ts',
    'src-renderer/app/App.tsx',
    'src-renderer/index.html',
  ])('scans %s', (path) => {
    expect(isScannedSource(path)).toBe(true);
  });

  it.each([
    'src-main/electron/security.test.ts',
    'src-main/electron/testing/fake-electron.ts',
    'src-renderer/app/App.test.tsx',
    'src-main/core/cache/cache-repository.ts',
    'src-main/web/main.ts',
    'e2e/specs/softphone.spec.ts',
    'src-main/electron/README.md',
  ])('leaves out %s', (path) => {
    expect(isScannedSource(path)).toBe(false);
  });

  it('stages the repository’s shipped Electron code under its repository paths, and no test', () => {
    const stage = mkdtempSync(join(tmpdir(), 'scan-stage-'));
    temporary.push(stage);
    const staged = stageScanInput(repoRoot, stage);
    expect(staged).toEqual(expect.arrayContaining(['src-main/electron/windows.ts', 'src-main/electron/security.ts', 'src-preload/index.ts', 'src-renderer/index.html']));
    expect(staged.filter((path) => /\.test\.|\/testing\//.test(path))).toEqual([]);
    expect(readFileSync(join(stage, 'src-main/electron/windows.ts'), 'utf8')).toBe(readFileSync(join(repoRoot, 'src-main/electron/windows.ts'), 'utf8'));
  });

  it('refuses to scan when a root has gone (a renamed folder is not "no findings")', () => {
    const fakeRepo = mkdtempSync(join(tmpdir(), 'scan-repo-'));
    temporary.push(fakeRepo);
    for (const root of SCAN_ROOTS.slice(1)) {
      mkdirSync(join(fakeRepo, root), { recursive: true });
      writeFileSync(join(fakeRepo, root, 'x.ts'), 'export {};\n');
    }
    expect(() => stageScanInput(fakeRepo, join(fakeRepo, 'stage'))).toThrow(`scan input missing: ${SCAN_ROOTS[0]}/`);
  });

  it('keeps webPreferences written out inside new BrowserWindow, where the scanner can see them', () => {
    const windows = readFileSync(join(repoRoot, 'src-main/electron/windows.ts'), 'utf8');
    const constructorCall = windows.slice(windows.indexOf('new BrowserWindow({'));
    const preferences = /webPreferences: \{([\s\S]*?)\n {4}\}/.exec(constructorCall)?.[1] ?? '';
    expect(preferences).toMatch(/contextIsolation: true/);
    expect(preferences).toMatch(/sandbox: true/);
    expect(preferences).toMatch(/nodeIntegration: false/);
  });
});

describe('verdict on Electronegativity findings', () => {
  it('fails on a HIGH finding, even when the allow-list names it', () => {
    const high = finding({ id: 'CONTEXT_ISOLATION_JS_CHECK', severity: 'HIGH', file: 'src-main/electron/windows.ts', sample: 'new BrowserWindow({' });
    const verdict = judgeElectronegativity([high], [{ check: high.id, file: high.file, sample: high.sample, reason }]);
    expect(verdict.failing).toHaveLength(1);
    expect(verdict.findings[0]!.accepted).toBeNull();
    expect(verdict.counts.HIGH).toBe(1);
  });

  it('fails on a MEDIUM finding nobody reviewed', () => {
    expect(judgeElectronegativity([finding({})], []).failing).toHaveLength(1);
  });

  it('accepts a reviewed MEDIUM finding: same check, same file, same line of code (whitespace aside)', () => {
    const verdict = judgeElectronegativity(
      [finding({ sample: '  if (https &&   ok) shell.openExternal(url);\t' })],
      [{ check: 'OPEN_EXTERNAL_JS_CHECK', file: 'src-main/electron/security.ts', sample: 'if (https && ok) shell.openExternal(url);', reason }],
    );
    expect(verdict.failing).toEqual([]);
    expect(verdict.findings[0]!.accepted).toBe(reason);
    expect(verdict.stale).toEqual([]);
  });

  it('brings a finding back for review when its line of code changed, and reports the stale entry', () => {
    const entry = { check: 'OPEN_EXTERNAL_JS_CHECK', file: 'src-main/electron/security.ts', sample: 'shell.openExternal(url)', reason };
    const verdict = judgeElectronegativity([finding({ sample: 'shell.openExternal(anyUrlAtAll)' })], [entry]);
    expect(verdict.failing).toHaveLength(1);
    expect(verdict.stale).toEqual([entry]);
  });

  it('does not let an entry for another file or check accept a finding', () => {
    const verdict = judgeElectronegativity(
      [finding({})],
      [
        { check: 'OPEN_EXTERNAL_JS_CHECK', file: 'src-main/electron/desk-app.ts', sample: 'shell.openExternal(url)', reason },
        { check: 'AUXCLICK_JS_CHECK', file: 'src-main/electron/security.ts', sample: 'shell.openExternal(url)', reason },
      ],
    );
    expect(verdict.failing).toHaveLength(1);
  });

  it('prints LOW and INFORMATIONAL findings without failing', () => {
    const verdict = judgeElectronegativity([finding({ severity: 'LOW', id: 'CSP_GLOBAL_CHECK' }), finding({ severity: 'INFORMATIONAL' })], []);
    expect(verdict.failing).toEqual([]);
    expect(verdict.counts).toEqual({ HIGH: 0, MEDIUM: 0, LOW: 1, INFORMATIONAL: 1 });
  });

  it('reads Electronegativity’s issue objects and writes a CSV with the reason each accepted finding has', () => {
    const [plain] = toFindings([
      { id: 'PRELOAD_JS_CHECK', severity: { name: 'MEDIUM' }, confidence: { name: 'FIRM' }, file: 'src-main/electron/windows.ts', location: { line: 41, column: 6 }, sample: 'preload: "x",', description: 'Review' },
    ]);
    expect(plain).toMatchObject({ id: 'PRELOAD_JS_CHECK', severity: 'MEDIUM', file: 'src-main/electron/windows.ts', line: 41 });
    const verdict = judgeElectronegativity([plain!], [{ check: 'PRELOAD_JS_CHECK', file: 'src-main/electron/windows.ts', sample: 'preload: "x",', reason }]);
    const csv = findingsCsv(verdict.findings).trim().split('\n');
    expect(csv[0]).toBe('check,severity,confidence,file,location,sample,description,accepted');
    expect(csv[1]).toBe(`"PRELOAD_JS_CHECK","MEDIUM","FIRM","src-main/electron/windows.ts","41:6","preload: ""x"",","Review","${reason}"`);
  });
});

/** The shape of `npm audit --json` (npm 7 and later): one advisory, reached directly and through a dependant. */
function auditReport(severity: string) {
  return {
    auditReportVersion: 2,
    vulnerabilities: {
      'left-pad': {
        name: 'left-pad',
        severity,
        isDirect: false,
        via: [{ source: 1099999, name: 'left-pad', dependency: 'left-pad', title: 'Prototype pollution in left-pad', url: 'https://github.com/advisories/GHSA-c2f4-m9vq-8xwh', severity, cwe: ['CWE-1321'], range: '<1.3.1' }],
        effects: ['pad-wrapper'],
        range: '<1.3.1',
        nodes: ['node_modules/left-pad'],
        fixAvailable: true,
      },
      'pad-wrapper': { name: 'pad-wrapper', severity, isDirect: true, via: ['left-pad'], effects: [], range: '*', nodes: ['node_modules/pad-wrapper'], fixAvailable: true },
    },
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: severity === 'moderate' ? 2 : 0, high: severity === 'high' ? 2 : 0, critical: severity === 'critical' ? 2 : 0, total: 2 } },
  };
}

describe('verdict on npm audit --omit=dev', () => {
  it.each(['high', 'critical'])('fails on a %s advisory, named once with its GHSA id', (severity) => {
    const verdict = judgeAudit(auditReport(severity), []);
    expect(verdict.available).toBe(true);
    expect(verdict.failing).toEqual([{ id: 'GHSA-c2f4-m9vq-8xwh', package: 'left-pad', severity, title: 'Prototype pollution in left-pad', url: 'https://github.com/advisories/GHSA-c2f4-m9vq-8xwh' }]);
  });

  it('passes moderate and low advisories (printed in the counts)', () => {
    const verdict = judgeAudit(auditReport('moderate'), []);
    expect(verdict.failing).toEqual([]);
    expect(verdict.counts).toMatchObject({ moderate: 2, high: 0, critical: 0 });
  });

  it('accepts a high advisory the allow-list names with its package and a reason', () => {
    const verdict = judgeAudit(auditReport('high'), [{ advisory: 'ghsa-C2F4-m9vq-8XWH', package: 'left-pad', reason }]);
    expect(verdict.failing).toEqual([]);
    expect(verdict.accepted).toEqual([expect.objectContaining({ id: 'GHSA-c2f4-m9vq-8xwh', reason })]);
  });

  it('does not accept it for another package', () => {
    expect(judgeAudit(auditReport('critical'), [{ advisory: 'GHSA-c2f4-m9vq-8xwh', package: 'pad-wrapper', reason }]).failing).toHaveLength(1);
  });

  it('says NOT CHECKED, with npm’s reason, when the registry has no audit service', () => {
    const verdict = judgeAudit({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 }, []);
    expect(verdict).toMatchObject({ available: false, failing: [] });
    expect(verdict.reason).toMatch(/405/);
  });

  it('passes a clean report', () => {
    const verdict = judgeAudit({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } } }, []);
    expect(verdict).toMatchObject({ available: true, failing: [], counts: { critical: 0, high: 0 } });
  });
});

describe('the allow-list file', () => {
  const allowList = () => parseAllowList(JSON.parse(readFileSync(join(repoRoot, 'scripts/security-allow-list.json'), 'utf8')));

  it('parses, and every entry carries a reason', () => {
    const { electronegativity, npmAudit } = allowList();
    for (const entry of [...electronegativity, ...npmAudit]) expect(entry.reason.length).toBeGreaterThanOrEqual(20);
  });

  it('names lines of code that exist in the named files (a stale entry is noticed here, not only in CI)', () => {
    const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
    for (const entry of allowList().electronegativity) {
      const source = readFileSync(join(repoRoot, entry.file), 'utf8');
      const lines = source.split('\n').map(normalise);
      expect(lines.some((line) => line.includes(normalise(entry.sample))), `${entry.check} in ${entry.file}: "${entry.sample}"`).toBe(true);
    }
  });

  it('refuses an entry without a real reason', () => {
    expect(() => parseAllowList({ electronegativity: [{ check: 'X', file: 'f', sample: 's', reason: 'false positive' }], npmAudit: [] })).toThrow(/too short/);
    expect(() => parseAllowList({ electronegativity: [], npmAudit: [{ advisory: 'GHSA-1', reason }] })).toThrow(/npmAudit\[0\]\.package is missing/);
  });
});

describe('.ci/run', () => {
  it('starts the scan in the background before the unit tests and waits for it afterwards', () => {
    const script = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
    const start = script.indexOf('scripts/security-scan.mjs');
    const unitTests = script.indexOf('npm test --');
    const wait = script.indexOf('wait "$security_scan"');
    expect(start).toBeGreaterThan(0);
    expect(script.slice(start, script.indexOf('\n', start))).toMatch(/&\s*$/);
    expect(start).toBeLessThan(unitTests);
    expect(wait).toBeGreaterThan(unitTests);
  });
});
