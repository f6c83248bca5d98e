import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { createRoster, type RosterFixture } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { signInPages } from '../support/pages.ts';

/**
 * Problem categories and sources on POST /inspections: stored and answered, refused in Chinese when
 * the rule set does not list the category, filterable on GET /problems; repeats of a category by the
 * same cadre flagged at intake; a problem recording a headcount absence only for an absent cadre.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let r: RosterFixture;

const today = () => beijingDate(new Date());

async function inspect(body: Record<string, unknown>) {
  const res = await inspector.post('/inspections', { mode: 'open', date: today(), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  r = await createRoster(admin, { villages: 2, cadres: 2 });
});
afterAll(async () => {
  await t?.stop();
});

describe('problem categories and sources', () => {
  it('stores and answers the category and source of each problem', async () => {
    const insp = await inspect({
      villageId: r.villageIds[0],
      date: addDays(today(), -3),
      findings: [
        {
          cadreId: r.cadreIds[0],
          presence: 'present',
          problems: [
            { description: '扶贫档案不全', severity: 'minor', category: '档案资料', source: 'complaint' },
          ],
        },
      ],
    });
    const problem = insp.findings[0].problems[0];
    expect(problem).toMatchObject({ category: '档案资料', source: 'complaint', sourceLabel: '群众举报' });
    const read = await admin.get(`/problems/${problem.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ category: '档案资料', source: 'complaint', sourceLabel: '群众举报' });
    expect(read.body.repeat).toBeUndefined();
  });

  it('refuses a category the rules do not list, naming the choices in Chinese, and writes nothing', async () => {
    const res = await inspector.post('/inspections', {
      villageId: r.villageIds[1],
      date: today(),
      mode: 'open',
      findings: [
        {
          cadreId: r.cadreIds[1],
          presence: 'present',
          problems: [{ description: '环境卫生差', severity: 'minor', category: '环境卫生' }],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toContainEqual({
      path: 'body.findings.0.problems.0.category',
      code: 'UNKNOWN_CATEGORY',
      message: '问题类别只能是：档案资料、项目推进、产业覆盖、政策落实、作风纪律、其他',
    });
    const list = await admin.get(`/problems?villageId=${r.villageIds[1]}`);
    expect(list.body.items).toEqual([]);
  });

  it('refuses an unknown source with the sources in Chinese', async () => {
    const res = await inspector.post('/inspections', {
      villageId: r.villageIds[1],
      date: today(),
      mode: 'open',
      findings: [
        {
          cadreId: r.cadreIds[1],
          presence: 'present',
          problems: [{ description: '台账缺失', severity: 'minor', source: 'newspaper' }],
        },
      ],
    });
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path.endsWith('problems.0.source'));
    expect(field?.message).toBe('请选择问题来源：督查发现、巡视巡察反馈、群众举报、自查');
    expect(field?.message).not.toMatch(/[a-z]/);
  });

  it('filters problems by category and by source', async () => {
    await inspect({
      villageId: r.villageIds[1],
      findings: [
        {
          cadreId: r.cadreIds[1],
          presence: 'present',
          problems: [
            { description: '项目进度滞后', severity: 'major', category: '项目推进', source: 'patrol' },
            { description: '产业未覆盖', severity: 'minor', category: '产业覆盖', source: 'inspection' },
            { description: '未分类问题', severity: 'minor' },
          ],
        },
      ],
    });
    const byCategory = await admin.get(
      `/problems?villageId=${r.villageIds[1]}&category=${encodeURIComponent('项目推进')}`,
    );
    expect(byCategory.body.items.map((p: { description: string }) => p.description)).toEqual([
      '项目进度滞后',
    ]);
    const bySource = await admin.get(`/problems?cadreId=${r.cadreIds[1]}&source=inspection`);
    expect(bySource.body.items.map((p: { description: string }) => p.description)).toEqual(['产业未覆盖']);
    const bothInTownship = await admin.get(
      `/problems?townshipId=${r.townshipId}&category=${encodeURIComponent('项目推进')}&source=patrol`,
    );
    expect(bothInTownship.body.items).toHaveLength(1);
    const none = await admin.get(`/problems?villageId=${r.villageIds[1]}&source=self_check`);
    expect(none.body.items).toEqual([]);
    const bad = await admin.get('/problems?source=rumour');
    expect(bad.status).toBe(400);
  });
});

describe('repeats', () => {
  it('flags a problem of a category already found for the same cadre within the window', async () => {
    const cadreId = r.cadreIds[0];
    const first = await admin.get(`/problems?cadreId=${cadreId}&category=${encodeURIComponent('档案资料')}`);
    const [earlier] = first.body.items;
    expect(earlier).toBeDefined();
    const insp = await inspect({
      villageId: r.villageIds[0],
      findings: [
        {
          cadreId,
          presence: 'present',
          problems: [
            { description: '档案仍未补齐', severity: 'minor', category: '档案资料' },
            { description: '政策宣传不到位', severity: 'minor', category: '政策落实' },
          ],
        },
      ],
    });
    const [again, other] = insp.findings[0].problems;
    expect(again.repeat).toEqual({ of: [earlier.id], weeks: 8 });
    expect(other.repeat).toBeUndefined();
    expect((await admin.get(`/problems/${again.id}`)).body.repeat).toEqual({ of: [earlier.id], weeks: 8 });
    // The earlier one is not a repeat of the later one.
    expect((await admin.get(`/problems/${earlier.id}`)).body.repeat).toBeUndefined();
  });

  it('does not flag another cadre’s problem of the same category', async () => {
    const insp = await inspect({
      villageId: r.villageIds[0],
      findings: [
        {
          cadreId: r.cadreIds[1],
          presence: 'present',
          problems: [{ description: '档案资料缺页', severity: 'minor', category: '档案资料' }],
        },
      ],
    });
    expect(insp.findings[0].problems[0].repeat).toBeUndefined();
  });
});

describe('absence problems', () => {
  it('are accepted for an absent cadre and refused for one on site', async () => {
    const okRes = await inspect({
      villageId: r.villageIds[1],
      findings: [
        {
          cadreId: r.cadreIds[0],
          presence: 'absent',
          problems: [{ description: '点名不在岗', severity: 'minor', category: '作风纪律', absence: true }],
        },
      ],
    });
    expect(okRes.findings[0].problems[0].absence).toBe(true);
    const res = await inspector.post('/inspections', {
      villageId: r.villageIds[1],
      date: today(),
      mode: 'open',
      findings: [
        {
          cadreId: r.cadreIds[1],
          presence: 'present',
          problems: [{ description: '点名不在岗', severity: 'minor', absence: true }],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toContainEqual(
      expect.objectContaining({
        code: 'ABSENCE_NOT_RECORDED',
        message: '只有点名不在岗的干部才能记录缺岗问题',
      }),
    );
  });
});

describe('the inspector’s form', () => {
  it('offers the rule set’s categories and the sources, and records what was chosen', async () => {
    const villageId = r.villageIds[1] as string;
    const cadreId = r.cadreIds[0] as string;
    expect((await admin.post('/assignments', { cadreId, villageId, role: 'chief' })).status).toBe(201);
    const pages = await signInPages(t.url, 'inspector-form', 'inspector');
    const form = await pages.get(`/app/inspector/villages/${villageId}`);
    expect(form.text).toContain('<option value="作风纪律"');
    expect(form.text).toContain('<option value="patrol"');
    expect(form.text).toContain('巡视巡察反馈');
    const row = (j: number, p: Record<string, string>) =>
      ['description', 'severity', 'rectifyBy', 'category', 'source', 'absence'].map((k): [string, string] => [
        `findings.0.problems.${j}.${k}`,
        p[k] ?? '',
      ]);
    const res = await pages.post(`/app/inspector/villages/${villageId}/inspections`, [
      ['_key', uid('key-')],
      ['villageId', villageId],
      ['mode', 'covert'],
      ['date', today()],
      ['note', ''],
      ['findings.0.cadreId', cadreId],
      ['findings.0.presence', 'absent'],
      ['findings.0.dispatchId', ''],
      ['findings.0.commend', 'false'],
      ['findings.0.note', ''],
      ...row(0, {
        description: '暗访时不在岗',
        severity: 'minor',
        category: '作风纪律',
        source: 'complaint',
        absence: 'true',
      }),
      // The spare row the page always renders, left blank: dropped.
      ...row(1, {}),
    ]);
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const listed = await admin.get(`/problems?villageId=${villageId}&source=complaint`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        description: '暗访时不在岗',
        category: '作风纪律',
        source: 'complaint',
        absence: true,
      }),
    ]);
  });
});
