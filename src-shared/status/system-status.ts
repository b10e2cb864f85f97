import { z } from 'zod';

/** Registration states of the softphone (docs/architecture.md, "Softphone"); the UI shows exactly this, never a cached flag. */
export const SipStateSchema = z.enum([
  'offline',
  'connecting',
  'registering',
  'registered',
  'reconnecting',
  'failed',
]);
export type SipState = z.infer<typeof SipStateSchema>;

/**
 * Connection state of a connector to an outside system (PBX or MIS). `reconnecting`: the link
 * was up and is being restored; `failed`: it cannot come up until something changes (a wrong
 * password) — the desk still retries, slowly.
 */
export const LinkStateSchema = z.enum(['disabled', 'connecting', 'online', 'degraded', 'offline', 'reconnecting', 'failed']);
export type LinkState = z.infer<typeof LinkStateSchema>;

export const SyncStateSchema = z.enum(['disabled', 'idle', 'syncing', 'error']);
export type SyncState = z.infer<typeof SyncStateSchema>;

/**
 * Why a system is in its state: i18n keys under `status.detail.*`. One list, so the core can
 * only report what the status bar can explain (a test checks both locales have each one).
 */
export const STATUS_DETAILS = [
  'notConfigured',
  'connectorNotAvailable',
  'cacheUnavailable',
  'journalUnavailable',
  'misUnreachable',
  'misTimeout',
  'misRejectedSync',
  'misAuthFailed',
  'misProtocol',
  'pluginRestarting',
  'pluginFailed',
  'syncFailed',
  'cacheRebuilding',
  'cacheRebuildingMisUnreachable',
  'softphoneNotConfigured',
  'softphoneNotInBuild',
  'sipWrongPassword',
  'sipUnknownUser',
  'sipUnreachable',
  'sipRejected',
  'pbxWrongPassword',
  'pbxUnreachable',
  'pbxTimeout',
  'pbxProtocol',
  'pbxConnectionLost',
] as const;
export const StatusDetailSchema = z.enum(STATUS_DETAILS);
export type StatusDetail = z.infer<typeof StatusDetailSchema>;

const indicator = <S extends z.ZodType>(state: S) =>
  z
    .object({
      state,
      /** ISO time of the last state change. */
      since: z.string(),
      /** Why it is in this state, if there is more to say. */
      detail: StatusDetailSchema.nullable(),
    })
    .strict();

export const CoreStatusSchema = z
  .object({
    pbx: indicator(LinkStateSchema),
    mis: indicator(LinkStateSchema),
    sync: indicator(SyncStateSchema),
  })
  .strict();
export type CoreStatus = z.infer<typeof CoreStatusSchema>;
export type CoreSystem = keyof CoreStatus;

export const SipIndicatorSchema = indicator(SipStateSchema);
export type SipIndicator = z.infer<typeof SipIndicatorSchema>;
