import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setSessionCacheTtl } from '../../functions/accounts/sessions.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * County mode over real HTTP: accounts made by HQ, sign-in with POST /auth/token, the lockout, the
 * password change, sessions ended by disable and by a password change, and /local/token gone.
 */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack({ mode: 'county' });
  admin = await t.as('admin', uid('hq'));
});
afterAll(async () => {
  setSessionCacheTtl(undefined);
  await t.stop();
});
afterEach(() => setSessionCacheTtl(undefined));

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => undefined)) as any };
}

async function newAccount(
  role: 'admin' | 'inspector' | 'cadre' = 'inspector',
  extra: Record<string, unknown> = {},
) {
  const username = uid('u').toLowerCase();
  const res = await admin.post('/accounts', { username, role, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { username, initialPassword: res.body.initialPassword as string, body: res.body };
}

/** An account past its first sign-in, with a password of its own. */
async function activeAccount(role: 'admin' | 'inspector' | 'cadre' = 'inspector') {
  const { username, initialPassword } = await newAccount(role);
  const password = `Own-${randomUUID().slice(0, 10)}`;
  const changed = await post('/auth/password', {
    username,
    password: initialPassword,
    newPassword: password,
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  return { username, password, token: changed.body.token as string };
}

const api = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${t.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });

describe('county mode', () => {
  it('has no POST /local/token', async () => {
    const res = await post('/local/token', { sub: 'hq-admin', role: 'admin' });
    expect(res.status).toBe(404);
  });

  it('refuses tokens minted with the signing key but without an account', async () => {
    const forged = await t.stack.token('hq-admin', 'admin');
    expect((await api(forged, '/townships')).status).toBe(401);
  });
});

describe('accounts', () => {
  it('creates an account with a readable initial password shown once, and lists it without secrets', async () => {
    const { username, initialPassword, body } = await newAccount('inspector', { name: '督查三组' });
    expect(initialPassword).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    expect(body.account).toMatchObject({
      username,
      role: 'inspector',
      name: '督查三组',
      state: 'must-change',
    });
    const list = await admin.get('/accounts');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((a: { username: string }) => a.username === username);
    expect(listed).toMatchObject({ username, state: 'must-change' });
    expect(JSON.stringify(list.body)).not.toMatch(/passwordHash|scrypt|initialPassword/);
  });

  it('refuses a duplicate user name (409), a bad role and an unknown cadre (400), field by field', async () => {
    const { username } = await newAccount();
    const dup = await admin.post('/accounts', { username, role: 'admin' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('DUPLICATE_USERNAME');

    const role = await admin.post('/accounts', { username: uid('u').toLowerCase(), role: 'root' });
    expect(role.status).toBe(400);
    expect(role.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.role');

    const cadre = await admin.post('/accounts', {
      username: uid('u').toLowerCase(),
      role: 'cadre',
      cadreId: 'NOPE-1',
    });
    expect(cadre.status).toBe(400);
    expect(cadre.body.error.fields[0]).toMatchObject({ path: 'body.cadreId', code: 'UNKNOWN_CADRE' });

    const name = await admin.post('/accounts', { username: 'A', role: 'admin' });
    expect(name.status).toBe(400);
    expect(name.body.error.fields[0].path).toBe('body.username');
  });

  it('never keeps an initial password for Idempotency-Key replays', async () => {
    const username = uid('u').toLowerCase();
    const headers = { 'idempotency-key': `acct-${randomUUID()}` };
    const first = await admin.post('/accounts', { username, role: 'inspector' }, headers);
    expect(first.status).toBe(201);
    const again = await admin.post('/accounts', { username, role: 'inspector' }, headers);
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });

  it('is for admins only', async () => {
    const inspector = await t.as('inspector', uid('insp'));
    expect((await inspector.get('/accounts')).status).toBe(403);
    expect(
      (await inspector.post('/accounts', { username: uid('u').toLowerCase(), role: 'admin' })).status,
    ).toBe(403);
  });

  it('audits account changes without the hash', async () => {
    const { username } = await newAccount();
    await admin.post(`/accounts/${username}/reset`);
    const audit = await admin.get(`/audit?entityType=account&entityId=${username}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual(['reset', 'create']);
    expect(audit.body.items[1].actor).toBe(admin.sub);
    expect(JSON.stringify(audit.body)).not.toMatch(/passwordHash|scrypt\$/);
  });
});

describe('POST /auth/token', () => {
  it('asks for a new password while the initial one is in use (403), then issues a token that works on the API', async () => {
    const { username, initialPassword } = await newAccount('admin');
    const first = await post('/auth/token', { username, password: initialPassword });
    expect(first.status).toBe(403);
    expect(first.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const weak = await post('/auth/password', {
      username,
      password: initialPassword,
      newPassword: 'woaini1314',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.fields[0]).toMatchObject({ path: 'body.newPassword' });
    const own = await post('/auth/password', {
      username,
      password: initialPassword,
      newPassword: `${username}-secret`,
    });
    expect(own.status).toBe(400);
    expect(own.body.error.fields[0].code).toBe('CONTAINS_USERNAME');

    const changed = await post('/auth/password', {
      username,
      password: initialPassword,
      newPassword: 'plough-maple-42',
    });
    expect(changed.status).toBe(200);
    const res = await post('/auth/token', { username, password: 'plough-maple-42' });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
    const [, payload] = (res.body.token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: username, 'cognito:groups': ['admin'], token_use: 'id' });
    expect((await api(res.body.token, '/townships')).status).toBe(200);
  });

  it('gives a cadre token the cadre id claim and the cadre role only', async () => {
    const cadre = await t.as('cadre', uid('C'));
    expect((await cadre.get('/townships')).status).toBe(200);
    expect((await cadre.post('/townships', { id: uid('T'), name: '乡' })).status).toBe(403);
  });

  it('answers 401 BAD_CREDENTIALS alike for a wrong password, an unknown user and a disabled one', async () => {
    const { username, password } = await activeAccount();
    const wrong = await post('/auth/token', { username, password: 'not-the-password' });
    const unknown = await post('/auth/token', { username: uid('ghost').toLowerCase(), password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(wrong.body.error.code).toBe('BAD_CREDENTIALS');

    expect((await admin.post(`/accounts/${username}/disable`)).status).toBe(200);
    const disabled = await post('/auth/token', { username, password });
    expect(disabled.status).toBe(401);
    expect(disabled.body.error).toEqual(wrong.body.error);
  });

  it('refuses malformed requests with 400 and non-JSON with 415, never 500', async () => {
    expect((await post('/auth/token', '{')).status).toBe(400);
    expect((await post('/auth/token', { username: 'x' })).status).toBe(400);
    expect((await post('/auth/token', { username: 'x', password: 'y', extra: 1 })).status).toBe(400);
    const form = await fetch(`${t.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ username: 'x', password: 'y' }),
    });
    expect(form.status).toBe(415);
  });

  it('locks a user name for 15 minutes after 5 failures, even for the right password, and audits it', async () => {
    const { username, password } = await activeAccount();
    for (let i = 0; i < 5; i++) {
      expect((await post('/auth/token', { username, password: `wrong-${i}-password` })).status).toBe(401);
    }
    const locked = await post('/auth/token', { username, password });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // The password change route is behind the same lock.
    const change = await post('/auth/password', { username, password, newPassword: 'another-long-one-7' });
    expect(change.status).toBe(429);

    const audit = await admin.get(`/audit?entityType=account&entityId=${username}&limit=100`);
    const actions = audit.body.items.map((i: { action: string }) => i.action);
    expect(actions).toContain('locked');
    expect(actions.filter((a: string) => a === 'sign-in-failed')).toHaveLength(5);
  });
});

/** Polls until the condition holds (sessions end within the cache window, here shortened). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await expect.poll(check, { timeout: timeoutMs, interval: 50 }).toBe(true);
}

describe('sessions', () => {
  it('a password change ends the other sessions and keeps the new one', async () => {
    setSessionCacheTtl(300);
    const { username, password, token: older } = await activeAccount();
    const other = await post('/auth/token', { username, password });
    expect((await api(other.body.token, '/townships')).status).toBe(200);
    const changed = await post('/auth/password', { username, password, newPassword: 'river-stone-2048' });
    expect(changed.status).toBe(200);
    await eventually(async () => (await api(other.body.token, '/townships')).status === 401);
    expect((await api(older, '/townships')).status).toBe(401);
    expect((await api(changed.body.token, '/townships')).status).toBe(200);
    expect((await post('/auth/token', { username, password })).status).toBe(401);
  });

  it('disabling an account ends its sessions; a reset enables it again with a new initial password', async () => {
    setSessionCacheTtl(300);
    const { username, password } = await activeAccount();
    const session = await post('/auth/token', { username, password });
    expect((await api(session.body.token, '/townships')).status).toBe(200);
    const disabled = await admin.post(`/accounts/${username}/disable`);
    expect(disabled.body.state).toBe('disabled');
    await eventually(async () => (await api(session.body.token, '/townships')).status === 401);

    const reset = await admin.post(`/accounts/${username}/reset`);
    expect(reset.status).toBe(200);
    expect(reset.body.account.state).toBe('must-change');
    expect((await post('/auth/token', { username, password })).status).toBe(401);
    expect(
      (await post('/auth/token', { username, password: reset.body.initialPassword })).body.error.code,
    ).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('an admin cannot disable their own account', async () => {
    const res = await admin.post(`/accounts/${admin.sub}/disable`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CANNOT_DISABLE_SELF');
  });
});

describe('the sign-in pages', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form(fields),
    });

  it('show a user name and password form and no user list', async () => {
    const html = await (await fetch(`${t.url}/app/login`)).text();
    expect(html).toContain('name="username"');
    expect(html).toContain('type="password"');
    expect(html).not.toContain('/local/token');
    expect(html).not.toContain('name="sub"');
  });

  it('set an HttpOnly session cookie without Secure over plain http and send the person home', async () => {
    const { username, password } = await activeAccount('inspector');
    const res = await postForm('/app/login', { username, password, next: '' }, { origin: t.url });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/inspector');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^bc_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).not.toContain('Secure');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answer a wrong password with the form again (401), never echoing the password', async () => {
    const { username } = await activeAccount('inspector');
    const res = await postForm('/app/login', { username, password: 'Wrong-guess-123' }, { origin: t.url });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('用户名或密码不正确');
    expect(html).not.toContain('Wrong-guess-123');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuse a sign-in posted from another site (login CSRF)', async () => {
    const { username, password } = await activeAccount('inspector');
    const res = await postForm('/app/login', { username, password }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a page session ends when HQ disables the account', async () => {
    const { username, password } = await activeAccount('inspector');
    const res = await postForm('/app/login', { username, password }, { origin: t.url });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const home = () => fetch(`${t.url}/app/inspector`, { headers: { cookie }, redirect: 'manual' });
    expect((await home()).status).toBe(200);
    await admin.post(`/accounts/${username}/disable`);
    const after = await home();
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/^\/app\/login/);
  });
});

// Last: it locks the loopback address (every request of this file comes from it) for 15 minutes.
describe('the per-address limit', () => {
  it('locks an address after 30 failures across many user names', async () => {
    const { username, password } = await activeAccount();
    // The test stack's gateway trusts no proxy: every request comes from 127.0.0.1, so this test
    // uses the loopback address's budget; the others sign in successfully or fail far fewer times.
    const before = Date.now();
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      status = (
        await post('/auth/token', { username: uid('nobody').toLowerCase(), password: 'wrong-password-1' })
      ).status;
    }
    expect(status).toBe(429);
    const right = await post('/auth/token', { username, password });
    expect(right.status).toBe(429);
    expect(Date.now() - before).toBeLessThan(60_000);
  });
});
