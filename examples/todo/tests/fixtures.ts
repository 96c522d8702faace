// A custom fixture: `todoPage` opens the app and offers the actions specs repeat.
import { test as base, expect, type Page } from '@playwright/test';

export class TodoPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/');
    await expect(this.page.getByRole('heading', { name: 'Todos' })).toBeVisible();
  }

  async add(...titles: string[]) {
    for (const title of titles) {
      await this.page.getByLabel('New todo').fill(title);
      await this.page.getByRole('button', { name: 'Add' }).click();
    }
  }

  item(title: string) {
    return this.page.getByRole('listitem').filter({ hasText: title });
  }
}

export const test = base.extend<{ todoPage: TodoPage }>({
  todoPage: async ({ page }, use) => {
    const todoPage = new TodoPage(page);
    await todoPage.open();
    await use(todoPage);
  },
});

export { expect };
