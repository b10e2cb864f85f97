/**
 * Pure parsers for the few INVITE headers the desk reads beyond what SIP.js parses for us. No
 * SIP.js import: these take the raw header values (`IncomingRequestMessage.getHeaders`) and never
 * throw — a header a PBX got wrong simply means "not present".
 */
import { sanitiseDisplayText, sanitiseRemoteNumber } from './phone';

/** The longest intercom delay we honour; a PBX asking for more is clamped, not ignored. */
export const MAX_ANSWER_AFTER_SEC = 60;

/**
 * Split a header value into its comma-separated entries (RFC 3261 §7.3.1), ignoring commas inside
 * `<…>` and quoted strings — a display name or a URI may legally contain them.
 */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (inQuotes) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') inQuotes = false;
      continue;
    }
    if (ch === '"') inQuotes = true;
    else if (ch === '<') inAngle = true;
    else if (ch === '>') inAngle = false;
    else if (ch === ',' && !inAngle) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

/**
 * The intercom delay from `Call-Info` headers: the `answer-after=N` parameter that PBXs (Asterisk,
 * FreePBX, Yealink/Polycom/Snom paging) put on `Call-Info` (RFC 3261 §20.9; the parameter is a
 * de-facto `generic-param`, the standardised equivalent being RFC 5373 `Answer-Mode`). The first
 * entry with a well-formed non-negative integer wins; N is clamped to 0..{@link MAX_ANSWER_AFTER_SEC}.
 * Anything malformed yields null (the call rings normally).
 */
export function parseAnswerAfter(headerValues: readonly string[]): number | null {
  for (const header of headerValues) {
    for (const entry of splitHeaderList(header)) {
      // Parameters follow the closing '>' of the URI; without one, everything after the first ';'.
      const close = entry.lastIndexOf('>');
      const paramsPart = close >= 0 ? entry.slice(close + 1) : entry.slice(Math.max(entry.indexOf(';'), 0));
      for (const param of paramsPart.split(';')) {
        const eq = param.indexOf('=');
        if (eq < 0) continue;
        if (param.slice(0, eq).trim().toLowerCase() !== 'answer-after') continue;
        const raw = param.slice(eq + 1).trim().replace(/^"(.*)"$/u, '$1');
        if (!/^\d{1,6}$/u.test(raw)) continue;
        return Math.min(Number(raw), MAX_ANSWER_AFTER_SEC);
      }
    }
  }
  return null;
}

/** A name-addr / addr-spec split into its display name and URI (RFC 3261 §25.1). */
function nameAddr(entry: string): { displayName: string; uri: string } {
  const open = entry.indexOf('<');
  const close = entry.indexOf('>', open + 1);
  if (open >= 0 && close > open) {
    const display = entry.slice(0, open).trim();
    const quoted = /^"(.*)"$/su.exec(display)?.[1];
    // A stray quote means the header is malformed: not an identity to trust over From.
    if (quoted === undefined && display.includes('"')) return { displayName: '', uri: '' };
    const unquoted = quoted?.replace(/\\(.)/gsu, '$1') ?? display;
    return { displayName: unquoted, uri: entry.slice(open + 1, close).trim() };
  }
  // addr-spec without brackets: any ';' starts header parameters, not URI parameters (§20.10).
  return { displayName: '', uri: entry.split(';')[0]!.trim() };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The user part of a `sip:`/`sips:` URI, or the number of a `tel:` URI (RFC 3966 §3); '' otherwise. */
function userOf(uri: string): string {
  const m = /^(sips?|tel):(.*)$/iu.exec(uri);
  if (!m) return '';
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'tel') return safeDecode(rest.split(/[;?]/u)[0] ?? '');
  const at = rest.indexOf('@');
  if (at <= 0) return '';
  // A telephone-subscriber user part may carry ';phone-context=…' (RFC 3261 §19.1.6): not the number.
  return safeDecode(rest.slice(0, at).split(';')[0] ?? '');
}

/**
 * The caller as asserted by a trusted PBX (`P-Asserted-Identity`, RFC 3325 §9.1): at most one
 * `sip:`/`sips:` and one `tel:` identity, comma-separated or in separate headers. The first entry
 * whose user part survives sanitising wins; null when there is none or none parses, so the caller
 * falls back to From. Both fields are sanitised like every other caller-supplied text.
 */
export function parseAssertedIdentity(headerValues: readonly string[]): { number: string; displayName: string } | null {
  for (const header of headerValues) {
    for (const entry of splitHeaderList(header)) {
      const { displayName, uri } = nameAddr(entry);
      const number = sanitiseRemoteNumber(userOf(uri));
      if (number) return { number, displayName: sanitiseDisplayText(displayName) };
    }
  }
  return null;
}
