/**
 * The parts of FHIR R4 (4.0.1) resources the `fhir-r4` connector reads and writes, as loose
 * TypeScript shapes. Nothing here is trusted: a server's JSON is `unknown` until the mapping
 * has read each field it needs, with its type checked (`fhir-mapping.ts`).
 */

export interface FhirMeta {
  versionId?: string;
  /** FHIR `instant`: `2025-03-01T10:15:30.123+03:00`. */
  lastUpdated?: string;
}

export interface FhirCoding {
  system?: string;
  code?: string;
  display?: string;
}

export interface FhirCodeableConcept {
  coding?: FhirCoding[];
  text?: string;
}

export interface FhirPeriod {
  start?: string;
  end?: string;
}

export interface FhirReference {
  /** `Patient/123`, or an absolute URL ending in it. */
  reference?: string;
  display?: string;
}

export interface FhirIdentifier {
  use?: string;
  type?: FhirCodeableConcept;
  system?: string;
  value?: string;
  period?: FhirPeriod;
  assigner?: FhirReference;
}

export interface FhirHumanName {
  use?: 'usual' | 'official' | 'temp' | 'nickname' | 'anonymous' | 'old' | 'maiden';
  text?: string;
  family?: string;
  given?: string[];
  period?: FhirPeriod;
}

export interface FhirContactPoint {
  system?: 'phone' | 'fax' | 'email' | 'pager' | 'url' | 'sms' | 'other';
  value?: string;
  use?: 'home' | 'work' | 'temp' | 'old' | 'mobile';
  /** 1 = the most preferred. */
  rank?: number;
  period?: FhirPeriod;
}

export interface FhirAddress {
  use?: string;
  text?: string;
  line?: string[];
  city?: string;
  district?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  period?: FhirPeriod;
}

export interface FhirExtension {
  url?: string;
  valueString?: string;
  valueInteger?: number;
  valueDecimal?: number;
  valueBoolean?: boolean;
  valueCode?: string;
}

export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: FhirMeta;
  extension?: FhirExtension[];
  identifier?: FhirIdentifier[];
  [key: string]: unknown;
}

export interface FhirPatient extends FhirResource {
  resourceType: 'Patient';
  active?: boolean;
  name?: FhirHumanName[];
  telecom?: FhirContactPoint[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  address?: FhirAddress[];
  contact?: { relationship?: FhirCodeableConcept[]; name?: FhirHumanName; telecom?: FhirContactPoint[] }[];
  link?: { other?: FhirReference; type?: 'replaced-by' | 'replaces' | 'refer' | 'seealso' }[];
}

export interface FhirBundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number };
}

export interface FhirBundle extends FhirResource {
  resourceType: 'Bundle';
  type?: string;
  total?: number;
  link?: { relation?: string; url?: string }[];
  entry?: FhirBundleEntry[];
}

export interface FhirOperationOutcome extends FhirResource {
  resourceType: 'OperationOutcome';
  issue?: { severity?: string; code?: string; details?: FhirCodeableConcept; diagnostics?: string; expression?: string[] }[];
}

/** The system of the identifier every write carries its outbox key in (`If-None-Exist: identifier=<system>|<key>`). */
export const OUTBOX_IDENTIFIER_SYSTEM = 'urn:registratura:outbox';
/** The system of the identifier naming the desk's own id of a booking (`localId`), so a cancel or a move can find it. */
export const LOCAL_IDENTIFIER_SYSTEM = 'urn:registratura:local';

/**
 * Extensions the connector reads on a HealthcareService (R4 has no element for either): the
 * visit's length in minutes (`valueInteger`) and its price in roubles (`valueDecimal` or
 * `valueInteger`). Without them a service lasts 30 minutes and has no price on the desk.
 */
export const SERVICE_DURATION_EXTENSION = 'urn:registratura:fhir:healthcareservice-duration-min';
export const SERVICE_PRICE_EXTENSION = 'urn:registratura:fhir:healthcareservice-price-rub';
