import type { Page } from '@playwright/test';

// A page object reached through the `@pages/*` alias of tsconfig.json.
export class LoginPage {
  constructor(private readonly page: Page) {}

  async open(user: string) {
    await this.page.setContent(`<form><label>User <input name="user" value="${user}"></label><button>Sign in</button></form>`);
  }

  user() {
    return this.page.getByLabel('User');
  }
}
