import { test, expect } from '@playwright/test';
import { faker } from '@faker-js/faker';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import _ from 'lodash';
import { v4 as uuidv4, validate as validateUuid, version as uuidVersion } from 'uuid';
import { z } from 'zod';
import * as fs from 'fs';
import { readFile } from 'fs/promises';
import path from 'path';
import os from 'os';
import { createHash, randomUUID } from 'crypto';
import { EventEmitter, once } from 'events';
import assert from 'assert';
import { LoginPage } from '@pages/login';
const { title, helperFile, helperDir } = require('../helpers/format');

dayjs.extend(utc);

test('faker generates seeded, repeatable data', () => {
  faker.seed(42);
  const first = faker.person.fullName();
  faker.seed(42);
  expect(faker.person.fullName()).toBe(first);
  expect(faker.internet.email()).toMatch(/@/);
});

test('dayjs formats and does arithmetic with a plugin', () => {
  const d = dayjs.utc('2024-02-28T12:00:00Z').add(1, 'day');
  expect(d.format('YYYY-MM-DD')).toBe('2024-02-29');
  expect(d.isUTC()).toBe(true);
});

test('lodash, uuid and zod work as their READMEs show', () => {
  expect(_.chunk(['a', 'b', 'c', 'd'], 2)).toEqual([['a', 'b'], ['c', 'd']]);
  expect(_.uniq([2, 1, 2])).toEqual([2, 1]);
  const id = uuidv4();
  expect(validateUuid(id)).toBe(true);
  expect(uuidVersion(id)).toBe(4);
  const User = z.object({ username: z.string(), age: z.number().int().positive() });
  expect(User.parse({ username: 'ada', age: 36 })).toEqual({ username: 'ada', age: 36 });
  const bad = User.safeParse({ username: 'ada', age: -1 });
  expect(bad.success).toBe(false);
});

test('dotenv in the config fills process.env', () => {
  expect(process.env.NPM_PROJECT_GREETING).toBe('hello from .env');
});

test('a CommonJS helper and a tsconfig alias load', async ({ page }) => {
  expect(title('hello WORLD')).toBe('Hello World');
  expect(helperFile).toBe('format.js');
  expect(helperDir).toBe('helpers');
  const login = new LoginPage(page);
  await login.open('ada');
  await expect(login.user()).toHaveValue('ada');
});

test('fs reads project files by __dirname, sync and async', async () => {
  const file = path.join(__dirname, 'files', 'users.json');
  expect(fs.existsSync(file)).toBe(true);
  const users = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(users.map((u: { name: string }) => u.name)).toEqual(['Ada', 'Linus']);
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(users);
  expect(fs.readdirSync(path.join(__dirname, 'files'))).toContain('users.json');
  expect(fs.statSync(file).isFile()).toBe(true);
});

test('fs writes under the output directory', async ({}, testInfo) => {
  const out = testInfo.outputPath('notes.txt');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, 'first\n');
  fs.appendFileSync(out, 'second\n');
  expect(fs.readFileSync(out, 'utf8')).toBe('first\nsecond\n');
});

test('crypto, events, assert and os behave as in Node', async () => {
  expect(createHash('sha256').update('abc').digest('hex')).toBe(
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  expect(randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
  const emitter = new EventEmitter();
  setTimeout(() => emitter.emit('ready', 7), 1);
  expect(await once(emitter, 'ready')).toEqual([7]);
  assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 2] });
  expect(() => assert.strictEqual(1, 2)).toThrow(/strictly equal/);
  expect(os.EOL).toBe('\n');
  expect(typeof os.tmpdir()).toBe('string');
  expect(Buffer.from('hello').toString('base64')).toBe('aGVsbG8=');
});

test('browser APIs take paths built from __dirname', async ({ page }) => {
  await page.setContent('<input type="file" id="upload">');
  await page.locator('#upload').setInputFiles(path.join(__dirname, 'files', 'users.json'));
  expect(await page.locator('#upload').evaluate((el: HTMLInputElement) => el.files?.[0]?.name)).toBe('users.json');
});

test('global setup signed in and set a variable', async ({ context }) => {
  expect(process.env.NPM_PROJECT_SETUP).toBe('ran');
  const cookies = await context.cookies('https://app.test/');
  expect(cookies.map((c) => `${c.name}=${c.value}`)).toEqual(['session=signed-in']);
});
