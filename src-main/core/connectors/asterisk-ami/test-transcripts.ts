// Test support (not used by the app): reads the real AMI captures in ./fixtures (copied from
// src-main/core/connectors/asterisk-ami/fixtures; format in fixtures/README.md). `#` lines are annotations;
// `>>>>> CLIENT SENDS (time) >>>>>` … `<<<<< SERVER >>>>>` is what the client wrote; what follows is
// the verbatim server stream (CRLF); `===== socket closed =====` ends a TCP connection. LF-only
// blank lines are the capture's own separators, not stream bytes. (Same reading as
// e2e/ami-simulator/transcript.ts, which tests here must not import.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TranscriptStep {
  /** What the client wrote (CRLF). */
  client: string;
  /** The server bytes that followed it, up to the next client section. */
  server: string;
}

export interface TranscriptConnection {
  /** Server bytes before the first client section (the banner). */
  preamble: string;
  steps: TranscriptStep[];
  closed: boolean;
}

const CLIENT_MARK = /^>>>>> CLIENT SENDS(?: \([^)]*\))? >>>>>\s*$/;
const SERVER_MARK = /^<<<<< SERVER >>>>>\s*$/;
const CLOSED_MARK = /^===== socket closed =====\s*$/;

export const FIXTURES_DIR = join(import.meta.dirname, 'fixtures');

export function parseTranscript(text: string): TranscriptConnection[] {
  const connections: TranscriptConnection[] = [];
  let conn: TranscriptConnection | null = null;
  let mode: 'preamble' | 'client' | 'server' = 'preamble';
  const current = (): TranscriptConnection => {
    if (!conn) {
      conn = { preamble: '', steps: [], closed: false };
      connections.push(conn);
      mode = 'preamble';
    }
    return conn;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (CLIENT_MARK.test(line)) {
      current().steps.push({ client: '', server: '' });
      mode = 'client';
      continue;
    }
    if (SERVER_MARK.test(line)) {
      current();
      mode = 'server';
      continue;
    }
    if (CLOSED_MARK.test(line)) {
      if (conn) (conn as TranscriptConnection).closed = true;
      conn = null;
      continue;
    }
    if (line === '') continue;
    const c = current();
    const step = c.steps[c.steps.length - 1];
    if (mode === 'preamble' || !step) c.preamble += `${line}\n`;
    else if (mode === 'client') step.client += `${line}\n`;
    else step.server += `${line}\n`;
  }
  return connections;
}

export function readTranscript(name: string): TranscriptConnection[] {
  return parseTranscript(readFileSync(join(FIXTURES_DIR, name), 'utf8'));
}

/** Every server byte of a connection, in wire order. */
export function serverBytes(conn: TranscriptConnection): Buffer {
  return Buffer.from(conn.preamble + conn.steps.map((s) => s.server).join(''), 'utf8');
}

/** The `Action:` of a client section. */
export function actionOf(step: TranscriptStep): string {
  return /^Action: *(.*?)\r?$/im.exec(step.client)?.[1] ?? '';
}

/** The `ActionID:` of a client section. */
export function actionIdOf(step: TranscriptStep): string {
  return /^ActionID: *(.*?)\r?$/im.exec(step.client)?.[1] ?? '';
}
