/**
 * Interface patterns: how an extension appears on the PBX (`PJSIP/{extension}`,
 * `Local/{extension}@from-queue/n`, `hint:{extension}@internal-hints`). One pattern both
 * formats an extension into an interface and reads the extension back out of one.
 */

export const EXTENSION_PLACEHOLDER = '{extension}';
const EXTENSION_CHARS = '[0-9A-Za-z*#_.-]{1,32}';

export interface InterfacePattern {
  readonly pattern: string;
  /** The extension in `iface`, or null when it does not fit the pattern. */
  match(iface: string): string | null;
  format(extension: string): string;
}

export function compilePattern(pattern: string): InterfacePattern {
  const [before = '', after = ''] = pattern.split(EXTENSION_PLACEHOLDER);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const regex = new RegExp(`^${escape(before)}(${EXTENSION_CHARS})${escape(after)}$`, 'i');
  return {
    pattern,
    match: (iface) => regex.exec(iface)?.[1] ?? null,
    format: (extension) => pattern.split(EXTENSION_PLACEHOLDER).join(extension),
  };
}

/**
 * The device part of a channel name: `PJSIP/1001-00000001` → `PJSIP/1001`,
 * `Local/1001@from-queue-0000002a;1` → `Local/1001@from-queue`.
 */
export function channelDevice(channel: string): string {
  return channel.replace(/-[0-9a-fA-F]+(;[0-9]+)?$/, '');
}

/** Reads an extension from any of `patterns` (interfaces) or from a channel name's device part. */
export class ExtensionResolver {
  private readonly patterns: InterfacePattern[];

  constructor(patterns: readonly string[]) {
    const unique = [...new Set(patterns.filter((p) => p.includes(EXTENSION_PLACEHOLDER)))];
    this.patterns = unique.map(compilePattern);
  }

  fromInterface(iface: string | undefined): string | null {
    if (!iface) return null;
    for (const pattern of this.patterns) {
      const ext = pattern.match(iface.trim());
      if (ext) return ext;
    }
    return null;
  }

  /** A channel (`PJSIP/1001-00000001`, `Local/1001@internal-0000;2`) → its extension. */
  fromChannel(channel: string | undefined): string | null {
    if (!channel) return null;
    const device = channelDevice(channel.trim());
    return this.fromInterface(device) ?? this.fromInterface(device.endsWith('/n') ? device : `${device}/n`);
  }
}
