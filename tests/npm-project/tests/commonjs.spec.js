// A spec written as CommonJS, as older suites are.
const { test, expect } = require('@playwright/test');
const _ = require('lodash');
const { z } = require('zod');
const dayjs = require('dayjs');
const users = require('./files/users.json');

test('require loads packages and JSON', () => {
  expect(_.map(users, 'role')).toEqual(['admin', 'user']);
  expect(z.string().email().safeParse('not-an-email').success).toBe(false);
  expect(dayjs('2020-01-01').year()).toBe(2020);
  expect(require.resolve('lodash')).toMatch(/node_modules\/lodash\/lodash\.js$/);
});
