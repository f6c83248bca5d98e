import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { weekNumberWords, weekWords } from '../../functions/core/week-words.ts';
import { createAll, issueDispatch } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * What a person reads: plain Chinese messages from the API (no codes), common ranks accepted, a GET
 * on a form's POST address back to the form, the person's name where something was signed, a
 * rejected rectification's reason above the form, finished dispatches reachable, problems waiting
 * for verification apart from those to rectify, and never "。。".
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let cadrePage: PageClient;
let adminPage: PageClient;
const township = uid('T');
const village = uid('V');
const cadre = uid('C');
let rejectedId = '';
let awaitingId = '';
let finishedDispatch = '';
let reportId = '';
const seen: Array<[string, string]> = [];

const today = beijingDate(new Date());

/** A token with a name claim, as the sign-in gives people (programs may have none). */
async function named(sub: string, role: 'admin' | 'inspector', name: string) {
  const res = await fetch(`${t.url}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, role, name }),
  });
  const { token } = (await res.json()) as { token: string };
  return async (method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `wording-${Math.random().toString(36).slice(2)}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: answer.status, body: (await answer.json()) as any };
  };
}

async function page(client: PageClient, path: string) {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  seen.push([path, res.text]);
  return res.text;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    // A rank as people write it on a roster.
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: '副科级', townshipId: township }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  const dispatch = await issueDispatch(admin, [{ cadreId: cadre, villageId: village }], { daysAhead: 3 });
  finishedDispatch = dispatch.id;
  const me = await t.as('cadre', cadre);
  expect(
    (
      await me.post(`/dispatches/${dispatch.id}/reports`, {
        villageId: village,
        status: 'done',
        note: '已完成。',
      })
    ).status,
  ).toBe(201);
  const inspection = await inspector.post('/inspections', {
    villageId: village,
    date: addDays(today, -1),
    mode: 'open',
    findings: [
      {
        cadreId: cadre,
        present: true,
        problems: [
          { description: '村道两侧垃圾未清理', severity: 'minor' },
          { description: '饮水井口未加盖', severity: 'major' },
        ],
      },
    ],
  });
  expect(inspection.status).toBe(201);
  const problems = (await admin.get(`/problems?cadreId=${cadre}`)).body.items as Array<{
    id: string;
    description: string;
  }>;
  rejectedId = problems.find((p) => p.description === '村道两侧垃圾未清理')!.id;
  awaitingId = problems.find((p) => p.description === '饮水井口未加盖')!.id;
  for (const id of [rejectedId, awaitingId]) {
    expect((await me.post(`/problems/${id}/rectifications`, { note: '已清理。' })).status).toBe(201);
  }
  const zhao = await named('inspector-zhao', 'inspector', '赵建国');
  const verified = await zhao('POST', `/problems/${rejectedId}/verifications`, {
    outcome: 'rejected',
    note: '现场复查仍有垃圾堆放',
  });
  expect(verified.status).toBe(201);
  const report = await me.post('/direct-reports', {
    villageId: village,
    kind: 'situation',
    summary: '村里机井水位下降',
  });
  expect(report.status).toBe(201);
  reportId = report.body.id;
  const hq = await named('hq-chen', 'admin', '陈主任');
  expect((await hq('POST', `/direct-reports/${reportId}/acknowledge`, { note: '已安排' })).status).toBe(200);
  cadrePage = await signInPages(t.url, cadre, 'cadre');
  adminPage = await signInPages(t.url, 'hq-admin', 'admin');
});

afterAll(() => t?.stop());

describe('weeks read the same way everywhere', () => {
  it.each([
    ['2026-W48', '第48周（11月23日—11月29日）'],
    ['2026-W01', '第1周（12月29日—1月4日）'],
    ['2027-W05', '第5周（2月1日—2月7日）'],
  ])('%s reads %s', (week, words) => {
    expect(weekWords(week)).toBe(words);
  });

  it('says the number alone where the days are beside it', () => {
    expect(weekNumberWords('2026-W48')).toBe('第48周');
  });
});

describe('messages from the API name no codes', () => {
  it.each([
    ['/inspections', { villageId: 'V1', date: today, mode: 'x', findings: [] }, 'mode', '请选择督查方式'],
  ])('POST %s by an inspector with a wrong choice says which to choose', async (path, body, field, start) => {
    const res = await inspector.post(path, body);
    expect(res.status).toBe(400);
    const fields = res.body.error.fields as Array<{ path: string; message: string }>;
    expect(fields.find((f) => f.path === `body.${field}`)?.message.startsWith(start)).toBe(true);
    for (const f of fields) expect(f.message, f.path).not.toMatch(/[A-Za-z_]{2,}/);
  });

  it.each([
    [
      '/villages',
      { id: uid('V'), name: '白沙村', townshipId: 'T-none', category: 'poor' },
      'category',
      '请选择村类别',
    ],
    ['/cadres', { id: uid('C'), name: '王五', unit: '县委办', rank: '大队长' }, 'rank', '请选择职级'],
    ['/assignments', { cadreId: 'C1', villageId: 'V1', role: 'boss' }, 'role', '请选择角色'],
  ])('POST %s with a wrong choice says which to choose', async (path, body, field, start) => {
    const res = await admin.post(path, body);
    expect(res.status).toBe(400);
    const fields = res.body.error.fields as Array<{ path: string; message: string }>;
    const issue = fields.find((f) => f.path === `body.${field}`);
    expect(issue?.message.startsWith(start), JSON.stringify(fields)).toBe(true);
    for (const f of fields) expect(f.message, f.path).not.toMatch(/[A-Za-z_]{2,}/);
  });

  it('a query with a wrong value gets a plain message too', async () => {
    const res = await admin.get('/problems?status=pending');
    expect(res.status).toBe(400);
    for (const f of res.body.error.fields as Array<{ message: string }>) {
      expect(f.message).not.toMatch(/[A-Za-z_]{2,}/);
    }
  });

  it('a body of the wrong type says so without naming types', async () => {
    const res = await admin.send('POST', '/townships', '[1]', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    for (const f of res.body.error.fields as Array<{ message: string }>) {
      expect(f.message).not.toMatch(/[A-Za-z_]{2,}/);
    }
  });

  it('keeps the rank people wrote as its rank group', async () => {
    const res = await admin.get(`/cadres/${cadre}`);
    expect(res.body).toMatchObject({ rank: 'section', rankLabel: '科级' });
  });
});

describe('a GET on a form address', () => {
  it.each([
    () => [`/app/cadre/problems/${rejectedId}/rectify`, `/app/cadre/problems/${rejectedId}`],
    () => [`/app/cadre/dispatches/${finishedDispatch}/report`, `/app/cadre/dispatches/${finishedDispatch}`],
    () => ['/app/cadre/direct-reports', '/app/cadre/direct-reports/new'],
    () => ['/app/cadre/notifications/N1/read', '/app/cadre'],
  ])('leads back to the form (%#)', async (paths) => {
    const [post, form] = paths();
    const res = await cadrePage.get(post!);
    expect(res.status).toBe(303);
    expect(res.location).toBe(form);
    expect((await cadrePage.get(form!)).status).toBe(200);
  });

  it.each([
    ['/app/inspector/problems/P1/verify', '/app/inspector/verifications'],
    ['/app/admin/exports', '/app/admin/tasks'],
    ['/app/admin/jobs/daily-sweep/run', '/app/admin/jobs'],
    ['/app/admin/direct-reports/R1/acknowledge', '/app/admin/direct-reports/R1'],
    ['/app/admin/roster/assignments', '/app/admin/roster/assignments'],
  ])('%s → %s', async (post, form) => {
    const res = await adminPage.get(post);
    // A path with a GET page of its own opens it; a POST-only one goes to its form.
    if (res.status === 200) expect(post).toBe(form);
    else {
      expect(res.status).toBe(303);
      expect(res.location).toBe(form);
    }
  });

  it('still refuses other methods on a page address with 405', async () => {
    expect((await cadrePage.post('/app/cadre', {})).status).toBe(405);
  });
});

describe('the cadre home and problems', () => {
  it('lists problems to rectify apart from those waiting for verification', async () => {
    const html = await page(cadrePage, '/app/cadre');
    const toRectify = html.indexOf('待整改的问题（1）');
    const waiting = html.indexOf('待复核的问题（1）');
    expect(toRectify).toBeGreaterThan(-1);
    expect(waiting).toBeGreaterThan(toRectify);
    expect(html.slice(toRectify, waiting)).toContain('村道两侧垃圾未清理');
    expect(html.slice(toRectify, waiting)).not.toContain('饮水井口未加盖');
    expect(html.slice(waiting)).toContain('饮水井口未加盖');
  });

  it('keeps finished dispatches reachable from the home page', async () => {
    const html = await page(cadrePage, '/app/cadre');
    expect(html).toContain('已完成的派遣任务（1）');
    const href = `/app/cadre/dispatches/${encodeURIComponent(finishedDispatch)}`;
    expect(html).toContain(`href="${href}`);
    await page(cadrePage, `${href}?village=${encodeURIComponent(village)}`);
  });

  it('splits the problems page the same way', async () => {
    const html = await page(cadrePage, '/app/cadre/problems');
    expect(html).toContain('待整改（1）');
    expect(html).toContain('待复核（1）');
  });

  it('shows why a rectification was sent back, by whom, above the form', async () => {
    const html = await page(cadrePage, `/app/cadre/problems/${rejectedId}`);
    const reason = html.indexOf('现场复查仍有垃圾堆放');
    const form = html.indexOf('<form method="post"');
    expect(reason).toBeGreaterThan(-1);
    expect(form).toBeGreaterThan(reason);
    expect(html.slice(0, form)).toContain('复核未通过：虚假整改');
    expect(html.slice(0, form)).toContain('赵建国');
    expect(html).not.toContain('inspector-zhao');
  });
});

describe('signers by name', () => {
  it('shows who acknowledged a direct report by name, not by user id', async () => {
    const html = await page(adminPage, `/app/admin/direct-reports/${reportId}`);
    expect(html).toContain('陈主任');
    expect(html).not.toContain('hq-chen');
  });

  it('keeps the name in the audit trail beside the user id', async () => {
    const res = await admin.get(`/audit?entityType=directReport&entityId=${reportId}`);
    expect(res.status).toBe(200);
    const ack = (res.body.items as Array<{ actor: string; actorName?: string }>).find(
      (i) => i.actor === 'hq-chen',
    );
    expect(ack?.actorName).toBe('陈主任');
  });
});

describe('no doubled full stops', () => {
  it('on any page opened here', async () => {
    await page(adminPage, '/app/admin');
    await page(adminPage, '/app/admin/dispatches?status=done');
    expect(seen.length).toBeGreaterThan(5);
    for (const [path, html] of seen) expect(html.includes('。。'), path).toBe(false);
  });
});
