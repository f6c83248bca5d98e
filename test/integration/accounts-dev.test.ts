import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/** Outside county mode there are no accounts: their routes and pages are not there (404). */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ mode: 'dev' });
});
afterAll(async () => {
  await t.stop();
});

it('has no /auth routes, no account administration and no password sign-in page', async () => {
  const admin = await t.as('admin');
  for (const path of ['/auth/token', '/auth/password']) {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"hq-admin","password":"whatever-it-is"}',
    });
    expect(res.status, path).toBe(404);
  }
  expect((await admin.get('/accounts')).status).toBe(404);
  expect((await admin.post('/accounts/batch', { cadreIds: ['C001'] })).status).toBe(404);
  const page = await fetch(`${t.url}/app/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=a&password=b',
  });
  expect(page.status).toBe(404);
  // The one-tap demo sign-in stays.
  expect(await (await fetch(`${t.url}/app/login`)).text()).toContain('/local/token');
});
