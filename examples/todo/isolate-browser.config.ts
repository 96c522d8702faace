// The example project's config: the runner serves ./site itself on 127.0.0.1 (no server to
// start) and sets baseURL to it; results go to the console and to JUnit XML for CI.
import { defineConfig, devices } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]],
  use: {
    ...devices['Desktop Chrome'],
    screenshot: 'only-on-failure',
  },
  webServer: { static: './site' },
});
