import { sipUriExtension, type Settings } from '../../../../src-shared/settings/settings-schema';

/**
 * This desk's agent on the PBX: `agent.extension`, else the user part of `sip.uri`; the name is
 * `agent.name`, else the SIP display name. CTI mode is a desk without a softphone (no SIP
 * server or URI): its calls are on a hardware phone, so the PBX's events pop its cards.
 */
export function agentIdentity(settings: Settings): { extension: string | null; name: string; ctiMode: boolean } {
  const extension = settings.agent.extension || sipUriExtension(settings.sip.uri);
  const ctiMode = settings.sip.server === '' || settings.sip.uri === '';
  return { extension: extension === '' ? null : extension, name: settings.agent.name || settings.sip.displayName || extension, ctiMode };
}
