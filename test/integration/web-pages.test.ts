import { get } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetEntries } from '../../functions/web/assets.generated.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, pageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * The web front end's foundation over real HTTP on the local stack: sessions, roles, same-origin
 * posts, plain-form submission with the API's messages, idempotency, the JSON mode the outbox uses,
 * compression and the headers that keep pages safe and cacheable.
 */
let t: TestStack;
let admin: Caller;
let cadrePage: PageClient;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');
const other = uid('C');
let dispatchId = '';

async function reportsOf(id: string): Promise<number> {
  const res = await admin.get(`/dispatches/${id}`);
  return (res.body.reports as unknown[]).length;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: other, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: other, villageId: village, role: 'member' }],
  ];
  await createAll(admin, setup);
  dispatchId = (await issueDispatch(admin, [{ cadreId: cadre, villageId: village }])).id;
  cadrePage = await signInPages(t.url, cadre, 'cadre');
});

afterAll(() => t?.stop());

describe('signing in and out', () => {
  it('sends a visitor without a session to the sign-in page, remembering where they were going', async () => {
    const res = await pageClient(t.url).get('/app/cadre/problems');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/app/login?next=%2Fapp%2Fcadre%2Fproblems');
  });

  it('lists the demo users and the roster cadres on the local sign-in page', async () => {
    const res = await pageClient(t.url).get('/app/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('hq-admin');
    expect(res.text).toContain(`value="${cadre}"`);
    expect(res.text).toContain('李明');
  });

  it('signs in through the local token route with an HttpOnly, SameSite cookie and lands on the role home', async () => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sub: cadre, role: 'cadre' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/cadre');
    expect(res.headers.get('set-cookie')).toMatch(
      /^bc_session=[^;]+; Path=\/; SameSite=Lax; HttpOnly; Max-Age=\d+$/,
    );
  });

  it.each([
    ['/app/cadre/problems', '/app/cadre/problems'],
    ['//evil.example/app/', '/app/cadre'],
    ['https://evil.example/app/', '/app/cadre'],
    ['/app/login?next=/app/cadre', '/app/cadre'],
  ])('after sign-in goes to next=%s only if it is one of our pages (→ %s)', async (next, expected) => {
    const res = await fetch(`${t.url}/local/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sub: cadre, role: 'cadre', next }).toString(),
    });
    expect(res.headers.get('location')).toBe(expected);
  });

  it('treats a tampered session cookie as signed out and clears it', async () => {
    const forged = pageClient(t.url, `${cadrePage.cookie.slice(0, -4)}AAAA`);
    const res = await forged.get('/app/cadre');
    expect(res.status).toBe(302);
    expect(res.location).toMatch(/^\/app\/login/);
    expect(res.headers.get('set-cookie')).toMatch(/bc_session=; .*Max-Age=0/);
  });

  it('signs out by clearing the session cookie', async () => {
    const res = await cadrePage.get('/app/logout');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/app/login');
    expect(res.headers.get('set-cookie')).toMatch(/bc_session=; .*Max-Age=0/);
  });
});

describe('roles', () => {
  it('shows a cadre their own home page', async () => {
    const res = await cadrePage.get('/app/cadre');
    expect(res.status).toBe(200);
    expect(res.text).toContain('红旗村');
    expect(res.text).toContain('抗旱保苗专项任务');
  });

  it('refuses a cadre on HQ pages with a 403 page', async () => {
    const res = await cadrePage.get('/app/admin');
    expect(res.status).toBe(403);
    expect(res.text).toContain('您的角色无权打开此页面');
  });

  it('answers an unknown page with 404 and a known page with the wrong method with 405', async () => {
    expect((await cadrePage.get('/app/no-such-page')).status).toBe(404);
    expect((await cadrePage.post('/app/cadre', {})).status).toBe(405);
  });
});

describe('a progress report posted as a plain form', () => {
  const path = () => `/app/cadre/dispatches/${dispatchId}/report`;

  it('re-renders the form with the API message beside the field and writes nothing when the note is empty', async () => {
    const before = await reportsOf(dispatchId);
    const res = await cadrePage.post(path(), {
      _key: 'form-key-empty-1',
      villageId: village,
      status: 'in_progress',
      note: '  ',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'note' })).toBe('不能为空');
    expect(res.text).toContain('aria-invalid="true"');
    // A new key for the next attempt: the refused one already stands for the refusal.
    expect(res.text).not.toContain('form-key-empty-1');
    expect(await reportsOf(dispatchId)).toBe(before);
  });

  it('files the report once however often the same form is sent, then redirects with a confirmation', async () => {
    const before = await reportsOf(dispatchId);
    const fields = {
      _key: uid('form-key-'),
      villageId: village,
      status: 'in_progress',
      note: '已入户核对 12 户',
    };
    const first = await cadrePage.post(path(), fields);
    const second = await cadrePage.post(path(), fields);
    expect(first.status).toBe(303);
    expect(first.location).toBe('/app/cadre?done=report');
    expect(second.status).toBe(303);
    expect(await reportsOf(dispatchId)).toBe(before + 1);
    const home = await cadrePage.get('/app/cadre?done=report');
    expect(home.text).toContain('进展报告已提交');
  });

  it('answers the outbox in JSON and replays a repeated device key without a second report', async () => {
    const before = await reportsOf(dispatchId);
    const key = uid('device-');
    const send = () =>
      cadrePage.post(
        path(),
        { villageId: village, status: 'in_progress', note: '离线时填写' },
        { accept: 'application/json', 'idempotency-key': key },
      );
    const first = await send();
    const again = await send();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ ok: true, location: '/app/cadre?done=report', replayed: false });
    expect(JSON.parse(again.text)).toEqual({ ok: true, location: '/app/cadre?done=report', replayed: true });
    expect(await reportsOf(dispatchId)).toBe(before + 1);
  });

  it('gives the outbox field messages on form field names', async () => {
    const res = await cadrePage.post(
      path(),
      { villageId: village, status: 'finished', note: 'x' },
      { accept: 'application/json', 'idempotency-key': uid('device-') },
    );
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text);
    expect(body.ok).toBe(false);
    expect(body.fields).toEqual([
      { name: 'status', code: 'INVALID_VALUE', message: '请选择状态：推进中或已完成' },
    ]);
  });

  it("refuses another cadre's report on this dispatch (the API's per-record check)", async () => {
    const intruder = await signInPages(t.url, other, 'cadre');
    const before = await reportsOf(dispatchId);
    const res = await intruder.post(
      path(),
      { villageId: village, status: 'done', note: '冒名报告' },
      { accept: 'application/json', 'idempotency-key': uid('device-') },
    );
    expect(res.status).toBe(403);
    expect(await reportsOf(dispatchId)).toBe(before);
  });

  it('answers the outbox 401 when the session has gone, so it keeps the item for after sign-in', async () => {
    const res = await pageClient(t.url).post(
      path(),
      { villageId: village, status: 'done', note: 'x' },
      { accept: 'application/json' },
    );
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a post from another site and writes nothing', async () => {
    const before = await reportsOf(dispatchId);
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const res = await cadrePage.post(
        path(),
        { _key: uid('k-'), villageId: village, status: 'done', note: 'csrf' },
        headers,
      );
      expect(res.status).toBe(403);
    }
    expect(await reportsOf(dispatchId)).toBe(before);
  });

  it('refuses a body over the limit with 413 and a body that is not a form with 415', async () => {
    const big = await cadrePage.post(path(), { note: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
    const json = await fetch(`${t.url}${path()}`, {
      method: 'POST',
      headers: { cookie: cadrePage.cookie, origin: t.url, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
  });
});

describe('what every page response carries', () => {
  it('a strict Content-Security-Policy, no sniffing, no framing, and private caching', async () => {
    const res = await cadrePage.get('/app/cadre');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('x-offline')).toBe('keep');
  });

  it('compressed bytes when the browser takes Brotli, the same page once decompressed', async () => {
    const plain = await fetch(`${t.url}/app/cadre`, {
      headers: { cookie: cadrePage.cookie, 'accept-encoding': 'identity' },
    });
    // node:http, because fetch would decompress on its own.
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      get(`${t.url}/app/cadre`, { headers: { cookie: cadrePage.cookie, 'accept-encoding': 'br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
        );
      }).on('error', reject);
    });
    expect(raw.encoding).toBe('br');
    const compressed = raw.body;
    const text = await plain.text();
    // The pages carry their render time and fresh form keys (a notification's 标为已读, for one), so
    // compare everything else.
    const strip = (html: string) =>
      html.replace(/data-rendered-at="\d+"/, '').replace(/name="_key" value="[^"]*"/g, '');
    expect(strip(brotliDecompressSync(compressed).toString('utf8'))).toBe(strip(text));
    expect(compressed.length).toBeLessThan(Buffer.byteLength(text) / 2);
  });

  it('static assets under immutable, content-hashed names; the service worker with its scope', async () => {
    const css = await fetch(`${t.url}/app/static/${assetEntries.css}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${t.url}/app/static/nope.js`)).status).toBe(404);
    const sw = await fetch(`${t.url}/app/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/app/');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(await sw.text()).toContain(assetEntries.css);
  });
});
