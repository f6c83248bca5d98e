import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * The inspector's pages over real HTTP on the local stack, posted as plain forms (no script): picking
 * a village, recording an inspection with findings and problems per cadre, refusals shown beside the
 * field that caused them with nothing written, one inspection per idempotency key, verification of
 * rectifications (accepted, rejected as 虚假整改), and no way in for a cadre.
 */
let t: TestStack;
let admin: Caller;
let api: Caller;
let pages: PageClient;
let cadrePages: PageClient;

const today = () => beijingDate(new Date());
const qingshi = uid('T');
const baima = uid('T');
const hongqi = uid('V');
const xiangyang = uid('V');
const baimaVillage = uid('V');
const chief = uid('C');
const member = uid('C');
const baimaChief = uid('C');
let dispatchId = '';

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  api = await t.as('inspector', 'inspector-api');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: qingshi, name: '青石乡' }],
    ['/townships', { id: baima, name: '白马镇' }],
    ['/villages', { id: hongqi, name: '红旗村', townshipId: qingshi, category: 'deep' }],
    ['/villages', { id: xiangyang, name: '向阳村', townshipId: qingshi, category: 'general' }],
    ['/villages', { id: baimaVillage, name: '白马村', townshipId: baima, category: 'non' }],
    ['/cadres', { id: member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/cadres', { id: chief, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: baimaChief, name: '赵强', unit: '县交通局', rank: 'general' }],
    // The member is assigned first: the page must still put the chief first.
    ['/assignments', { cadreId: member, villageId: hongqi, role: 'member' }],
    ['/assignments', { cadreId: chief, villageId: hongqi, role: 'chief' }],
    ['/assignments', { cadreId: baimaChief, villageId: baimaVillage, role: 'chief' }],
  ];
  for (const [path, body] of setup) {
    const res = await admin.post(path, body);
    expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(201);
  }
  const dispatch = await admin.post('/dispatches', {
    title: '抗旱保苗专项任务',
    category: '防汛抗旱',
    description: '逐户核实人畜饮水情况。',
    deadline: addDays(today(), 5),
    assignees: [{ cadreId: chief, villageId: hongqi }],
  });
  expect(dispatch.status).toBe(201);
  dispatchId = dispatch.body.id;
  pages = await signInPages(t.url, 'inspector-1', 'inspector');
  cadrePages = await signInPages(t.url, chief, 'cadre');
});

afterAll(() => t?.stop());

async function inspectionsOf(villageId: string): Promise<Array<{ id: string }>> {
  const res = await admin.get(`/inspections?villageId=${villageId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** One finding's fields as the page's form posts them: the presence radio, hidden `false` before each ticked box. */
function finding(
  i: number,
  f: {
    cadreId: string;
    present?: boolean;
    commend?: boolean;
    dispatchId?: string;
    note?: string;
    problems?: Array<{ description?: string; severity?: string; rectifyBy?: string }>;
  },
): Array<[string, string]> {
  const base = `findings.${i}`;
  const out: Array<[string, string]> = [
    [`${base}.cadreId`, f.cadreId],
    ...(f.present === undefined
      ? []
      : ([[`${base}.presence`, f.present ? 'present' : 'absent']] as Array<[string, string]>)),
    [`${base}.dispatchId`, f.dispatchId ?? ''],
    [`${base}.commend`, 'false'],
    ...(f.commend ? ([[`${base}.commend`, 'true']] as Array<[string, string]>) : []),
    [`${base}.note`, f.note ?? ''],
  ];
  // Always at least the two spare rows the page renders, blank ones included.
  const rows = [...(f.problems ?? [])];
  while (rows.length < 2) rows.push({});
  rows.forEach((p, j) => {
    out.push(
      [`${base}.problems.${j}.description`, p.description ?? ''],
      [`${base}.problems.${j}.severity`, p.severity ?? ''],
      [`${base}.problems.${j}.rectifyBy`, p.rectifyBy ?? ''],
    );
  });
  return out;
}

function inspectionForm(
  villageId: string,
  key: string,
  findings: Array<Array<[string, string]>>,
  extra: { mode?: string; date?: string; note?: string } = {},
): Array<[string, string]> {
  return [
    ['_key', key],
    ['villageId', villageId],
    ['mode', extra.mode ?? 'open'],
    ['date', extra.date ?? today()],
    ['note', extra.note ?? ''],
    ...findings.flat(),
  ];
}

/** The value of the hidden or text input named `name` in the page. */
function inputValue(html: string, name: string): string | undefined {
  const re = new RegExp(`<input[^>]*name="${name.replace(/\./g, '\\.')}"[^>]*value="([^"]*)"`);
  return re.exec(html)?.[1];
}

/** The <select> named `name`, as its options' values and which one is selected. */
function selectOptions(html: string, name: string): Array<{ value: string; selected: boolean }> {
  const re = new RegExp(`<select[^>]*name="${name.replace(/\./g, '\\.')}"[^>]*>([\\s\\S]*?)</select>`);
  const body = re.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<option value="([^"]*)"\s*(selected)?/g)].map((m) => ({
    value: m[1]!,
    selected: m[2] === 'selected',
  }));
}

/** The markup of the form posting to `action` (the verification page holds one form per problem). */
function formFor(html: string, action: string): string {
  const start = html.indexOf(`action="${action}"`);
  expect(start, `no form posting to ${action}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

describe('picking a village', () => {
  it('lists every village grouped by township, each linking to its page', async () => {
    const res = await pages.get('/app/inspector');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-offline')).toBe('keep');
    const html = res.text;
    for (const id of [hongqi, xiangyang, baimaVillage]) {
      expect(html).toContain(`href="/app/inspector/villages/${id}"`);
    }
    // 红旗村 and 向阳村 sit under 青石乡, 白马村 under 白马镇.
    const qingshiAt = html.indexOf('青石乡');
    const baimaAt = html.indexOf('白马镇');
    expect(qingshiAt).toBeGreaterThan(-1);
    expect(baimaAt).toBeGreaterThan(-1);
    const at = (id: string) => html.indexOf(`/app/inspector/villages/${id}"`);
    const [first, second] = qingshiAt < baimaAt ? [qingshiAt, baimaAt] : [baimaAt, qingshiAt];
    const inQingshi = (id: string) =>
      qingshiAt < baimaAt ? at(id) > first && at(id) < second : at(id) > second;
    expect(inQingshi(hongqi)).toBe(true);
    expect(inQingshi(xiangyang)).toBe(true);
    expect(inQingshi(baimaVillage)).toBe(false);
    expect(html).toContain('href="/app/inspector/verifications"');
  });

  it('filters on the server by name or id (?q=), so search works without script', async () => {
    const byName = await pages.get(`/app/inspector?q=${encodeURIComponent('红旗')}`);
    expect(byName.status).toBe(200);
    expect(byName.text).toContain(`/app/inspector/villages/${hongqi}"`);
    expect(byName.text).not.toContain(`/app/inspector/villages/${xiangyang}"`);
    expect(byName.text).not.toContain(`/app/inspector/villages/${baimaVillage}"`);
    expect(byName.text).toContain('value="红旗"');
    expect(byName.text).toContain('找到 1 个村');

    const byId = await pages.get(`/app/inspector?q=${baimaVillage.toLowerCase()}`);
    expect(byId.text).toContain(`/app/inspector/villages/${baimaVillage}"`);
    expect(byId.text).not.toContain(`/app/inspector/villages/${hongqi}"`);

    const none = await pages.get(`/app/inspector?q=${encodeURIComponent('不存在的村')}`);
    expect(none.status).toBe(200);
    expect(none.text).not.toContain('/app/inspector/villages/');
    expect(none.text).toContain('没有找到匹配的村');
  });
});

describe('the village page', () => {
  it("lists the village's cadres chief first, its open dispatches, and one form with spare problem rows", async () => {
    const res = await pages.get(`/app/inspector/villages/${hongqi}`);
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('红旗村');
    expect(html).toContain('抗旱保苗专项任务');
    expect(inputValue(html, 'findings.0.cadreId')).toBe(chief);
    expect(inputValue(html, 'findings.1.cadreId')).toBe(member);
    expect(inputValue(html, 'findings.2.cadreId')).toBeUndefined();
    expect(inputValue(html, 'date')).toBe(today());
    expect(html).toContain(`action="/app/inspector/villages/${hongqi}/inspections"`);
    expect(html).toMatch(/<form[^>]*data-form="inspection"[^>]*data-queue/);
    // The chief's open dispatch can be picked; the member has none, so no select for him.
    expect(selectOptions(html, 'findings.0.dispatchId').map((o) => o.value)).toEqual(['', dispatchId]);
    expect(html).not.toContain('name="findings.1.dispatchId"');
    // Two blank rows per cadre, severity starting on the empty 请选择.
    for (const i of [0, 1]) {
      for (const j of [0, 1]) {
        const severity = selectOptions(html, `findings.${i}.problems.${j}.severity`);
        expect(severity.map((o) => o.value)).toEqual(['', 'minor', 'major', 'severe']);
        expect(severity.some((o) => o.selected)).toBe(false);
      }
      expect(html).not.toContain(`name="findings.${i}.problems.2.description"`);
    }
    // Presence in three states (在岗 / 不在岗 / 未点名), none chosen beforehand.
    for (const value of ['present', 'absent', 'unchecked'])
      expect(html).toMatch(new RegExp(`type="radio"[^>]*name="findings\\.0\\.presence" value="${value}" >`));
    expect(html).not.toMatch(/name="findings\.0\.presence" value="\w+" checked/);
  });
});

describe('recording an inspection with a plain form post', () => {
  it('records findings for two cadres (one absent, one commended) with their problems, then shows the list', async () => {
    expect(await inspectionsOf(hongqi)).toHaveLength(0);
    const date = today();
    const res = await pages.post(
      `/app/inspector/villages/${hongqi}/inspections`,
      inspectionForm(
        hongqi,
        uid('key-'),
        [
          finding(0, {
            cadreId: chief,
            present: false,
            dispatchId,
            note: '电话联系称在县里开会',
            problems: [{ description: '督查时不在岗', severity: 'severe' }],
          }),
          finding(1, {
            cadreId: member,
            present: true,
            commend: true,
            // The first row left blank, the problem typed in the second: blank rows are dropped.
            problems: [
              {},
              { description: '走访台账未及时更新', severity: 'minor', rectifyBy: addDays(date, 5) },
            ],
          }),
        ],
        { mode: 'covert', note: '暗访红旗村' },
      ),
    );
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    expect(res.location).toBe('/app/inspector?done=inspection');

    const list = await inspectionsOf(hongqi);
    expect(list).toHaveLength(1);
    const detail = await admin.get(`/inspections/${list[0]!.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      villageId: hongqi,
      townshipId: qingshi,
      date,
      mode: 'covert',
      note: '暗访红旗村',
      presentCount: 1,
      absentCount: 1,
      commendCount: 1,
      problemCount: 2,
      recordedBy: 'inspector-1',
    });
    expect(detail.body.findings).toHaveLength(2);
    expect(detail.body.findings[0]).toMatchObject({
      cadreId: chief,
      present: false,
      commend: false,
      dispatchId,
      note: '电话联系称在县里开会',
      problems: [
        { description: '督查时不在岗', severity: 'severe', rectifyBy: addDays(date, 3), status: 'open' },
      ],
    });
    expect(detail.body.findings[1]).toMatchObject({
      cadreId: member,
      present: true,
      commend: true,
      problems: [{ description: '走访台账未及时更新', severity: 'minor', rectifyBy: addDays(date, 5) }],
    });
    expect(detail.body.findings[1].dispatchId).toBeUndefined();
    expect(detail.body.findings[1].note).toBeUndefined();

    const after = await pages.get(res.location!);
    expect(after.status).toBe(200);
    expect(after.text).toContain('督查记录已提交');
    expect((await pages.get('/app/inspector')).text).not.toContain('督查记录已提交');
  });

  it('refuses a problem row with a severity but no description: the form again (400), the message beside that field, nothing written', async () => {
    const before = await inspectionsOf(baimaVillage);
    const problemsBefore = (await admin.get(`/problems?cadreId=${baimaChief}&limit=100`)).body.items.length;
    const res = await pages.post(
      `/app/inspector/villages/${baimaVillage}/inspections`,
      inspectionForm(baimaVillage, uid('key-'), [
        finding(0, {
          cadreId: baimaChief,
          present: true,
          note: '现场查看水窖',
          // Row 0 blank (dropped), row 1 has a severity and no description: the API sees problems.0.
          problems: [
            {},
            { description: '', severity: 'major' },
            { description: '水窖未清淤', severity: 'minor' },
          ],
        }),
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(textOf(res.text, { errorFor: 'findings.0.problems.1.description' })).toBe('不能为空');
    expect(textOf(res.text, { errorFor: 'findings.0.problems.0.description' })).toBe('');
    expect(textOf(res.text, { errorFor: 'findings.0.problems.2.description' })).toBe('');
    expect(res.text).toMatch(/name="findings\.0\.problems\.1\.description"[^>]*aria-invalid="true"/);
    // What was typed is still there, and a fresh key for the next attempt.
    expect(selectOptions(res.text, 'findings.0.problems.1.severity').find((o) => o.selected)?.value).toBe(
      'major',
    );
    expect(res.text).toContain('水窖未清淤');
    expect(res.text).toContain('现场查看水窖');
    expect(res.text).toMatch(/name="findings\.0\.presence" value="present" checked/);
    // Rows typed in plus two spare ones.
    expect(res.text).toContain('name="findings.0.problems.4.description"');
    expect(res.text).not.toContain('name="findings.0.problems.5.description"');

    expect(await inspectionsOf(baimaVillage)).toHaveLength(before.length);
    expect((await admin.get(`/problems?cadreId=${baimaChief}&limit=100`)).body.items).toHaveLength(
      problemsBefore,
    );
  });

  it('refuses a date in the future with the message beside the date', async () => {
    const res = await pages.post(
      `/app/inspector/villages/${baimaVillage}/inspections`,
      inspectionForm(baimaVillage, uid('key-'), [finding(0, { cadreId: baimaChief, present: true })], {
        date: addDays(today(), 2),
      }),
    );
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'date' })).toContain('督查日期不能晚于今天');
  });

  it('applies the same _key once: a double submission makes one inspection', async () => {
    const before = (await inspectionsOf(baimaVillage)).length;
    const fields = inspectionForm(baimaVillage, uid('key-'), [
      finding(0, { cadreId: baimaChief, present: true, commend: true }),
    ]);
    const first = await pages.post(`/app/inspector/villages/${baimaVillage}/inspections`, fields);
    const second = await pages.post(`/app/inspector/villages/${baimaVillage}/inspections`, fields);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.location).toBe(first.location);
    expect(await inspectionsOf(baimaVillage)).toHaveLength(before + 1);
  });

  it('records for the village of the page, whatever villageId the post carries', async () => {
    const before = (await inspectionsOf(xiangyang)).length;
    const beforeBaima = (await inspectionsOf(baimaVillage)).length;
    const res = await pages.post(
      `/app/inspector/villages/${baimaVillage}/inspections`,
      inspectionForm(xiangyang, uid('key-'), [finding(0, { cadreId: baimaChief, present: true })]),
    );
    expect(res.status).toBe(303);
    expect(await inspectionsOf(xiangyang)).toHaveLength(before);
    expect(await inspectionsOf(baimaVillage)).toHaveLength(beforeBaima + 1);
  });
});

describe('who may open the inspector pages', () => {
  it('gives a cadre 403 on every inspector page and writes nothing', async () => {
    for (const path of [
      '/app/inspector',
      `/app/inspector/villages/${hongqi}`,
      '/app/inspector/verifications',
    ]) {
      const res = await cadrePages.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('您的角色无权打开此页面');
    }
    const before = (await inspectionsOf(hongqi)).length;
    const post = await cadrePages.post(
      `/app/inspector/villages/${hongqi}/inspections`,
      inspectionForm(hongqi, uid('key-'), [finding(0, { cadreId: chief, present: true })]),
    );
    expect(post.status).toBe(403);
    expect(await inspectionsOf(hongqi)).toHaveLength(before);
  });
});

describe('verifying rectifications', () => {
  let accepted = '';
  let rejected = '';

  beforeAll(async () => {
    const res = await api.post('/inspections', {
      villageId: baimaVillage,
      date: today(),
      mode: 'spot',
      findings: [
        {
          cadreId: baimaChief,
          present: true,
          problems: [
            { description: '水窖护栏缺失', severity: 'major' },
            { description: '饮水台账弄虚作假', severity: 'severe' },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
    [accepted, rejected] = res.body.problemIds;
    const cadre = await t.as('cadre', baimaChief);
    for (const [id, note] of [
      [accepted, '已安装护栏并拍照留存'],
      [rejected, '台账已重新登记'],
    ] as const) {
      expect((await cadre.post(`/problems/${id}/rectifications`, { note })).status).toBe(201);
    }
  });

  it('queues the problems awaiting verification with cadre, village, severity, deadline and the rectification note', async () => {
    const res = await pages.get('/app/inspector/verifications');
    expect(res.status).toBe(200);
    const html = res.text;
    for (const text of [
      '水窖护栏缺失',
      '饮水台账弄虚作假',
      '已安装护栏并拍照留存',
      '台账已重新登记',
      '赵强',
      '白马村',
      '较重',
      '严重',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain(`action="/app/inspector/problems/${accepted}/verify"`);
    expect(html).toContain(`action="/app/inspector/problems/${rejected}/verify"`);
    expect(html).toContain('虚假整改');
    expect(html).toMatch(/<form[^>]*data-form="verification"[^>]*data-queue/);
    // Every field id is unique although the page holds one form per problem.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);

    const waiting = (await admin.get('/problems?status=awaiting_verification&limit=100')).body.items.length;
    const list = await pages.get('/app/inspector');
    expect(list.text).toMatch(new RegExp(`<span class="stat-value">${waiting}</span>`));
  });

  it('filters by township with a plain GET form', async () => {
    const inBaima = await pages.get(`/app/inspector/verifications?township=${baima}`);
    expect(inBaima.text).toContain('水窖护栏缺失');
    expect(selectOptions(inBaima.text, 'township').find((o) => o.selected)?.value).toBe(baima);
    const inQingshi = await pages.get(`/app/inspector/verifications?township=${qingshi}`);
    expect(inQingshi.status).toBe(200);
    expect(inQingshi.text).not.toContain('水窖护栏缺失');
    expect(inQingshi.text).not.toContain(`/app/inspector/problems/${accepted}/verify`);
  });

  it('refuses a verification without an outcome, beside the outcome, and changes nothing', async () => {
    const res = await pages.post(`/app/inspector/problems/${accepted}/verify`, {
      _key: uid('key-'),
      _township: baima,
      // What the page posts with no choice made: the hidden empty value before the radios.
      outcome: '',
      note: '现场看过',
    });
    expect(res.status).toBe(400);
    const form = formFor(res.text, `/app/inspector/problems/${accepted}/verify`);
    expect(textOf(form, { errorFor: 'outcome' })).toContain('请选择复核结论');
    expect(form).toContain('现场看过');
    // The other problem's form is untouched.
    expect(
      textOf(formFor(res.text, `/app/inspector/problems/${rejected}/verify`), { errorFor: 'outcome' }),
    ).toBe('');
    expect((await admin.get(`/problems/${accepted}`)).body.status).toBe('awaiting_verification');
  });

  it('accepts one rectification (problem closed) and rejects another as false rectification (reopened, counted)', async () => {
    const ok = await pages.post(`/app/inspector/problems/${accepted}/verify`, {
      _key: uid('key-'),
      _township: baima,
      outcome: 'accepted',
      note: '护栏已装好',
    });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/app/inspector/verifications?township=${baima}&done=accepted`);
    const closed = await admin.get(`/problems/${accepted}`);
    expect(closed.body).toMatchObject({ status: 'closed', falseRectifications: 0 });
    expect(closed.body.events.at(-1)).toMatchObject({
      kind: 'verification',
      outcome: 'accepted',
      note: '护栏已装好',
      by: 'inspector-1',
    });

    const no = await pages.post(`/app/inspector/problems/${rejected}/verify`, {
      _key: uid('key-'),
      _township: '',
      outcome: 'rejected',
      kind: 'false',
      note: '台账与实际不符',
    });
    expect(no.status).toBe(303);
    expect(no.location).toBe('/app/inspector/verifications?done=rejected');
    const reopened = await admin.get(`/problems/${rejected}`);
    expect(reopened.body).toMatchObject({ status: 'open', falseRectifications: 1 });

    const page = await pages.get(no.location!);
    expect(page.text).toContain('已认定为虚假整改');
    expect(page.text).not.toContain(`/app/inspector/problems/${accepted}/verify`);
    expect(page.text).not.toContain(`/app/inspector/problems/${rejected}/verify`);
  });

  it('says so when the problem was verified meanwhile (by someone else)', async () => {
    const res = await pages.post(`/app/inspector/problems/${accepted}/verify`, {
      _key: uid('key-'),
      outcome: 'rejected',
      kind: 'false',
      note: '复核不实',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('该问题已销号，无需复核');
    expect((await admin.get(`/problems/${accepted}`)).body.status).toBe('closed');
  });
});
