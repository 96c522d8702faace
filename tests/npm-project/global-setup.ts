import { chromium, type FullConfig } from '@playwright/test';

// Signs in once before all tests, as Playwright's guide does: the saved state is what every
// test's context starts with (`use.storageState`), and a variable set here reaches the tests.
export default async function globalSetup(config: FullConfig) {
  const { storageState, launchOptions } = config.projects[0].use;
  const browser = await chromium.launch(launchOptions);
  const context = await browser.newContext();
  await context.addCookies([{ name: 'session', value: 'signed-in', domain: 'app.test', path: '/' }]);
  await context.storageState({ path: storageState as string });
  await browser.close();
  process.env.NPM_PROJECT_SETUP = 'ran';
}
