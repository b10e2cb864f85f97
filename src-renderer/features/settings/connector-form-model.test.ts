import { describe, expect, it } from 'vitest';
import type { ConnectorField } from '../../../src-shared/connectors/connector-model';
import { FHIR_TEST, FhirTestConfigSchema, SHEET_TEST } from './connector-fixtures';
import {
  buildConfig,
  configValue,
  configsEqual,
  initialValues,
  isFieldShown,
  mappingOf,
  placeholderOf,
  validateForm,
  visibleFields,
  withMapping,
  withoutConfigValue,
  withoutSecrets,
} from './connector-form-model';

const fields = FHIR_TEST.fields;
const field = (path: string): ConnectorField => fields.find((candidate) => candidate.path === path)!;
const stored = { baseUrl: 'https://mis.clinic.test/fhir', auth: { type: 'basic', username: 'desk7' }, timeoutMs: 15000 };

describe('connector form model', () => {
  it('reads the form values from the nested config; choices and checkboxes start at their defaults, secrets empty', () => {
    expect(initialValues(fields, stored)).toEqual({
      baseUrl: 'https://mis.clinic.test/fhir',
      'auth.type': 'basic',
      'auth.username': 'desk7',
      'auth.password': '',
      'auth.token': '',
      timeoutMs: '15000',
      pageFactor: '',
      verifyTls: true,
      version: 'r4',
      caFile: '',
      extraHeaders: '',
    });
    expect(placeholderOf(field('timeoutMs'))).toBe('10000');
    expect(placeholderOf(field('auth.password'))).toBeUndefined();
  });

  it('shows a branch field only while its choice has that value', () => {
    const values = initialValues(fields, stored);
    expect(isFieldShown(field('auth.username'), fields, values)).toBe(true);
    expect(isFieldShown(field('auth.token'), fields, values)).toBe(false);
    const bearer = { ...values, 'auth.type': 'bearer' };
    expect(visibleFields(fields, bearer).map((candidate) => candidate.path)).toContain('auth.token');
    expect(visibleFields(fields, bearer).map((candidate) => candidate.path)).not.toContain('auth.username');
  });

  it('builds the config to send: nested by path, numbers as numbers, hidden and empty fields and untyped secrets left out', () => {
    const values = { ...initialValues(fields, stored), timeoutMs: ' 20000 ', pageFactor: '1,5', verifyTls: false, caFile: ' C:\\certs\\ca.pem ' };
    const config = buildConfig(fields, values, stored);
    expect(config).toEqual({
      baseUrl: 'https://mis.clinic.test/fhir',
      auth: { type: 'basic', username: 'desk7' },
      timeoutMs: 20000,
      pageFactor: 1.5,
      verifyTls: false,
      version: 'r4',
      caFile: 'C:\\certs\\ca.pem',
    });
    // What is sent passes the connector's own schema once the store puts the password back.
    expect(FhirTestConfigSchema.safeParse(configWithPassword(config)).success).toBe(true);

    // Switching to a token drops the basic branch's fields; a typed token is sent as typed.
    const bearer = buildConfig(fields, { ...values, 'auth.type': 'bearer', 'auth.token': ' t0k ' }, stored);
    expect(bearer.auth).toEqual({ type: 'bearer', token: ' t0k ' });
  });

  it('keeps config keys the form does not edit (a column mapping) and removes what a form field no longer holds', () => {
    const base = { file: 'C:\\exports\\patients.csv', mapping: { surname: 'Фамилия' } };
    const values = initialValues(SHEET_TEST.fields, base);
    expect(buildConfig(SHEET_TEST.fields, values, base)).toEqual({ file: 'C:\\exports\\patients.csv', encoding: 'auto', mapping: { surname: 'Фамилия' } });
    expect(buildConfig(SHEET_TEST.fields, { ...values, file: '' }, base)).toEqual({ encoding: 'auto', mapping: { surname: 'Фамилия' } });
  });

  it('maps a card field into the config beside the form, and clears it with an empty choice', () => {
    const base = { file: 'C:\\exports\\patients.csv' };
    const values = initialValues(SHEET_TEST.fields, base);
    const mapped = withMapping(SHEET_TEST.fields, values, base, 'phone', 'Телефон');
    expect(mappingOf(SHEET_TEST.fields, mapped.values, mapped.base)).toEqual({ phone: 'Телефон' });
    expect(buildConfig(SHEET_TEST.fields, mapped.values, mapped.base).mapping).toEqual({ phone: 'Телефон' });
    const cleared = withMapping(SHEET_TEST.fields, mapped.values, mapped.base, 'phone', '');
    expect(configValue(buildConfig(SHEET_TEST.fields, cleared.values, cleared.base), 'mapping')).toBeUndefined();
  });

  it('maps into the form value when the schema has a field for the mapping', () => {
    const withField: ConnectorField[] = [{ ...field('caFile'), path: 'mapping.surname', type: 'text', label: 'Фамилия' }];
    const mapped = withMapping(withField, { 'mapping.surname': '' }, {}, 'surname', 'Фам.');
    expect(mapped.values['mapping.surname']).toBe('Фам.');
    expect(buildConfig(withField, mapped.values, mapped.base)).toEqual({ mapping: { surname: 'Фам.' } });
  });

  it('names each shown field that is missing, not a number, or out of range; a stored secret may stay empty', () => {
    const values = { ...initialValues(fields, {}), timeoutMs: '999', pageFactor: 'много', baseUrl: 'mis clinic' };
    expect(validateForm(fields, values, [])).toEqual({ baseUrl: 'url', 'auth.username': 'required', 'auth.password': 'required', timeoutMs: 'belowMin', pageFactor: 'number' });
    expect(validateForm(fields, { ...values, timeoutMs: '12.5' }, [])['timeoutMs']).toBe('integer');
    expect(validateForm(fields, { ...values, timeoutMs: '70000' }, [])['timeoutMs']).toBe('aboveMax');
    expect(validateForm(fields, values, ['auth.password'])['auth.password']).toBeUndefined();
    // A hidden field is not checked.
    expect(validateForm(fields, { ...values, 'auth.type': 'bearer' }, [])).not.toHaveProperty('auth.username');
    expect(validateForm(fields, { ...values, 'auth.type': 'bearer' }, [])['auth.token']).toBe('required');
    expect(validateForm(fields, { ...values, extraHeaders: 'x'.repeat(2001) }, [])['extraHeaders']).toBe('tooLong');
  });

  it('removes a path and the objects it leaves empty; drops secrets; compares configs regardless of key order', () => {
    expect(withoutConfigValue({ auth: { type: 'basic' }, a: 1 }, 'auth.type')).toEqual({ a: 1 });
    expect(withoutConfigValue({ a: 1 }, 'auth.type')).toEqual({ a: 1 });
    expect(withoutSecrets(fields, { auth: { type: 'basic', password: 'x' } })).toEqual({ auth: { type: 'basic' } });
    expect(configsEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(configsEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(configsEqual({ a: [1] }, { a: [2] })).toBe(false);
  });
});

function configWithPassword(config: Record<string, unknown>): Record<string, unknown> {
  return { ...config, auth: { ...(config.auth as Record<string, unknown>), password: 'from-the-store' } };
}
