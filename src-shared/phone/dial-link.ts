/**
 * A `tel:` / `sip:` / `sips:` link another program hands the desk (a click in the MIS, a mail, a
 * web page) read into the number to offer for dialling — or the reason it is refused. Links are
 * untrusted input: the parser is total (never throws), bounded ({@link MAX_DIAL_LINK_LENGTH}),
 * decodes percent-escapes exactly once and per component, and keeps only what
 * {@link checkDialString} accepts (digits, `*`, `#`, one leading `+`). The desk never dials
 * from a link by itself: the renderer asks the operator first.
 */
import { blankUnsafeCharacters } from '../text/unsafe-characters';
import { checkDialString } from './dial-string';

/** The link schemes the desk answers to (and registers as the OS handler for). */
export const DIAL_LINK_SCHEMES = ['tel', 'sip', 'sips'] as const;
export type DialLinkScheme = (typeof DIAL_LINK_SCHEMES)[number];

/** Longest link read at all; anything longer is refused before it is looked at. */
export const MAX_DIAL_LINK_LENGTH = 512;

/**
 * Why a link is refused: not one of our schemes (`notALink`), too long, a broken `%`-escape,
 * control or invisible characters, a SIP user with a password or a malformed host (`invalid`),
 * or the number itself — nothing to dial (`empty`), letters (`letters`: `sip:alice@…` too),
 * more than 32 digits (`tooLong`).
 */
export type DialLinkProblem = 'notALink' | 'tooLong' | 'badEncoding' | 'badCharacters' | 'invalid' | 'empty' | 'letters';

export type DialLink = { ok: true; scheme: DialLinkScheme; number: string } | { ok: false; problem: DialLinkProblem };

const SCHEME = /^(tel|sips?):(?:\/\/)?/iu;
// A host name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*\.?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/iu;

/** Control, bidi and invisible characters (the desk's one rule, `text/unsafe-characters.ts`). */
const hasUnsafeCharacter = (text: string): boolean => blankUnsafeCharacters(text) !== text;

const refuse = (problem: DialLinkProblem): DialLink => ({ ok: false, problem });

/** `%`-escapes decoded once; null when one is broken (`%G1`, a lone `%`, invalid UTF-8). */
function decodeOnce(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** One decoded component read as a dial string, or why it cannot be. */
function numberOf(scheme: DialLinkScheme, encoded: string): DialLink {
  const text = decodeOnce(encoded);
  if (text === null) return refuse('badEncoding');
  if (hasUnsafeCharacter(text)) return refuse('badCharacters');
  // A second scheme (`tel:tel:…`, `tel:sip:…`) is not a number.
  if (text.includes(':')) return refuse('letters');
  const check = checkDialString(text);
  if (!check.ok) return refuse(check.problem === 'invalid' ? 'invalid' : check.problem);
  return { ok: true, scheme, number: check.number };
}

/**
 * Reads a dial link: `tel:+7-916-123-45-67`, `tel:84951234567;phone-context=+7495` (parameters
 * after `;` dropped: the PBX dials the number as written), `sip:1001@pbx.example`,
 * `sips:+79161234567@pbx.example;transport=tls`, `SIP:%2B79161234567@pbx.example`. For SIP the
 * number is the user part; the host is checked for shape and not used — the desk dials through
 * its own PBX account. A user part with a password (`sip:1001:secret@…`) is refused.
 */
export function parseDialLink(input: unknown): DialLink {
  if (typeof input !== 'string') return refuse('notALink');
  if (input.length > MAX_DIAL_LINK_LENGTH) return refuse('tooLong');
  const text = input.trim();
  const scheme = SCHEME.exec(text);
  if (!scheme) return refuse('notALink');
  const name = scheme[1]!.toLowerCase() as DialLinkScheme;
  const rest = text.slice(scheme[0].length);
  if (hasUnsafeCharacter(rest)) return refuse('badCharacters');
  if (name === 'tel') return numberOf(name, rest.split(';')[0] ?? '');

  // sip / sips: [user[:password]@]host[:port][;uri-params][?headers]; split before decoding, so
  // an escaped `@`, `;` or `?` stays inside its component.
  const beforeHeaders = rest.split('?')[0] ?? '';
  const at = beforeHeaders.indexOf('@');
  if (at === -1) {
    // `sip:1001` without a host: the number alone.
    return numberOf(name, beforeHeaders.split(';')[0] ?? '');
  }
  const userInfo = beforeHeaders.slice(0, at);
  const host = (beforeHeaders.slice(at + 1).split(';')[0] ?? '').toLowerCase();
  if (userInfo.includes(':')) return refuse('invalid');
  if (!HOST.test(host)) return refuse('invalid');
  // A telephone-subscriber user part may carry its own `;phone-context=…` parameters.
  return numberOf(name, userInfo.split(';')[0] ?? '');
}

/**
 * The first argument that is a dial link (`tel:`, `sip:`, `sips:`, any case) in a process's
 * arguments, as given — or null. Windows and Linux start the handler with the link as an
 * argument (a second launch forwards its argv to the running desk); the other arguments are
 * Electron's, Chromium's and ours.
 */
export function dialLinkArgument(argv: readonly string[]): string | null {
  for (const argument of argv) {
    if (typeof argument === 'string' && SCHEME.test(argument.trim())) return argument;
  }
  return null;
}
