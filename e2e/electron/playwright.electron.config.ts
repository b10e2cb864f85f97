import { defineConfig } from '@playwright/test';

// The Electron end-to-end run (npm run test:e2e:electron): the built app (out/main/index.js)
// launched through Playwright's _electron. Runs only where an Electron binary exists;
// scripts/e2e-electron.mjs decides and says so when it skips.
export default defineConfig({
  testDir: '.',
  testMatch: '*.electron.spec.ts',
  outputDir: '../../artifacts/electron-test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
