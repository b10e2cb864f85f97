import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src-*/**/*.test.{ts,tsx}', 'eslint-rules/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/ami-simulator/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['./vitest.setup.ts'],
    pool: 'forks',
    // Vitest's default leaves one core idle: on the two-core CI machine that ran the files one at a
    // time. Most files wait on I/O (SQLite files, child processes, sockets), so two share the cores well.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    server: { deps: { inline: ['electron-store'] } },
  },
});
