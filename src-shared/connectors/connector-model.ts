import { z } from 'zod';

/**
 * What the settings screen knows about a connector (docs/architecture.md, "Connectors"): its
 * manifest and the form rendered from its config schema, the numbered diagnostics of "test
 * connection", and a preview of a file-based source. Everything here crosses the contract, so
 * it is plain data: a built-in's zod schema reaches the window as a field list, never as code.
 */

export const ConnectorKindSchema = z.enum(['mis', 'pbx']);
export type ConnectorKind = z.infer<typeof ConnectorKindSchema>;

/** How a connector's form field is edited. `secret`: a password box whose value goes to the secret store only. */
export const ConnectorFieldTypeSchema = z.enum(['text', 'url', 'secret', 'integer', 'number', 'boolean', 'enum', 'path', 'textarea']);
export type ConnectorFieldType = z.infer<typeof ConnectorFieldTypeSchema>;

/** A dotted path inside the connector's config: `baseUrl`, `auth.type`, `mapping.surname`. */
export const ConfigPathSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/).max(200);

export const ConnectorFieldSchema = z
  .object({
    path: ConfigPathSchema,
    type: ConnectorFieldTypeSchema,
    /** The field's label (the schema's `title`, else its name). */
    label: z.string().max(200),
    /** Help text under the field (the schema's `description`). */
    help: z.string().max(2000).nullable(),
    required: z.boolean(),
    /** For `enum`: the choices (a label per value when the schema gives one). */
    options: z.array(z.object({ value: z.string(), label: z.string() }).strict()).max(100).nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    /** The schema's default, shown when the config has no value. */
    defaultValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
    /** Shown only while another field (an `enum`, e.g. `auth.type`) has this value. */
    showWhen: z.object({ path: ConfigPathSchema, equals: z.string() }).strict().nullable(),
    /** A heading the field is grouped under (the parent object's title). */
    group: z.string().max(200).nullable(),
  })
  .strict();
export type ConnectorField = z.infer<typeof ConnectorFieldSchema>;

/** Optional abilities a MIS connector declares (the demo's, the SDK's). */
export const MisCapabilitySchema = z.enum(['changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'listAppointments', 'schedule', 'booking', 'callLists']);
export type MisCapability = z.infer<typeof MisCapabilitySchema>;

/** How the connector pulls: a change cursor of the MIS's own, "changed since" a time, or only whole exports. */
export const PullModeSchema = z.enum(['cursor', 'since', 'full']);
/** How writes reach the MIS: once per key by the MIS itself, deduplicated by a natural key the connector checks, or not at all. */
export const PushModeSchema = z.enum(['idempotent', 'natural-key', 'none']);

export const ConnectorDescriptorSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    kind: ConnectorKindSchema,
    /** The connector's name for people. */
    title: z.string().max(200),
    version: z.string().max(40),
    apiVersion: z.number().int().positive(),
    /** `built-in`: part of this build; `plugin`: loaded from the data directory's `plugins/`, run isolated. */
    source: z.enum(['built-in', 'plugin']),
    capabilities: z.array(z.string().max(40)).max(40),
    pull: PullModeSchema.nullable(),
    push: PushModeSchema.nullable(),
    /** The form, in the schema's order. */
    fields: z.array(ConnectorFieldSchema).max(200),
    /** The connector can show the first rows of its source (`connectors.preview`): the spreadsheet's column mapping. */
    preview: z.boolean(),
  })
  .strict();
export type ConnectorDescriptor = z.infer<typeof ConnectorDescriptorSchema>;

/**
 * The steps "test connection" runs, in this order (a connector runs those that apply to it):
 * the config itself, reaching the host, TLS, authenticating, what the MIS publishes
 * (OData `$metadata`), reading one patient, reading the schedule, permission to write; and
 * for other sources starting a plugin, reading a folder or a file.
 */
export const DIAGNOSTIC_STEPS = [
  'config',
  'start-plugin',
  'reach',
  'tls',
  'auth',
  'metadata',
  'read-folder',
  'read-file',
  'read-patient',
  'read-schedule',
  'write-permission',
] as const;
export const DiagnosticStepIdSchema = z.enum(DIAGNOSTIC_STEPS);
export type DiagnosticStepId = z.infer<typeof DiagnosticStepIdSchema>;

/** What to check when a step fails: i18n keys under `connectors.hint.*` (a test checks both locales have each one). */
export const DIAGNOSTIC_HINTS = [
  'fixConfig',
  'checkHostAndPort',
  'checkNetwork',
  'checkCertificate',
  'checkCredentials',
  'checkPermissions',
  'checkPublication',
  'checkEndpointPath',
  'checkServerLog',
  'checkSchedulePublished',
  'checkFolder',
  'checkFileFormat',
  'checkPlugin',
  'tryLater',
] as const;
export const DiagnosticHintSchema = z.enum(DIAGNOSTIC_HINTS);
export type DiagnosticHint = z.infer<typeof DiagnosticHintSchema>;

export const DiagnosticStepSchema = z
  .object({
    /** 1-based position in the run. */
    n: z.number().int().positive(),
    step: DiagnosticStepIdSchema,
    /** `skipped`: not run because an earlier step failed; `warning`: passed with something to know (plain HTTP, an empty publication). */
    status: z.enum(['ok', 'warning', 'failed', 'skipped']),
    /** What happened, in the system's own terms (`HTTP 401 from /fhir/Patient`, `connect ECONNREFUSED 127.0.0.1:9`); never patient data. */
    detail: z.string().max(1000),
    hint: DiagnosticHintSchema.nullable(),
    ms: z.number().int().nonnegative(),
  })
  .strict();
export type DiagnosticStep = z.infer<typeof DiagnosticStepSchema>;

export const DiagnosticsResultSchema = z
  .object({
    ok: z.boolean(),
    steps: z.array(DiagnosticStepSchema).max(DIAGNOSTIC_STEPS.length),
  })
  .strict();
export type DiagnosticsResult = z.infer<typeof DiagnosticsResultSchema>;

/**
 * The card fields a file source's column can be mapped to (`mapping.<field>` in its config), in
 * the order Settings shows them; `fullName` is one «ФИО» column split in three.
 */
export const MAPPABLE_CARD_FIELDS = ['id', 'surname', 'givenName', 'patronymic', 'fullName', 'birthDate', 'sex', 'phone', 'phone2', 'email', 'address', 'omsPolicy', 'snils', 'allergies'] as const;
export type MappableCardField = (typeof MAPPABLE_CARD_FIELDS)[number];

/** The first rows of a file-based source as read (the spreadsheet connector's column mapping). */
export const ConnectorPreviewSchema = z
  .object({
    /** The file read, by name only (no folder). */
    file: z.string().max(260).nullable(),
    /** `utf-8`, `windows-1251`. */
    encoding: z.string().max(40).nullable(),
    /** `;`, `,`, `\t`; null for XLSX. */
    delimiter: z.string().max(4).nullable(),
    columns: z.array(z.string().max(200)).max(200),
    rows: z.array(z.array(z.string().max(1000)).max(200)).max(20),
    totalRows: z.number().int().nonnegative(),
    /** The mapping the connector would use now (config, else guessed from the headers): card field → column. */
    mapping: z.record(z.string(), z.string()),
  })
  .strict();
export type ConnectorPreview = z.infer<typeof ConnectorPreviewSchema>;

/**
 * Config keys whose values are secrets at any depth: taken out of a settings patch or the
 * provisioning file into the secret store (`mis.auth.password`, `pbx.secret`), never written to
 * the settings file, never sent to a window. A connector's schema marks the same fields
 * `secret` in its form; a test checks every built-in agrees.
 */
export const SECRET_CONFIG_KEYS = ['secret', 'password', 'token', 'clientSecret'] as const;

export function isSecretConfigKey(key: string): boolean {
  return (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
}

/** The connector's config as the settings screen edits it: secrets never included; which are stored. */
export const ConnectorChoiceViewSchema = z
  .object({
    id: z.string().max(64),
    config: z.record(z.string(), z.unknown()),
    /** Dotted paths of the secrets stored for this connector (`auth.password`). */
    secretsSet: z.array(ConfigPathSchema).max(20),
  })
  .strict();
export type ConnectorChoiceView = z.infer<typeof ConnectorChoiceViewSchema>;

export const ConnectorsViewSchema = z
  .object({
    mis: z.array(ConnectorDescriptorSchema).max(100),
    pbx: z.array(ConnectorDescriptorSchema).max(100),
    current: z.object({ mis: ConnectorChoiceViewSchema, pbx: ConnectorChoiceViewSchema }).strict(),
    /** Plugins found in the data directory that could not be loaded, with why (a bad manifest, a newer apiVersion). */
    pluginProblems: z.array(z.object({ folder: z.string().max(260), problem: z.string().max(500) }).strict()).max(100),
  })
  .strict();
export type ConnectorsView = z.infer<typeof ConnectorsViewSchema>;
