import { readFileSync } from 'node:fs';

/** A process's memory as Linux reports it (`/proc/<pid>/status`), in MB (MiB). */
export interface ProcessMemory {
  /** Resident set size now (`VmRSS`). */
  rssMb: number;
  /** The highest resident set size so far (`VmHWM`). */
  peakRssMb: number;
}

/** Reads `pid`'s resident memory (Linux only; throws if the process is gone). */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}
