import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticReportSchema } from '../../../src-shared/diagnostics/diagnostic-event';
import { createHostLogger, deskLogPath } from '../host-logger';
import { logFilesOf, rotatedLogPath } from './file-sink';
import { maskText } from './logger';
import { createRendererDiagnostics } from './renderer-diagnostics';
import { LATIN_NEEDLES, logPatientEverywhere, needlesOf, SYNTHETIC_PATIENT } from './testing/patient-shaped';

function readEverything(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

describe('patient-shaped data through every log call pattern', () => {
  it('is absent from every file on disk, current and rotated, while the codes IT needs stay', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-log-redaction-'));
    const logger = createHostLogger(dataDir, { stderr: false, level: 'debug', maxBytes: 16 * 1024, keep: 3 });
    const diagnostics = createRendererDiagnostics(logger);
    for (let pass = 0; pass < 40; pass++) {
      logPatientEverywhere(logger, SYNTHETIC_PATIENT, pass);
      // What the renderer may report: codes only — digits pass the schema, so main masks them.
      diagnostics({ event: 'softphone.refused-unparseable', detail: { method: 'INVITE', status: '400', from: '79161234567', snils: '11223344595', oms: '7700123456789012' } });
    }
    const path = deskLogPath(dataDir);
    const files = logFilesOf(path);
    // Rotated: the current file and three old ones; the fourth old one was deleted.
    expect(files).toEqual([path, rotatedLogPath(path, 1), rotatedLogPath(path, 2), rotatedLogPath(path, 3)]);
    expect(existsSync(rotatedLogPath(path, 4))).toBe(false);
    expect(readdirSync(join(dataDir, 'logs')).sort()).toEqual(['desk.1.log', 'desk.2.log', 'desk.3.log', 'desk.log']);

    const text = readEverything(join(dataDir, 'logs'));
    const needles = [...needlesOf(SYNTHETIC_PATIENT), ...LATIN_NEEDLES, SYNTHETIC_PATIENT.national10.slice(-4)];
    expect(needles.filter((value) => text.includes(value))).toEqual([]);
    expect(text).not.toMatch(/\p{Script=Cyrillic}/u);

    // Every line is still one JSON record, and what support needs is in it.
    const records = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; context?: Record<string, unknown> });
    expect(new Set(records.map((r) => r.event))).toEqual(
      new Set([
        'patient.opened',
        'call.unusual',
        'cache.page',
        'mis.request-failed',
        'sync.page-failed',
        'sync.several',
        'mis.http',
        'lookup [text] [digits]',
        'renderer.[name].[digits]',
        'note-saved: [text]',
        'renderer.softphone.refused-unparseable',
      ]),
    );
    const http = records.find((r) => r.event === 'mis.http')!.context!.error as Record<string, unknown>;
    expect(http).toMatchObject({ name: 'Error', kind: 'auth', status: 401, patient: '[name]', body: '[redacted]' });
    expect(http.message).toBe('GET https://mis.example/fhir/Patient?[query] failed with 401');
    const chain = records.find((r) => r.event === 'sync.page-failed')!.context!.error as { message: string; cause: { message: string; cause: { name: string } } };
    expect(chain.message).toBe('the page was refused');
    expect(chain.cause.message).toBe('row 17: [name] [digits] [digits]');
    expect(chain.cause.cause.name).toBe('TypeError');
    const opened = records.find((r) => r.event === 'patient.opened')!.context!;
    expect(opened).toMatchObject({ misId: 'P-100200', surname: '[redacted]', phone: '[redacted]', dms: '[redacted]', suffix: '[redacted]', pin: '[redacted]' });
    expect(records.find((r) => r.event === 'renderer.softphone.refused-unparseable')!.context).toEqual({
      method: 'INVITE',
      status: '400',
      from: '[digits]',
      snils: '[redacted]',
      oms: '[redacted]',
    });
  });

  it('the renderer cannot report names, spaced numbers or e-mails at all (the contract refuses them)', () => {
    for (const value of ['Иванова', 'John Smith', '+7 916 123 45 67', '8 (916) 123-45-67', '112-233-445 95', 'anna.ivanova@example.ru']) {
      expect(DiagnosticReportSchema.safeParse({ event: 'softphone.x', detail: { value } }).success, value).toBe(false);
    }
  });
});

describe('maskText', () => {
  it('leaves the desk’s own English, codes, hosts and ports alone', () => {
    for (const text of [
      'connect ECONNREFUSED 127.0.0.1:5038',
      'The patient cache (cache.db) failed its integrity check (quick_check: 2 problem(s)).',
      'Invalid input for patients.get at misId: Too small',
      'softphone.refused-unparseable',
      'Europe/Moscow',
      'sip:1001@pbx.example',
      'ws://127.0.0.1:9/ws',
      'TypeError',
      'SQLITE_CORRUPT',
      'took 250 ms, 3 of 20 pages',
    ]) {
      expect(maskText(text), text).toBe(text);
    }
  });

  it('masks every phone format, СНИЛС, ОМС, dates, e-mails, URLs with a login and names in both scripts', () => {
    expect(maskText('+79161234567, 8 (916) 123-45-67, 916-123-45-67, +7 916 123 45 67, 9161234567')).toBe('[digits], [digits], [digits], [digits], [digits]');
    expect(maskText('СНИЛС 112-233-445 95 / 11223344595, ОМС 7700123456789012')).toBe('[text] [digits] / [digits], [text] [digits]');
    expect(maskText('born 12.03.1985 or 1985-03-12, ends in 4567')).toBe('born [date] or [digits], ends in [digits]');
    expect(maskText('write to anna.ivanova@example.ru')).toBe('write to [email]');
    expect(maskText('https://user:pw@mis.example:8443/odata/Catalog?$filter=x')).toBe('https://mis.example:8443/odata/Catalog?[query]');
    expect(maskText('Ivanova Anna Petrovna and Rimskaya-Korsakova')).toBe('[name] [name] [name] and [name]');
    expect(maskText('Римская-Корсакова Алёна Петровна')).toBe('[text]');
  });

  it('property: a name or number in any of its forms, inside an English message, never survives', () => {
    const syllables = ['ва', 'но', 'ко', 'ри', 'са', 'ле', 'на', 'ти', 'ёл'];
    const cyrillicName = fc.array(fc.constantFrom(...syllables), { minLength: 2, maxLength: 4 }).map((parts) => parts.join(''));
    const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
    const latinName = fc.array(fc.constantFrom('va', 'no', 'ko', 'ri', 'sa', 'le', 'na', 'ti', 'ov', 'ska'), { minLength: 2, maxLength: 4 }).map((parts) => capitalise(parts.join('')));
    const digits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 }).map((d) => d.join(''));
    const phone = digits.chain((d) =>
      fc.constantFrom(`+7${d}`, `8${d}`, d, `8 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`, `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`, `+7 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6, 8)} ${d.slice(8)}`),
    );
    const secret = fc.oneof(cyrillicName.map(capitalise), cyrillicName, latinName, phone);
    const template = fc.constantFrom((s: string) => `no card for ${s}`, (s: string) => `${s} not found`, (s: string) => `Request failed: ${s}, retry`, (s: string) => `(${s})`, (s: string) => s);
    fc.assert(
      fc.property(secret, template, (value, wrap) => {
        expect(maskText(wrap(value))).not.toContain(value);
      }),
      withSeedHint('maskText property'),
    );
  });
});

/** fast-check prints the seed of a failure; this also says how to replay it (vitest.setup.ts reads FC_SEED). */
function withSeedHint<T>(what: string, params: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    numRuns: 1000,
    ...params,
    reporter: (details) => {
      if (!details.failed) return;
      console.warn(`${what}: replay with FC_SEED=${details.seed} npm test -- src-main/core/log/log-redaction.test.ts`);
      throw new Error(fc.defaultReportMessage(details));
    },
  };
}
