/**
 * Pure parsers for the few INVITE headers the desk reads beyond what SIP.js parses for us. No
 * SIP.js import: these take the raw header values (`IncomingRequestMessage.getHeaders`) and never
 * throw — a header a PBX got wrong simply means "not present".
 */
import { oneLineText } from '../../src-shared/text/unsafe-characters';
import { MAX_DISPLAY_NAME_LENGTH, sanitiseRemoteNumber } from './phone';

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

/** A From/To value taken apart (RFC 3261 §20.20 `( name-addr / addr-spec ) *( SEMI from-param )`). */
export interface AddressParts {
  /** The display name as written (quotes included), '' when there is none. */
  readonly display: string;
  readonly uri: string;
  /** Everything after the URI: `;tag=…` and other header parameters. */
  readonly params: string;
  /** Written as `<uri>` (name-addr) rather than a bare addr-spec. */
  readonly bracketed: boolean;
}

/**
 * Take a From/To value apart, or null when it is malformed beyond repair (an unterminated quoted
 * string, `<` without `>`, a second `<` inside the URI). Bounded: one pass over the value.
 */
export function parseAddress(value: string): AddressParts | null {
  const v = value.trim();
  let display = '';
  let from = 0;
  if (v.startsWith('"')) {
    let i = 1;
    for (; i < v.length; i++) {
      if (v[i] === '\\') i++;
      else if (v[i] === '"') break;
    }
    if (i >= v.length) return null;
    display = v.slice(0, i + 1);
    from = i + 1;
    if (!v.slice(from).trimStart().startsWith('<')) return null;
  }
  const lt = v.indexOf('<', from);
  if (lt < 0) {
    // addr-spec: the first ';' starts header parameters, not URI parameters (RFC 3261 §20.10).
    const semi = v.indexOf(';');
    const uri = semi < 0 ? v : v.slice(0, semi);
    if (uri.trim() === '' || /[\s<>"]/u.test(uri.trim())) return null;
    return { display: '', uri: uri.trim(), params: semi < 0 ? '' : v.slice(semi), bracketed: false };
  }
  if (from === 0) display = v.slice(0, lt).trim();
  const gt = v.indexOf('>', lt + 1);
  if (gt < 0 || v.slice(lt + 1, gt).includes('<')) return null;
  return { display, uri: v.slice(lt + 1, gt).trim(), params: v.slice(gt + 1), bracketed: true };
}

/** A name-addr / addr-spec as display name (unquoted, quoted-pairs resolved) and URI; '' when malformed. */
function nameAddr(entry: string): { displayName: string; uri: string } {
  const parts = parseAddress(entry);
  if (!parts) return { displayName: '', uri: '' };
  const quoted = /^"(.*)"$/su.exec(parts.display)?.[1];
  // A stray quote in an unquoted name means the header is malformed: not an identity to trust.
  if (quoted === undefined && parts.display.includes('"')) return { displayName: '', uri: '' };
  return { displayName: quoted?.replace(/\\(.)/gsu, '$1') ?? parts.display, uri: parts.uri };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The user part of a `sip:`/`sips:` URI, or the number of a `tel:` URI (RFC 3966 §3); '' otherwise.
 * A `tel:` From reaches here as its RFC 3261 §19.1.6 SIP form (`sip:+7-916…@from.caller-id.invalid;
 * user=phone`, see sip-wire.ts), whose user part is the telephone-subscriber: the same number.
 */
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
      if (number) return { number, displayName: oneLineText(displayName, MAX_DISPLAY_NAME_LENGTH) };
    }
  }
  return null;
}

/**
 * The caller of an INVITE as the desk shows and looks it up — one rule for every caller-id form:
 * the number from `P-Asserted-Identity` when it carries a usable one (RFC 3325 §9.1: the PBX's
 * asserted identity is the real caller; From is whatever the caller or a trunk put there), else
 * the user part of `From` (RFC 3261 §20.20; `sip:`, `sips:`, or a `tel:` URI in its §19.1.6 SIP
 * form); the display name from From, else from the PAI. Both sanitised; never throws.
 *
 * @param fromValue the raw From header value as the stack received it (with its parameters).
 */
export function parseCaller(fromValue: string | undefined, assertedIdentity: readonly string[]): { number: string; displayName: string } {
  const asserted = parseAssertedIdentity(assertedIdentity);
  const from = nameAddr(fromValue ?? '');
  const fromName = oneLineText(from.displayName, MAX_DISPLAY_NAME_LENGTH);
  return {
    number: asserted?.number ?? sanitiseRemoteNumber(userOf(from.uri)),
    displayName: fromName || asserted?.displayName || '',
  };
}
