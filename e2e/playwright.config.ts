import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/chromium';

// The desk under test is the real renderer on the browser host (out/, built by `npm run
// test:e2e`), driven in Debian's Chromium. Artifacts (screenshots, traces) go to artifacts/.
export default defineConfig({
  testDir: './specs',
  outputDir: '../artifacts/test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: '../artifacts/e2e-report.json' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
