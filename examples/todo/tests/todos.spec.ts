import { test, expect } from '@playwright/test';

test.describe('adding todos', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
  });

  test('a new todo appears in the list @smoke', async ({ page }) => {
    await page.getByPlaceholder('What needs doing?').fill('Buy milk');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect(page.getByRole('listitem')).toHaveText(['Buy milk']);
    await expect(page.getByRole('status')).toHaveText('1 item left');
    await expect(page.getByLabel('New todo')).toBeEmpty();
  });

  test('blank titles are ignored', async ({ page }) => {
    await page.getByLabel('New todo').fill('   ');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('listitem')).toHaveCount(0);
    await expect(page).toHaveTitle('Todos');
  });
});
