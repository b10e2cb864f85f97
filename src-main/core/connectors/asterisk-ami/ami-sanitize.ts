import { CALL_ID_MAX } from '../../../../src-shared/calls/calls-contract';
import { PBX_NAME_MAX } from '../../../../src-shared/pbx/pbx-model';

/**
 * Cleaning of what the PBX (or a caller) put into an AMI header before it reaches the domain:
 * numbers to the `CallNumberSchema` alphabet, names and reasons to short printable text, ids to
 * printable ASCII, numbers to sane integers. Pure; nothing here throws.
 */

const NOT_NUMBER_CHAR = /[^0-9A-Za-z+*#._-]/g;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** A caller number in the `CallNumberSchema` alphabet (`<unknown>` → ''), at most 64 chars. */
export function cleanNumber(raw: string | undefined): string {
  if (raw === undefined) return '';
  const trimmed = raw.trim();
  if (/^<?unknown>?$/i.test(trimmed)) return '';
  return trimmed.replace(NOT_NUMBER_CHAR, '').slice(0, 64);
}

/** Printable text (control, format and bidi characters dropped, spaces collapsed), at most `max` UTF-16 units. */
export function cleanText(raw: string | undefined, max = PBX_NAME_MAX): string {
  if (raw === undefined) return '';
  const text = raw.replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out.trimEnd();
}

/** A PBX id (Linkedid, queue id): printable ASCII without spaces, 1..max chars; null otherwise. */
export function cleanId(raw: string | undefined, max = CALL_ID_MAX): string | null {
  if (raw === undefined) return null;
  const id = raw.trim();
  return id.length > 0 && id.length <= max && /^[\x21-\x7E]+$/.test(id) ? id : null;
}

/** A non-negative integer header (≤ `max`); null when missing, not a number or absurd. */
export function cleanInt(raw: string | undefined, max = 10_000_000): number | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  if (!/^\d{1,12}$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

/** A decimal header (`ServicelevelPerf: 87.5`); null when not a finite number in range. */
export function cleanDecimal(raw: string | undefined, max = 1e9): number | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  if (!/^\d{1,12}(\.\d{1,6})?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) && value <= max ? value : null;
}

/** AMI booleans: `1`, `true`, `yes`, `on`. */
export function isTrue(raw: string | undefined): boolean {
  return raw !== undefined && /^(1|true|yes|on)$/i.test(raw.trim());
}
