// Reads the AMI wire transcripts in src-main/core/connectors/asterisk-ami/fixtures (see its README): `#` lines are
// annotations, `>>>>> CLIENT SENDS (time) >>>>>` … `<<<<< SERVER >>>>>` is what the client wrote,
// what follows is the verbatim server stream (CRLF), and `===== socket closed =====` ends one TCP
// connection. LF-only blank lines are the capture's own separators, not stream bytes.
import { readFileSync } from 'node:fs';

export interface TranscriptSection {
  kind: 'client' | 'server';
  /** The bytes as written on the wire (CRLF line endings). */
  text: string;
  /** The capture's timestamp of a client section. */
  at?: string;
}

export interface TranscriptConnection {
  sections: TranscriptSection[];
  /** True when the capture saw the socket close. */
  closed: boolean;
}

export type AmiHeader = [string, string];

export interface AmiMessage {
  raw: string;
  headers: AmiHeader[];
}

const CLIENT_MARK = /^>>>>> CLIENT SENDS(?: \(([^)]*)\))? >>>>>\s*$/;
const SERVER_MARK = /^<<<<< SERVER >>>>>\s*$/;
const CLOSED_MARK = /^===== socket closed =====\s*$/;

export function parseTranscript(text: string): TranscriptConnection[] {
  const connections: TranscriptConnection[] = [];
  let conn: TranscriptConnection | null = null;
  let section: TranscriptSection | null = null;
  const open = (kind: 'client' | 'server', at?: string): void => {
    if (!conn) {
      conn = { sections: [], closed: false };
      connections.push(conn);
    }
    section = at === undefined ? { kind, text: '' } : { kind, text: '', at };
    conn.sections.push(section);
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const client = CLIENT_MARK.exec(line);
    if (client) {
      open('client', client[1]);
      continue;
    }
    if (SERVER_MARK.test(line)) {
      open('server');
      continue;
    }
    if (CLOSED_MARK.test(line)) {
      if (conn) (conn as TranscriptConnection).closed = true;
      conn = null;
      section = null;
      continue;
    }
    if (line === '') continue; // the capture's separator (stream lines end in \r)
    if (!section) open('server'); // a connection starts with the server's banner
    (section as unknown as TranscriptSection).text += `${line}\n`;
  }
  for (const c of connections) c.sections = c.sections.filter((s) => s.text !== '' || s.kind === 'client');
  return connections;
}

export function readTranscript(path: string): TranscriptConnection[] {
  return parseTranscript(readFileSync(path, 'utf8'));
}

/** Every server byte of one connection, in order. */
export function serverStream(conn: TranscriptConnection): string {
  return conn.sections.filter((s) => s.kind === 'server').map((s) => s.text).join('');
}

/** Splits a server stream into the banner (if it starts with one) and its messages (each with its final CRLF CRLF). */
export function splitServerStream(text: string): { banner: string | null; messages: string[] } {
  let rest = text;
  let banner: string | null = null;
  if (rest.startsWith('Asterisk Call Manager/')) {
    const end = rest.indexOf('\r\n');
    banner = rest.slice(0, end + 2);
    rest = rest.slice(end + 2);
  }
  const messages: string[] = [];
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    messages.push(rest.slice(0, end + 4));
    rest = rest.slice(end + 4);
  }
  return { banner, messages };
}

export function parseAmiMessage(raw: string): AmiMessage {
  const headers: AmiHeader[] = [];
  for (const line of raw.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    headers.push(colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')]);
  }
  return { raw, headers };
}

/** The server's reply to the client section whose ActionID is `actionId` (the next server section), as messages. */
export function replyTo(conn: TranscriptConnection, actionId: string): AmiMessage[] {
  const idx = conn.sections.findIndex((s) => s.kind === 'client' && new RegExp(`^ActionID: ${actionId}\\r?$`, 'm').test(s.text));
  if (idx < 0) throw new Error(`no client section with ActionID ${actionId}`);
  const next = conn.sections[idx + 1];
  if (!next || next.kind !== 'server') return [];
  return splitServerStream(next.text).messages.map(parseAmiMessage);
}

/** The client section with that ActionID (its exact bytes), to replay against a server. */
export function clientSection(conn: TranscriptConnection, actionId: string): string {
  const s = conn.sections.find((x) => x.kind === 'client' && new RegExp(`^ActionID: ${actionId}\\r?$`, 'm').test(x.text));
  if (!s) throw new Error(`no client section with ActionID ${actionId}`);
  return s.text;
}
