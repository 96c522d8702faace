import { test, expect } from './fixtures';

test('completing a todo updates the count', async ({ todoPage, page }) => {
  await todoPage.add('Write specs', 'Run them');
  await todoPage.item('Write specs').getByRole('checkbox').check();
  await expect(todoPage.item('Write specs')).toHaveClass('done');
  await expect(page.getByRole('status')).toHaveText('1 item left');
  await expect(page.getByRole('button', { name: 'Clear completed' })).toBeEnabled();
});

test('clearing completed todos keeps the open ones', async ({ todoPage, page }) => {
  await todoPage.add('Keep me', 'Drop me');
  await todoPage.item('Drop me').getByRole('checkbox').check();
  await test.step('clear completed', async () => {
    await page.getByRole('button', { name: 'Clear completed' }).click();
  });
  await expect(page.getByRole('listitem')).toHaveText(['Keep me']);
  await expect(page.getByRole('button', { name: 'Clear completed' })).toBeDisabled();
});
