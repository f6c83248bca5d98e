import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * The unit picker (所属单位) on HQ's cadre forms, posted as a browser without JavaScript does: a new
 * cadre with a unit, the edit form showing the current unit selected, changing and clearing it, and an
 * unknown unit refused beside the field with nothing written.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

const water = uid('U');
const township = uid('T');
const committee = uid('U');

const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)?.[1] ?? '';
const versionOf = (html: string) => /name="_version" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** The option elements of the unit select, as `[value, selected]`. */
const unitSelect = (html: string) => {
  const select = /<select id="f-unitId" name="unitId"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
  return [...select.matchAll(/<option value="([^"]*)" ?(selected)?>([^<]*)</g)].map((m) => ({
    value: m[1],
    selected: Boolean(m[2]),
    label: m[3],
  }));
};

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  for (const [path, body] of [
    ['/townships', { id: township, name: '青石乡' }],
    ['/units', { id: water, name: '县水务局', kind: 'department' }],
    ['/units', { id: committee, name: '青石乡党委', kind: 'township-committee', townshipId: township }],
  ] as const) {
    expect((await api.post(path, body)).status).toBe(201);
  }
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});
afterAll(() => t?.stop());

async function freshKey(path: string) {
  const res = await hq.get(path);
  expect(res.status).toBe(200);
  return { html: res.text, key: keyOf(res.text) };
}

describe('the unit picker on the cadre forms', () => {
  const id = uid('C');

  it('lists the units on the new form and creates the cadre with the unit chosen', async () => {
    const { html, key } = await freshKey('/app/admin/roster/cadres/new');
    expect(unitSelect(html)).toEqual([
      { value: '', selected: false, label: '不指定' },
      // By name in pinyin order: 青 (qing) before 县 (xian).
      { value: committee, selected: false, label: '青石乡党委（乡镇党委）' },
      { value: water, selected: false, label: '县水务局（县直部门）' },
    ]);
    const res = await hq.post('/app/admin/roster/cadres', {
      _key: key,
      id,
      name: '钱进',
      unit: '县水务局',
      unitId: water,
      rank: 'staff',
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    expect((await api.get(`/cadres/${id}`)).body).toMatchObject({ unit: '县水务局', unitId: water });
  });

  it('creates a cadre without a unit when none is chosen', async () => {
    const other = uid('C');
    const { key } = await freshKey('/app/admin/roster/cadres/new');
    const res = await hq.post('/app/admin/roster/cadres', {
      _key: key,
      id: other,
      name: '孙立',
      unit: '县财政局',
      unitId: '',
      rank: 'staff',
    });
    expect(res.status).toBe(303);
    expect((await api.get(`/cadres/${other}`)).body.unitId).toBeUndefined();
  });

  it('shows the current unit on the edit form, changes it, and clears it', async () => {
    const path = `/app/admin/roster/cadres/${id}/edit`;
    const { html, key } = await freshKey(path);
    expect(html).toContain('<dt>所属单位</dt><dd>县水务局（县直部门）</dd>');
    expect(unitSelect(html).find((o) => o.selected)?.value).toBe(water);

    const moved = await hq.post(path, {
      _key: key,
      _version: versionOf(html),
      name: '钱进',
      unit: '青石乡党委',
      unitId: committee,
      rank: 'staff',
    });
    expect(moved.status, moved.text.slice(0, 300)).toBe(303);
    expect((await api.get(`/cadres/${id}`)).body).toMatchObject({ unit: '青石乡党委', unitId: committee });

    const again = await freshKey(path);
    expect(again.html).toContain('<dt>所属单位</dt><dd>青石乡党委（乡镇党委）</dd>');
    const cleared = await hq.post(path, {
      _key: again.key,
      _version: versionOf(again.html),
      name: '钱进',
      unit: '青石乡党委',
      unitId: '',
      rank: 'staff',
    });
    expect(cleared.status, cleared.text.slice(0, 300)).toBe(303);
    expect((await api.get(`/cadres/${id}`)).body.unitId).toBeUndefined();
    expect((await freshKey(path)).html).toContain('<dt>所属单位</dt><dd>未指定</dd>');
  });

  it('refuses an unknown unit beside the field, in Chinese, and writes nothing', async () => {
    const other = uid('C');
    const { key } = await freshKey('/app/admin/roster/cadres/new');
    const res = await hq.post('/app/admin/roster/cadres', {
      _key: key,
      id: other,
      name: '周明',
      unit: '县林业局',
      unitId: 'NO-SUCH-UNIT',
      rank: 'staff',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'unitId' })).toMatch(/单位/);
    expect((await api.get(`/cadres/${other}`)).status).toBe(404);
  });
});
