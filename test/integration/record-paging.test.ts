import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate, isoWeekOf, isoWeekRange } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * Paging on HQ's and the inspectors' long pages: the board (100 rows a page, red first) and the
 * verification queue (20 a page, oldest hand-in first), each walked to the end without a repeat;
 * board and circle rows link to the cadre's profile, the problem and the village's problems.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let hq: PageClient;
let inspectorPages: PageClient;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const monday = isoWeekRange(lastWeek).monday;
const T = uid('T');
const V = `${T}-V`;
const C = [uid('C'), uid('C'), uid('C')] as const;
let problemIds: string[] = [];

const matters = (html: string) => [...html.matchAll(/data-matter="p:([^"]+)"/g)].map((m) => m[1] as string);
const queueItems = (html: string) =>
  [...html.matchAll(/action="\/app\/inspector\/problems\/([^/"]+)\/verify"/g)].map((m) => m[1] as string);
const link = (html: string, rel: 'next' | 'prev') =>
  (new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html)?.[1] ?? '')
    .replaceAll('&#x3D;', '=')
    .replaceAll('&amp;', '&');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: T, name: '翻页乡' }],
    ['/villages', { id: V, name: '翻页村', townshipId: T, category: 'general' }],
    ...C.map((id, i): [string, unknown] => [
      '/cadres',
      { id, name: `翻页干部${i}`, unit: '县委办', rank: 'staff' },
    ]),
  ];
  for (const [path, body] of setup) expect((await admin.post(path, body)).status, path).toBe(201);
  // 105 problems found last week, all overdue now: more than one page of the board.
  const res = await inspector.post('/inspections', {
    villageId: V,
    date: addDays(monday, 1),
    mode: 'open',
    findings: C.map((cadreId, i) => ({
      cadreId,
      present: true,
      problems: Array.from({ length: 35 }, (_, j) => ({
        description: `问题${i}-${j}`,
        severity: 'minor',
        rectifyBy: addDays(monday, 2),
      })),
    })),
  });
  expect(res.status).toBe(201);
  problemIds = res.body.problemIds;
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  // 25 of them handed in as rectified: more than one page of the verification queue.
  for (const [i, cadreId] of C.entries()) {
    const cadre = await t.as('cadre', cadreId);
    for (const id of problemIds.slice(i * 35, i * 35 + (i < 2 ? 10 : 5))) {
      expect((await cadre.post(`/problems/${id}/rectifications`, { note: '已整改' })).status).toBe(201);
    }
  }
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  inspectorPages = await signInPages(t.url, 'inspector-1', 'inspector');
}, 120_000);
afterAll(async () => {
  await t.stop();
});

describe('the board', () => {
  it('shows 100 rows a page and the rest on the next, every problem once, with links to the records', async () => {
    const first = await hq.get(`/app/admin/board?townshipId=${T}`);
    expect(first.status).toBe(200);
    const page1 = matters(first.text);
    expect(page1).toHaveLength(100);
    expect(first.text).toContain('第 1 / 2 页');
    const next = link(first.text, 'next');
    expect(next).toBe(`/app/admin/board?townshipId=${T}&page=2`);
    const second = await hq.get(next);
    const page2 = matters(second.text);
    expect(page2).toHaveLength(5);
    expect(link(second.text, 'prev')).toBe(`/app/admin/board?townshipId=${T}`);
    expect(new Set([...page1, ...page2])).toEqual(new Set(problemIds));
    // The section headings count every row, not just this page's.
    expect(second.text).toMatch(/红色事项（105）/);
    expect(first.text).toContain(`href="/app/admin/cadres/${C[0]}"`);
    expect(first.text).toContain(`href="/app/admin/problems/${page1[0]}"`);
    expect(first.text.replaceAll('&#x3D;', '=')).toContain(`href="/app/admin/problems?villageId=${V}"`);
  });

  it('a page number out of range shows the nearest page', async () => {
    const res = await hq.get(`/app/admin/board?townshipId=${T}&page=99`);
    expect(res.status).toBe(200);
    expect(matters(res.text)).toHaveLength(5);
    expect((await hq.get(`/app/admin/board?townshipId=${T}&page=abc`)).text).toContain('第 1 / 2 页');
  });
});

describe('the verification queue', () => {
  it('lists 20 a page, oldest hand-in first, and the rest on the next page', async () => {
    const first = await inspectorPages.get(`/app/inspector/verifications?township=${T}`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('25 条待复核');
    const page1 = queueItems(first.text);
    expect(page1).toHaveLength(20);
    const second = await inspectorPages.get(link(first.text, 'next'));
    const page2 = queueItems(second.text);
    expect(page2).toHaveLength(5);
    const handedIn = [...problemIds.slice(0, 10), ...problemIds.slice(35, 45), ...problemIds.slice(70, 75)];
    expect(new Set([...page1, ...page2])).toEqual(new Set(handedIn));
    expect(page1.slice(0, 10)).toEqual(problemIds.slice(0, 10));
  });
});
