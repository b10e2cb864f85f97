import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { SpreadsheetConfigSchema, type SpreadsheetConfig } from './spreadsheet-config';
import { SpreadsheetConnector } from './spreadsheet-connector';

/**
 * Test support for the spreadsheet connector (never imported by the app): a temporary export
 * folder and state folder, exports written in windows-1251 or UTF-8 with chosen modification
 * times, and connectors on a manual clock. Synthetic people only.
 */

/** windows-1251 bytes of Russian text (ASCII, А–я, Ё/ё, №); the tests' fixtures need nothing else. */
export function encodeWindows1251(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes[i] = code;
    else if (code >= 0x410 && code <= 0x44f) bytes[i] = code - 0x410 + 0xc0;
    else if (code === 0x401) bytes[i] = 0xa8;
    else if (code === 0x451) bytes[i] = 0xb8;
    else if (code === 0x2116) bytes[i] = 0xb9;
    else throw new Error(`no windows-1251 byte for U+${code.toString(16)}`);
  }
  return bytes;
}

export class ExportFolder {
  readonly root = mkdtempSync(join(tmpdir(), 'registratura-spreadsheet-'));
  readonly folder = join(this.root, 'export');
  readonly stateDir = join(this.root, 'state');
  readonly clock = new ManualClock(1_750_000_000_000);
  private readonly connectors: SpreadsheetConnector[] = [];
  /** Modification times handed out, one second apart, so every rewrite is a new fingerprint. */
  private nextMtimeSec = 1_700_000_000;

  constructor() {
    mkdirSync(this.folder);
  }

  /** Writes a file (text as UTF-8 unless bytes are given) with a fresh modification time in the past. */
  write(name: string, content: string | Uint8Array): string {
    const path = join(this.folder, name);
    writeFileSync(path, content);
    const time = this.nextMtimeSec++;
    utimesSync(path, time, time);
    return path;
  }

  connector(config: Partial<SpreadsheetConfig> = {}, options: { settleMs?: number } = {}): SpreadsheetConnector {
    const connector = new SpreadsheetConnector({
      config: SpreadsheetConfigSchema.parse({ folder: this.folder, ...config }),
      stateDir: this.stateDir,
      logger: silentLogger,
      clock: this.clock,
      settleMs: options.settleMs ?? 0,
    });
    this.connectors.push(connector);
    return connector;
  }

  async close(): Promise<void> {
    for (const connector of this.connectors.splice(0)) await connector.release();
    rmSync(this.root, { recursive: true, force: true });
  }
}
