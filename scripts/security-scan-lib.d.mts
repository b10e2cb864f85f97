// Types of security-scan-lib.mjs, for its TypeScript test (the project does not type-check JavaScript).

export declare const ELECTRONEGATIVITY_PACKAGE: string;
export declare const ELECTRONEGATIVITY_VERSION: string;
export declare const SCAN_ROOTS: string[];
export declare const SEVERITIES: string[];

export interface ElectronegativityAllowEntry {
  check: string;
  file: string;
  sample: string;
  reason: string;
}

export interface AuditAllowEntry {
  advisory: string;
  package: string;
  reason: string;
}

export interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  column: number;
  sample: string;
  description: string;
}

export interface JudgedFinding extends Finding {
  accepted: string | null;
  failing: boolean;
}

export interface Advisory {
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}

export declare function isScannedSource(path: string): boolean;
export declare function stageScanInput(repoRoot: string, stageDir: string): string[];
export declare function toFindings(issues: unknown[]): Finding[];
export declare function judgeElectronegativity(
  findings: Finding[],
  allowList: ElectronegativityAllowEntry[],
): { findings: JudgedFinding[]; counts: Record<string, number>; failing: JudgedFinding[]; stale: ElectronegativityAllowEntry[] };
export declare function judgeAudit(
  report: unknown,
  allowList: AuditAllowEntry[],
): {
  available: boolean;
  reason: string | null;
  counts: Record<string, number> | null;
  advisories: Advisory[];
  failing: Advisory[];
  accepted: (Advisory & { reason: string })[];
  stale: AuditAllowEntry[];
};
export declare function parseAllowList(data: unknown): { electronegativity: ElectronegativityAllowEntry[]; npmAudit: AuditAllowEntry[] };
export declare function findingsCsv(findings: JudgedFinding[]): string;
