import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { PatientCardSchema } from '../../../../src-shared/patients/patient-card';
import { silentLogger } from '../../log/logger';
import { systemClock } from '../../../../src-shared/time/clock';
import { onecHttpRegistration } from './index';
import { OnecHttpConfigSchema } from './onec-config';
import { odataDateTime, odataGuid, odataString, parseODataMetadata } from './onec-odata-query';
import { cardFromServicePatient } from './onec-patient-mapping';
import { EMPTY_REF, onecBoolean, onecDate, onecDateTime, onecDigits, onecPhone, onecRef, onecSex, onecVersion, storedPhoneForms } from './onec-values';
import { compileODataFilter } from './testing/onec-odata-filter';

describe('1C values', () => {
  it('reads the empty date 0001-01-01T00:00:00 as none, and a real date as YYYY-MM-DD', () => {
    expect(onecDate('0001-01-01T00:00:00')).toBeNull();
    expect(onecDate('')).toBeNull();
    expect(onecDate('1988-04-17T00:00:00')).toBe('1988-04-17');
    expect(onecDate('1992-02-29')).toBe('1992-02-29');
    expect(onecDate('1991-02-29T00:00:00')).toBeNull();
    expect(onecDate(19880417)).toBeNull();
  });

  it('puts an offset-less 1C time on the 1C server clock, and keeps one that has an offset', () => {
    expect(onecDateTime('2026-12-10T09:30:00', 'Europe/Moscow')).toBe('2026-12-10T09:30:00+03:00');
    expect(onecDateTime('2026-12-10T09:30:15', 'Asia/Yekaterinburg')).toBe('2026-12-10T09:30:15+05:00');
    expect(onecDateTime('2026-12-10T09:30:00Z', 'Europe/Moscow')).toBe('2026-12-10T09:30:00Z');
    expect(onecDateTime('0001-01-01T00:00:00', 'Europe/Moscow')).toBeNull();
    expect(onecDateTime('2026-12-10T25:00:00', 'Europe/Moscow')).toBeNull();
  });

  it('reads booleans as 1C writes them: true/false and the text Да/Нет', () => {
    expect([onecBoolean(true), onecBoolean('Да'), onecBoolean('да'), onecBoolean('true'), onecBoolean('Истина')]).toEqual([true, true, true, true, true]);
    expect([onecBoolean(false), onecBoolean('Нет'), onecBoolean('false'), onecBoolean('Ложь')]).toEqual([false, false, false, false]);
    expect(onecBoolean('может быть')).toBe(false);
    expect(onecBoolean(undefined, true)).toBe(true);
  });

  it('reads GUID references in lower case and the empty reference as none', () => {
    expect(onecRef('9B2F1C4E-5A7D-11EE-8C3A-000000000001')).toBe('9b2f1c4e-5a7d-11ee-8c3a-000000000001');
    expect(onecRef(EMPTY_REF)).toBeNull();
    expect(onecRef('')).toBeNull();
    expect(onecRef('not-a-guid')).toBeNull();
  });

  it('reads sex, phone kinds, СНИЛС and policy digits, numeric versions', () => {
    expect([onecSex('Мужской'), onecSex('Женский'), onecSex(''), onecSex('НеУказан')]).toEqual(['male', 'female', 'unknown', 'unknown']);
    expect(onecPhone('8 (495) 555-02-03', 'Домашний')).toEqual({ e164: '+74955550203', national10: '4955550203', kind: 'home' });
    expect(onecPhone('+7 (916) 555-01-01', 'Родственник')?.kind).toBe('relative');
    expect(onecPhone('не помню', 'Мобильный')).toBeNull();
    expect(onecDigits('112-233-445 95', 11)).toBe('11223344595');
    expect(onecDigits('7755 1234 5678 9012', 16)).toBe('7755123456789012');
    expect(onecDigits('123', 11)).toBeNull();
    expect([onecVersion(7), onecVersion('12'), onecVersion('AAAAAQAAAAA='), onecVersion(-1)]).toEqual([7, 12, null, null]);
  });

  it('tries the stored forms of a number staff type into 1C', () => {
    const forms = storedPhoneForms('+79165550101');
    expect(forms).toEqual(expect.arrayContaining(['+79165550101', '89165550101', '9165550101', '+7 (916) 555-01-01', '8 (916) 555-01-01', '+7(916)555-01-01']));
  });
});

describe('HTTP-service patient mapping', () => {
  const patient = {
    id: '9B2F1C4E-5A7D-11EE-8C3A-000000000001',
    version: 4,
    surname: 'Ёлкина',
    name: 'Алёна',
    patronymic: '',
    birthDate: '1988-04-17T00:00:00',
    sex: 'Женский',
    phones: [{ number: '+7 (916) 555-01-01', kind: 'Мобильный' }, { number: '8 916 555 01 01', kind: 'Домашний' }, { number: '12', kind: 'Рабочий' }],
    email: '',
    address: 'г. Тверь',
    omsPolicy: '7755 1234 5678 9012',
    snils: '112-233-445 95',
    dms: { insurer: '', policy: '' },
    allergies: '',
    vip: 'Да',
    consentSms: 'Нет',
    consentCalls: true,
    lastVisit: '0001-01-01T00:00:00',
    appointments: [{ id: '9b2f1c4e-5a7d-11ee-8c3a-000000001001', startsAt: '2026-12-10T09:30:00', doctor: 'Смирнова О. П.', specialty: 'терапевт', service: 'Приём', branch: 'Садовая', status: 'Подтверждён' }],
  };

  it('makes a card the core accepts: empty strings and the empty date as null, Да/Нет as booleans, one phone per number', () => {
    const card = PatientCardSchema.parse(cardFromServicePatient(patient, 'Europe/Moscow'));
    expect(card).toMatchObject({ misId: '9b2f1c4e-5a7d-11ee-8c3a-000000000001', version: 4, patronymic: null, email: null, lastVisit: null, dms: null, snils: '11223344595', omsPolicy: '7755123456789012' });
    expect(card.flags).toEqual({ allergies: null, vip: true, preferredChannel: null, consentSms: false, consentCalls: true });
    expect(card.phones).toEqual([{ e164: '+79165550101', national10: '9165550101', kind: 'mobile' }]);
    expect(card.appointments[0]).toMatchObject({ startsAt: '2026-12-10T09:30:00+03:00', status: 'confirmed' });
  });

  it('leaves a broken field for the core to refuse, naming it, and never throws on hostile input', () => {
    const broken = PatientCardSchema.safeParse(cardFromServicePatient({ ...patient, snils: '112-233' }, 'Europe/Moscow'));
    expect(broken.success).toBe(false);
    expect(broken.error?.issues[0]?.path).toEqual(['snils']);
    for (const hostile of [null, 42, 'text', [], { phones: 'x', appointments: {} }, { id: { $ne: 1 } }]) {
      expect(PatientCardSchema.safeParse(cardFromServicePatient(hostile, 'Europe/Moscow')).success).toBe(false);
    }
  });
});

describe('OData pieces', () => {
  it('writes v3 literals: a quote doubled, guid and datetime', () => {
    expect(odataString("О'Нил")).toBe("'О''Нил'");
    expect(odataGuid(EMPTY_REF)).toBe(`guid'${EMPTY_REF}'`);
    expect(odataDateTime('1988-04-17')).toBe("datetime'1988-04-17T00:00:00'");
    const filter = compileODataFilter(`Фамилия eq ${odataString("О'Нил")} and (Ref_Key eq ${odataGuid('9B2F1C4E-5A7D-11EE-8C3A-000000000001')} or substringof('Ол', Description))`);
    expect(filter({ Фамилия: "О'Нил", Ref_Key: '9b2f1c4e-5a7d-11ee-8c3a-000000000001', Description: '' })).toBe(true);
    expect(filter({ Фамилия: 'Нил', Ref_Key: '9b2f1c4e-5a7d-11ee-8c3a-000000000001', Description: '' })).toBe(false);
  });

  it('reads entity sets and properties from $metadata', () => {
    const metadata = parseODataMetadata(
      '<Schema><EntityType Name="Catalog_Пациенты"><Property Name="Ref_Key"/><Property Name="Фамилия"/><NavigationProperty Name="ОсновнойПациент"/></EntityType><EntityContainer><EntitySet Name="Catalog_Пациенты" EntityType="S.Catalog_Пациенты"/></EntityContainer></Schema>',
    );
    expect(metadata.entitySets).toEqual(['Catalog_Пациенты']);
    expect([...metadata.properties.get('Catalog_Пациенты')!]).toEqual(['Ref_Key', 'Фамилия', 'ОсновнойПациент']);
    expect(parseODataMetadata('<html>not edmx</html>')).toEqual({ entitySets: [], properties: new Map() });
  });
});

describe('settings form', () => {
  it('renders the mode switch, a password box, and the OData fields only in OData mode', () => {
    const fields = connectorFormFields(z.toJSONSchema(OnecHttpConfigSchema, { io: 'input', unrepresentable: 'any' }), 'ru');
    const byPath = new Map(fields.map((field) => [field.path, field]));
    expect(byPath.get('password')?.type).toBe('secret');
    expect(byPath.get('mode.type')?.options?.map((o) => o.label)).toEqual(['HTTP-сервис', 'OData (только чтение)']);
    expect(byPath.get('mode.entity')).toMatchObject({ defaultValue: 'Catalog_Пациенты', showWhen: { path: 'mode.type', equals: 'odata' } });
    expect(byPath.get('mode.servicePath')?.showWhen).toEqual({ path: 'mode.type', equals: 'http-service' });
  });

  it('refuses a path that leaves the publication and a field name that is not a 1C name, naming the field', () => {
    const bad = OnecHttpConfigSchema.safeParse({ baseUrl: 'http://1c.local/med', user: 'u', mode: { type: 'http-service', servicePath: '../admin' } });
    expect(bad.error?.issues[0]?.path).toEqual(['mode', 'servicePath']);
    const odata = OnecHttpConfigSchema.safeParse({ baseUrl: 'http://1c.local/med', user: 'u', mode: { type: 'odata', fields: { surname: "x' or 1 eq 1" } } });
    expect(odata.error?.issues[0]?.path).toEqual(['mode', 'fields', 'surname']);
  });
});

describe('registration', () => {
  const context = (config: unknown) => ({ config, stateDir: '/nonexistent/onec-http-state', logger: silentLogger, clock: systemClock });

  it('makes the HTTP-service connector by default and the read-only OData one when asked', () => {
    expect(onecHttpRegistration.manifest).toMatchObject({ id: 'onec-http', kind: 'mis', pull: 'cursor', push: 'idempotent' });
    const service = onecHttpRegistration.create(context({ baseUrl: 'http://1c.local/med', user: 'Регистратура', password: 'x' }));
    expect(service.manifest.push).toBe('idempotent');
    expect(service.pollIntervalMs).toBe(60_000);
    const odata = onecHttpRegistration.create(context({ baseUrl: 'http://1c.local/med', user: 'u', mode: { type: 'odata' }, syncIntervalSec: 300 }));
    expect(odata.manifest).toMatchObject({ pull: 'full', push: 'none' });
    expect(odata.pollIntervalMs).toBe(300_000);
  });

  it('refuses a config without a base URL, naming the field', () => {
    expect(() => onecHttpRegistration.create(context({ user: 'u' }))).toThrow(/baseUrl/);
  });
});
