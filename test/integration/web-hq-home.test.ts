import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeekOfInstant } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * HQ's home as the way into the whole console (issue 14): every area linked from 功能导航 opens for
 * HQ, and the visits page (驻村记录) lists the cadres' visits, filtered by cadre, village and week.
 */
let t: TestStack;
let admin: Caller;
let hq: PageClient;
const township = uid('T');
const [v1, v2] = [uid('V'), uid('V')];
const [c1, c2] = [uid('C'), uid('C')];

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: v1, name: '白岩脚村', townshipId: township, category: 'general' }],
    ['/villages', { id: v2, name: '柳河村', townshipId: township, category: 'general' }],
    ['/cadres', { id: c1, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: c2, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: c1, villageId: v1, role: 'chief' }],
    ['/assignments', { cadreId: c2, villageId: v2, role: 'chief' }],
  ];
  for (const [path, body] of setup) expect((await admin.post(path, body)).status).toBe(201);
  const at = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  const li = await t.as('cadre', c1);
  const wang = await t.as('cadre', c2);
  expect(
    (await li.post('/visits', { villageId: v1, at, overnight: true, note: '走访三组低保户' })).status,
  ).toBe(201);
  expect((await wang.post('/visits', { villageId: v2, at, note: '查看机井' })).status).toBe(201);
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});

afterAll(() => t?.stop());

describe('HQ’s home reaches every area', () => {
  it('links each area from 功能导航, and every link opens for HQ', async () => {
    const home = await hq.get('/app/admin');
    expect(home.status).toBe(200);
    const area = home.text.slice(home.text.indexOf('id="h-areas"'));
    const links = [...area.matchAll(/href="(\/app\/admin[^"]*)"/g)].map((m) => m[1]!);
    for (const href of [
      '/app/admin/roster',
      '/app/admin/roster/districts',
      '/app/admin/roster/units',
      '/app/admin/roster/townships',
      '/app/admin/visits',
      '/app/admin/talks',
      '/app/admin/self-criticism',
      '/app/admin/trainings',
      '/app/admin/assessments',
      '/app/admin/direct-reports',
      '/app/admin/allocations',
      '/app/admin/quotas',
      '/app/admin/sanctions',
      '/app/admin/settings/issuer',
    ])
      expect(links, href).toContain(href);
    for (const href of links) expect((await hq.get(href)).status, href).toBe(200);
  });

  it('says when this week has no provisional colours yet, and names no ISO week', async () => {
    const home = await hq.get('/app/admin');
    expect(home.text).toContain('本周暂定评定尚未生成');
    expect(home.text).not.toMatch(/第\d+周|\d{4}-W\d{2}/);
  });
});

describe('the visits page', () => {
  it('lists the visits newest first with the cadre, village, night and note', async () => {
    const res = await hq.get('/app/admin/visits');
    expect(res.status).toBe(200);
    expect(res.text).toContain('走访三组低保户');
    expect(res.text).toContain('查看机井');
    expect(res.text).toContain('在村住宿');
    expect(res.text).toContain(`href="/app/admin/cadres/${c1}"`);
    // Names stay on one line in the table.
    expect(res.text).toMatch(
      /<td class="nowrap"><a href="\/app\/admin\/villages\/[^"]+">白岩脚村<\/a><\/td>/,
    );
  });

  it.each([
    ['cadre', `cadreId=${c1}`, '走访三组低保户', '查看机井'],
    ['village', `villageId=${v2}`, '查看机井', '走访三组低保户'],
  ])('filters by %s', async (_what, query, shown, hidden) => {
    const res = await hq.get(`/app/admin/visits?${query}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(shown);
    expect(res.text).not.toContain(hidden);
  });

  it('filters by week, offering this week by its days', async () => {
    const week = isoWeekOfInstant(new Date());
    const res = await hq.get(`/app/admin/visits?week=${week}`);
    expect(res.text).toContain('走访三组低保户');
    expect(res.text).toMatch(new RegExp(`<option value="${week}" selected>第\\d+周（`));
    const other = await hq.get('/app/admin/visits?week=2020-W01');
    expect(other.status).toBe(200);
    expect(other.text).toContain('没有符合条件的驻村记录。');
  });

  it('answers a bad filter with a Chinese message, not a 500', async () => {
    const res = await hq.get('/app/admin/visits?week=W99');
    expect(res.status).toBe(200);
    expect(res.text).toContain('banner-error');
    expect(res.text).not.toMatch(/invalid_format|INVALID/);
  });

  it('is HQ’s page: a cadre is refused', async () => {
    const cadre = await signInPages(t.url, c1, 'cadre');
    expect((await cadre.get('/app/admin/visits')).status).toBe(403);
  });
});
