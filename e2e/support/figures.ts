import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ARTIFACTS } from './desk-host';

// Timing figures the softphone issue asks the e2e run to print (register ms, invite→answered ms,
// re-register-after-restart ms). Printed as `figure <name>: <value> ms (target ≤ N)` lines and
// collected in artifacts/e2e-figures.json; measured, never asserted against the target (the
// machines are shared and noisy) — only against a generous ceiling where the issue sets a hard limit.

const FILE = join(ARTIFACTS, 'e2e-figures.json');

export function reportFigure(name: string, ms: number, targetMs: number, note = ''): void {
  const rounded = Math.round(ms);
  console.log(`figure ${name}: ${rounded} ms (target ≤ ${targetMs} ms${rounded <= targetMs ? '' : ', MISSED'})${note ? ` — ${note}` : ''}`);
  record(name, { ms: rounded, targetMs });
}

/**
 * A figure in another unit than milliseconds — a ratio against a same-run reference (`×`),
 * a process's memory (`MB`) — printed as `figure <name>: <value> <unit> (target ≤ N <unit>)` and
 * collected like {@link reportFigure}'s (as `{ value, unit, target }`). `digits` after the point.
 */
export function reportValue(name: string, value: number, unit: string, target: number, note = '', digits = 0): void {
  const rounded = Number(value.toFixed(digits));
  const shown = (n: number) => `${n.toFixed(digits)}${unit === '×' ? '×' : ` ${unit}`}`;
  console.log(`figure ${name}: ${shown(rounded)} (target ≤ ${shown(target)}${rounded <= target ? '' : ', MISSED'})${note ? ` — ${note}` : ''}`);
  record(name, { value: rounded, unit, target });
}

function record(name: string, entry: Record<string, number | string>): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  let all: Record<string, Record<string, number | string>[]> = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8')) as typeof all;
  } catch {
    // First figure of the run.
  }
  (all[name] ??= []).push(entry);
  writeFileSync(FILE, JSON.stringify(all, null, 2));
}

export interface StateChange {
  testId: string;
  state: string;
  /** ms since the page's time origin. */
  at: number;
}

declare global {
  interface Window {
    deskStateChanges?: StateChange[];
    deskClicks?: { testId: string; at: number }[];
  }
}

/**
 * Records, from the first paint on, every `data-state` taken by an element with one of
 * `testIds`, and the time of every click on an element with a `data-testid` — so latencies are
 * measured inside the page, not at Playwright's polling granularity.
 */
export async function recordDeskStates(page: Page, testIds: readonly string[]): Promise<void> {
  await page.addInitScript((ids: readonly string[]) => {
    const changes: StateChange[] = [];
    const clicks: { testId: string; at: number }[] = [];
    window.deskStateChanges = changes;
    window.deskClicks = clicks;
    const last = new Map<Element, string>();
    const visit = (el: Element) => {
      const id = el.getAttribute('data-testid');
      if (!id || !ids.includes(id)) return;
      const state = el.getAttribute('data-state');
      if (state === null || last.get(el) === state) return;
      last.set(el, state);
      changes.push({ testId: id, state, at: performance.now() });
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') visit(record.target as Element);
        for (const node of Array.from(record.addedNodes)) {
          if (!(node instanceof Element)) continue;
          visit(node);
          for (const child of Array.from(node.querySelectorAll('[data-state]'))) visit(child);
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    document.addEventListener(
      'click',
      (event) => {
        const target = (event.target as Element | null)?.closest?.('[data-testid]');
        if (target) clicks.push({ testId: target.getAttribute('data-testid') ?? '', at: performance.now() });
      },
      true,
    );
  }, testIds);
}

export const stateChanges = (page: Page): Promise<StateChange[]> => page.evaluate(() => window.deskStateChanges ?? []);
export const clicks = (page: Page): Promise<{ testId: string; at: number }[]> => page.evaluate(() => window.deskClicks ?? []);
