#!/usr/bin/env node
// Prints the pass/fail counts of the unit and e2e runs from their JSON reports, one plain
// "name: N passed, N failed" line each, plus the total; exits 1 if a report is missing or ran nothing.
import { existsSync, readFileSync } from 'node:fs';

const [unitPath, e2ePath] = process.argv.slice(2);
let ok = true;

function line(name, passed, failed, skipped) {
  console.log(`${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (passed === 0 || failed > 0) ok = false;
}

function read(path) {
  if (!path || !existsSync(path)) {
    console.error(`missing test report: ${path}`);
    ok = false;
    return null;
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

const unit = read(unitPath);
const unitCounts = unit ? [unit.numPassedTests, unit.numFailedTests, unit.numPendingTests + (unit.numTodoTests ?? 0)] : [0, 0, 0];
if (unit) line('unit', ...unitCounts);

const e2e = read(e2ePath);
const e2eCounts = e2e ? [e2e.stats.expected, e2e.stats.unexpected + e2e.stats.flaky, e2e.stats.skipped] : [0, 0, 0];
if (e2e) line('e2e', ...e2eCounts);

line('total', unitCounts[0] + e2eCounts[0], unitCounts[1] + e2eCounts[1], unitCounts[2] + e2eCounts[2]);
process.exit(ok ? 0 : 1);
