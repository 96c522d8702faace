import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

test('axe finds the known accessibility violation', async ({ page }) => {
  await page.setContent(`<!doctype html><html lang="en"><head><title>a11y</title></head>
    <body><main><h1>Shop</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <p>Welcome</p></main></body></html>`);
  const results = await new AxeBuilder({ page }).analyze();
  const ids = results.violations.map((v) => v.id);
  expect(ids).toContain('image-alt');
  const passes = results.passes.map((p) => p.id);
  expect(passes).toContain('html-has-lang');
});
