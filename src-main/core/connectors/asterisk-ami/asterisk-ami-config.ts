import { z } from 'zod';
import { PBX_NAME_MAX, QueueIdSchema } from '../../../../src-shared/pbx/pbx-model';
import { EXTENSION_PLACEHOLDER } from './ami-interfaces';

/**
 * `settings.connectors.pbx.config` of the `asterisk-ami` connector. A `preset` fills what the
 * settings leave out with the defaults of that PBX (explicit fields win). Every message names
 * its field: the core prints `connectors.pbx.config.<field>: <message>`.
 */

export const AMI_PRESET_IDS = ['asterisk', 'mikopbx', 'freepbx'] as const;
export type AmiPresetId = (typeof AMI_PRESET_IDS)[number];

const NO_BREAKS = /^[^\r\n\0]*$/;

/** A dial pattern holding `{extension}` (`PJSIP/{extension}`, `*222{extension}`). */
function patternField(field: string) {
  return z
    .string({ error: `${field} must be text such as PJSIP/{extension}` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(120, `${field} is longer than 120 characters`)
    .regex(NO_BREAKS, `${field} must be one line`)
    .refine((p) => p.includes(EXTENSION_PLACEHOLDER), `${field} must contain {extension} (as in PJSIP/{extension})`);
}

const ContextSchema = z
  .string({ error: 'context must be a dialplan context name' })
  .trim()
  .min(1, 'context must not be empty')
  .max(80, 'context is longer than 80 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'context holds only letters, digits and _ . -');

export const AmiSpySchema = z
  .object({
    context: ContextSchema,
    listen: patternField('spy.listen'),
    whisper: patternField('spy.whisper'),
    barge: patternField('spy.barge'),
  })
  .strict();
export type AmiSpyConfig = z.infer<typeof AmiSpySchema>;

const AmiConfigObject = z
  .object({
    host: z
      .string({ error: 'host must be the PBX host name or IP address' })
      .trim()
      .min(1, 'host must not be empty: the PBX host name or IP address')
      .max(253, 'host is longer than 253 characters')
      .regex(/^[A-Za-z0-9.:[\]_-]+$/, 'host must be a host name or an IP address (no scheme, no port)')
      .meta({ title: 'PBX host', title_ru: 'Адрес АТС', description: 'Host name or IP address of the Asterisk, MikoPBX or FreePBX server.', description_ru: 'Имя или IP-адрес сервера Asterisk, MikoPBX или FreePBX.' }),
    port: z
      .number({ error: 'port must be a number (AMI listens on 5038 by default)' })
      .int('port must be a whole number')
      .min(1, 'port must be 1–65535')
      .max(65535, 'port must be 1–65535')
      .default(5038)
      .meta({ title: 'AMI port', title_ru: 'Порт AMI', description: 'Asterisk Manager Interface port (manager.conf), 5038 by default.', description_ru: 'Порт Asterisk Manager Interface (manager.conf), по умолчанию 5038.' }),
    username: z
      .string({ error: 'username must be the AMI user (manager.conf section)' })
      .trim()
      .min(1, 'username must not be empty (the AMI user from manager.conf)')
      .max(80, 'username is longer than 80 characters')
      .regex(/^[^\s:]+$/, 'username must be one word without spaces or colons')
      .meta({ title: 'AMI user', title_ru: 'Пользователь AMI', description: 'The section name in manager.conf.', description_ru: 'Имя секции в manager.conf.' }),
    /** Kept only until the core moves it into the secret store (then `ctx.secret`). */
    secret: z.string({ error: 'secret must be text' }).max(256, 'secret is longer than 256 characters').regex(NO_BREAKS, 'secret must be one line').optional().meta({ title: 'AMI password', title_ru: 'Пароль AMI', description: 'Kept in the secret store, never in the settings file.', description_ru: 'Хранится в защищённом хранилище, не в файле настроек.' }),
    queues: z.array(QueueIdSchema, { error: 'queues must be a list of queue names' }).max(200, 'queues lists more than 200 queues').default([]),
    /** How a member appears in the queue (`QueuePause Interface:`). */
    memberInterface: patternField('memberInterface').default('PJSIP/{extension}'),
    /** A member's state interface when it differs (MikoPBX `hint:{extension}@internal-hints`). */
    stateInterface: patternField('stateInterface').nullable().default(null),
    /** The agent's own phone, rung by Originate and watched by ChanSpy. */
    deviceInterface: patternField('deviceInterface').default('PJSIP/{extension}'),
    /** Where Originate (callbacks) and transfers dial numbers. */
    context: ContextSchema.default('internal').meta({ title: 'Dial context', title_ru: 'Контекст набора', description: 'Where callbacks and transfers dial numbers.', description_ru: 'Контекст, в котором набираются перезвоны и переводы.' }),
    /** Spy feature codes; null: none, the connector originates ChanSpy itself. */
    spy: AmiSpySchema.nullable().default(null),
    queueNames: z
      .record(QueueIdSchema, z.string({ error: 'queueNames values must be text' }).trim().min(1, 'queueNames values must not be empty').max(PBX_NAME_MAX, `queueNames values are at most ${PBX_NAME_MAX} characters`), {
        error: 'queueNames must map queue ids to display names',
      })
      .default({}),
    preset: z.enum(AMI_PRESET_IDS, { error: `preset must be one of ${AMI_PRESET_IDS.join(', ')}` }).optional().meta({ title: 'PBX kind', title_ru: 'Тип АТС', description: 'Fills in member and device names the way this PBX names them.', description_ru: 'Подставляет имена участников очереди и устройств так, как их называет эта АТС.' }),
    connectTimeoutMs: z.number({ error: 'connectTimeoutMs must be a number' }).int('connectTimeoutMs must be whole ms').min(500, 'connectTimeoutMs is at least 500').max(120_000, 'connectTimeoutMs is at most 120000').default(10_000).meta({ title: 'Connect timeout, ms', title_ru: 'Тайм-аут подключения, мс', description: '', description_ru: '' }),
  })
  .strict();

export type AmiConfig = z.infer<typeof AmiConfigObject>;
export type AmiPreset = Partial<Pick<AmiConfig, 'memberInterface' | 'stateInterface' | 'deviceInterface' | 'context' | 'spy'>>;

/**
 * What each PBX needs, from its sources:
 * - `asterisk`: the plain Asterisk of the captures (src-main/core/connectors/asterisk-ami/fixtures/README.md): members
 *   `PJSIP/NNNN`, context `internal`, `*222`/`*223`/`*224` + extension = ChanSpy q / qw / qB.
 * - `mikopbx`: members `Local/{ext}@internal/n` with state `hint:{ext}@internal-hints`
 *   (mikopbx/Core src/Core/Asterisk/Configs/QueueConf.php, `member => Local/…@internal/n,…,hint:…@internal-hints`);
 *   queues are named by their internal `uniqid` (same file, `[{$queue_data['uniqid']}]; {name}`) so
 *   display names go in `queueNames`; `queue_log = no` (src/Core/Asterisk/Configs/LoggerConf.php);
 *   no spy feature code in its dialplan (app_chanspy is only used by ExtensionsAnnounceRecording.php),
 *   so monitoring originates `ChanSpy` with q / qw / qB; its own click-to-call originates
 *   `Local/{ext}@internal-originate` into context `all_peers` (src/Core/System/Util.php, amiOriginate).
 * - `freepbx`: members `Local/{ext}@from-queue/n` with state `hint:{ext}@ext-local`
 *   (FreePBX/queues Queues.class.php `queues_member_login`, functions.inc/dialplan.php AddQueueMember);
 *   context `from-internal`; the ChanSpy feature code `555` (FreePBX/core install.php, 'chanspy'
 *   default '555') runs `ChanSpy()` with no target and no options (functions.inc.php, app-chanspy):
 *   it asks for the extension by DTMF, so it cannot be dialled for one agent; monitoring originates
 *   `ChanSpy` instead.
 */
export const AMI_PRESETS: Readonly<Record<AmiPresetId, AmiPreset>> = {
  asterisk: {
    memberInterface: 'PJSIP/{extension}',
    stateInterface: null,
    deviceInterface: 'PJSIP/{extension}',
    context: 'internal',
    spy: { context: 'internal', listen: '*222{extension}', whisper: '*223{extension}', barge: '*224{extension}' },
  },
  mikopbx: {
    memberInterface: 'Local/{extension}@internal/n',
    stateInterface: 'hint:{extension}@internal-hints',
    deviceInterface: 'Local/{extension}@internal-originate',
    context: 'all_peers',
    spy: null,
  },
  freepbx: {
    memberInterface: 'Local/{extension}@from-queue/n',
    stateInterface: 'hint:{extension}@ext-local',
    deviceInterface: 'PJSIP/{extension}',
    context: 'from-internal',
    spy: null,
  },
};

/**
 * The pattern of an agent's phone channel (what ChanSpy watches and CoreShowChannels lists):
 * the device interface, or `PJSIP/{extension}` when that is a Local originate channel.
 */
export function phonePattern(config: Pick<AmiConfig, 'deviceInterface'>): string {
  return config.deviceInterface.startsWith('Local/') ? 'PJSIP/{extension}' : config.deviceInterface;
}

export const AmiConfigSchema: z.ZodType<AmiConfig> = z.preprocess((input) => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const preset = (input as { preset?: unknown }).preset;
  if (typeof preset !== 'string' || !(AMI_PRESET_IDS as readonly string[]).includes(preset)) return input;
  const defaults = AMI_PRESETS[preset as AmiPresetId];
  // fromEntries defines own keys: an input key `__proto__` stays a key (and fails `.strict()`).
  return Object.fromEntries([...Object.entries(defaults), ...Object.entries(input).filter(([, value]) => value !== undefined)]);
}, AmiConfigObject) as unknown as z.ZodType<AmiConfig>;
