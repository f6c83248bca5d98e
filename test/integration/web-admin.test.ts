import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * HQ's pages over real HTTP on the local stack, driven like a browser without JavaScript: plain GET
 * filters, plain form posts answered with 303 (or the form again, status 400, with the API's Chinese
 * messages beside the fields), `_key` idempotency, and the records checked through the JSON API.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

// A township of our own, with one village covered, one without a chief, and one chief of two villages.
const township = uid('T');
const covered = uid('V');
const uncovered = uid('V');
const second = uid('V');
const chief = uid('C');
const member = uid('C');

/** Attribute values as the browser reads them (the template build escapes `=` and `&`). */
const decode = (html: string) =>
  html
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)?.[1] ?? '';
const later = (days: number) => addDays(beijingDate(new Date()), days);

async function freshKey(path: string): Promise<string> {
  const res = await hq.get(path);
  expect(res.status).toBe(200);
  const key = keyOf(res.text);
  expect(key).not.toBe('');
  return key;
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: covered, name: '红旗村', townshipId: township, category: 'general' }],
    ['/villages', { id: uncovered, name: '石门村', townshipId: township, category: 'deep' }],
    ['/villages', { id: second, name: '柳湾村', townshipId: township, category: 'non' }],
    ['/cadres', { id: chief, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: chief, villageId: covered, role: 'chief' }],
    ['/assignments', { cadreId: chief, villageId: second, role: 'chief' }],
    ['/assignments', { cadreId: member, villageId: covered, role: 'member' }],
  ];
  for (const [path, body] of setup) expect((await api.post(path, body)).status).toBe(201);
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});

afterAll(() => t?.stop());

describe('roster: coverage gaps first', () => {
  it('lists villages without a chief and chiefs of several villages before anything else, with a prefilled appointment link', async () => {
    const res = await hq.get('/app/admin/roster');
    expect(res.status).toBe(200);
    const html = decode(res.text);
    const gaps = html.indexOf('<h3 id="h-without-chief">');
    expect(gaps).toBeGreaterThan(0);
    expect(html.indexOf('兼任多村总队长的干部（')).toBeGreaterThan(gaps);
    expect(html.indexOf('各乡镇')).toBeGreaterThan(html.indexOf('兼任多村总队长的干部（'));
    // The uncovered village, with its direct link; the covered ones are not among the gaps.
    const gapTable = html.slice(gaps, html.indexOf('兼任多村总队长的干部（'));
    expect(gapTable).toContain('石门村');
    expect(gapTable).not.toContain('红旗村');
    expect(gapTable).toContain(`href="/app/admin/roster/assignments/new?villageId=${uncovered}&role=chief"`);
    expect(gapTable).toContain('安排总队长');
    const several = html.slice(html.indexOf('兼任多村总队长的干部（'), html.indexOf('各乡镇'));
    expect(several).toContain('李明');
    expect(several).toContain('红旗村');
    expect(several).toContain('柳湾村');
  });

  it('opens the appointment form with the village and the chief role already chosen', async () => {
    const res = await hq.get(`/app/admin/roster/assignments/new?villageId=${uncovered}&role=chief`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`<option value="${uncovered}" selected>`));
    expect(res.text).toMatch(/id="f-role-chief" name="role" value="chief" checked/);
  });
});

describe('roster: creating through the page forms', () => {
  const ids = { township: uid('T'), village: uid('V'), cadre: uid('C') };

  it('creates a township, a village with its profile, a cadre and the village chief (303 each, records in the API)', async () => {
    let res = await hq.post('/app/admin/roster/townships', {
      _key: await freshKey('/app/admin/roster/townships/new'),
      id: ids.township,
      name: '白杨镇',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/app/admin/roster/townships?done=township');
    expect((await api.get(`/townships/${ids.township}`)).body.name).toBe('白杨镇');

    res = await hq.post('/app/admin/roster/villages', {
      _key: await freshKey('/app/admin/roster/villages/new'),
      id: ids.village,
      name: '新华村',
      townshipId: ids.township,
      category: 'deep',
      'profile.households': '312',
      'profile.population': '1204',
      'profile.partyMembers': '',
    });
    expect(res.status).toBe(303);
    // Straight on to appointing the new village's chief.
    expect(res.location).toBe(
      `/app/admin/roster/assignments/new?villageId=${ids.village}&role=chief&done=village`,
    );
    const village = (await api.get(`/villages/${ids.village}`)).body;
    expect(village).toMatchObject({ townshipId: ids.township, category: 'deep' });
    expect(village.profile).toEqual({ households: 312, population: 1204 });

    res = await hq.post('/app/admin/roster/cadres', {
      _key: await freshKey('/app/admin/roster/cadres/new'),
      id: ids.cadre,
      name: '赵刚',
      unit: '县委组织部',
      rank: 'county',
      townshipId: '',
      phone: '13800138000',
      email: '',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/app/admin/roster/cadres?done=cadre');
    const cadre = (await api.get(`/cadres/${ids.cadre}`)).body;
    expect(cadre).toMatchObject({ name: '赵刚', rank: 'county', phone: '13800138000' });
    expect(cadre.townshipId).toBeUndefined();

    const formPage = await hq.get(
      `/app/admin/roster/assignments/new?villageId=${ids.village}&role=chief&done=village`,
    );
    expect(formPage.text).toContain('村已保存');
    res = await hq.post('/app/admin/roster/assignments', {
      _key: keyOf(formPage.text),
      villageId: ids.village,
      cadreId: ids.cadre,
      role: 'chief',
      from: '',
      note: '',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/admin/roster/assignments?villageId=${ids.village}&done=assignment`);
    const assignments = (await api.get(`/assignments?villageId=${ids.village}`)).body.items;
    expect(assignments).toHaveLength(1);
    expect(assignments[0]).toMatchObject({
      cadreId: ids.cadre,
      role: 'chief',
      active: true,
      from: beijingDate(new Date()),
    });

    const list = await hq.get(res.location!);
    expect(list.status).toBe(200);
    expect(list.text).toContain('包村干部已安排');
    expect(list.text).toContain('赵刚');
    const coverage = (await api.get(`/coverage?townshipId=${ids.township}`)).body;
    expect(coverage.counts.villagesWithoutChief).toBe(0);
  });

  it('ends an assignment with a date and a reason through its form, keeping the history', async () => {
    const [a] = (await api.get(`/assignments?villageId=${covered}&cadreId=${member}`)).body.items;
    const form = await hq.get(`/app/admin/roster/assignments/${a.id}/end`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('王芳');
    const res = await hq.post(`/app/admin/roster/assignments/${a.id}/end`, {
      _key: keyOf(form.text),
      to: later(1),
      reason: '工作调动',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/admin/roster/assignments?villageId=${covered}&done=ended`);
    const ended = (await api.get(`/assignments/${a.id}`)).body;
    expect(ended).toMatchObject({ active: false, to: later(1), endReason: '工作调动' });
  });
});

describe('roster: refused forms', () => {
  it('shows a cadre form with an invalid phone again, 400, with the API message beside the field, and writes nothing', async () => {
    const id = uid('C');
    const res = await hq.post('/app/admin/roster/cadres', {
      _key: await freshKey('/app/admin/roster/cadres/new'),
      id,
      name: '钱进',
      unit: '县财政局',
      rank: 'staff',
      phone: '12345',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'phone' })).toBe(
      '电话号码格式不正确（手机号 11 位，或带区号的固定电话）',
    );
    expect(res.text).toMatch(/id="f-phone" name="phone" value="12345" aria-invalid="true"/);
    // What was typed stays; a new key stands ready for the corrected attempt.
    expect(res.text).toContain('value="钱进"');
    expect((await api.get(`/cadres/${id}`)).status).toBe(404);
  });

  it('shows a village form for an unknown township again, 400, with 乡镇不存在 beside the township, and writes nothing', async () => {
    const id = uid('V');
    const res = await hq.post('/app/admin/roster/villages', {
      _key: await freshKey('/app/admin/roster/villages/new'),
      id,
      name: '无名村',
      townshipId: 'NO-SUCH-TOWNSHIP',
      category: 'general',
      'profile.households': '-3',
    });
    expect(res.status).toBe(400);
    // The schema's message first (a negative count), on the next try the reference check.
    expect(textOf(res.text, { errorFor: 'profile.households' })).toBe('不能为负数');
    const again = await hq.post('/app/admin/roster/villages', {
      _key: keyOf(res.text),
      id,
      name: '无名村',
      townshipId: 'NO-SUCH-TOWNSHIP',
      category: 'general',
    });
    expect(again.status).toBe(400);
    expect(textOf(again.text, { errorFor: 'townshipId' })).toBe('乡镇不存在');
    expect(again.text).toContain('请求内容有误，请按提示修改');
    expect((await api.get(`/villages/${id}`)).status).toBe(404);
  });

  it('refuses a second chief for a covered village with the API conflict message beside the village', async () => {
    const res = await hq.post('/app/admin/roster/assignments', {
      _key: await freshKey('/app/admin/roster/assignments/new'),
      villageId: covered,
      cadreId: member,
      role: 'chief',
    });
    expect(res.status).toBe(409);
    expect(textOf(res.text, { errorFor: 'villageId' })).toBe('该村已有总队长');
  });
});

describe('idempotency: the same _key twice', () => {
  it('creates one assignment although the form was posted twice', async () => {
    const key = await freshKey(`/app/admin/roster/assignments/new?villageId=${uncovered}`);
    const fields = { _key: key, villageId: uncovered, cadreId: member, role: 'member' };
    const first = await hq.post('/app/admin/roster/assignments', fields);
    const second = await hq.post('/app/admin/roster/assignments', fields);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.location).toBe(first.location);
    const items = (await api.get(`/assignments?villageId=${uncovered}&cadreId=${member}`)).body.items;
    expect(items).toHaveLength(1);
  });
});

describe('roster lists: filters and pages', () => {
  const big = uid('T');

  beforeAll(async () => {
    expect((await api.post('/townships', { id: big, name: '大河镇' })).status).toBe(201);
    const posts = Array.from({ length: 53 }, (_, i) =>
      api.post('/cadres', {
        id: `${big}-C${String(i).padStart(3, '0')}`,
        name: `干部${i}`,
        unit: i % 2 ? '县教育局' : '县卫健局',
        rank: 'general',
        townshipId: big,
      }),
    );
    for (const res of await Promise.all(posts)) expect(res.status).toBe(201);
  });

  it('filters villages by township and category with a plain GET form, and the export button carries the filters', async () => {
    const res = await hq.get(`/app/admin/roster/villages?townshipId=${township}&category=deep`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('石门村');
    expect(res.text).not.toContain('红旗村');
    const exportForm =
      /<form method="post" action="\/app\/admin\/exports"[\s\S]*?<\/form>/.exec(res.text)?.[0] ?? '';
    expect(exportForm).toContain('name="list" value="villages"');
    expect(exportForm).toContain(`name="townshipId" value="${township}"`);
    expect(exportForm).toContain('name="category" value="deep"');
    expect(res.text).toContain('href="/app/admin/tasks/import"');
  });

  it('pages a cadre list with the API cursor as 下一页 links that keep the filters', async () => {
    const first = await hq.get(`/app/admin/roster/cadres?townshipId=${big}`);
    expect(first.status).toBe(200);
    expect(first.text.match(/<td>干部\d+<\/td>/g)).toHaveLength(50);
    const next = /<a href="([^"]+)" rel="next">下一页/.exec(decode(first.text))?.[1];
    expect(next).toBeDefined();
    expect(next).toContain(`townshipId=${big}`);
    const second = await hq.get(next!);
    expect(second.status).toBe(200);
    expect(second.text.match(/<td>干部\d+<\/td>/g)).toHaveLength(3);
    expect(second.text).toContain('第一页');
    expect(second.text).toContain('已是最后一页');
  });

  it('filters cadres by unit and assignments by role and active', async () => {
    const cadres = await hq.get(
      `/app/admin/roster/cadres?townshipId=${big}&unit=${encodeURIComponent('县教育局')}`,
    );
    expect(cadres.text.match(/<td>县教育局<\/td>/g)).toHaveLength(26);
    expect(cadres.text).not.toContain('<td>县卫健局</td>');
    const chiefs = await hq.get(
      `/app/admin/roster/assignments?townshipId=${township}&role=chief&active=true`,
    );
    expect(chiefs.status).toBe(200);
    expect(chiefs.text).toContain('李明');
    expect(chiefs.text).not.toContain('王芳');
  });

  it('shows a filter the API refuses beside the field instead of an error page', async () => {
    const res = await hq.get(`/app/admin/dispatches?from=${later(5)}&to=${later(1)}`);
    expect(res.status).toBe(200);
    expect(textOf(res.text, { errorFor: 'to' })).toBe('结束日期不能早于开始日期');
  });
});

describe('dispatches', () => {
  const year = beijingDate(new Date()).slice(0, 4);
  let dispatchId = '';

  it('offers the running assignments as checkboxes grouped by township and village', async () => {
    const res = await hq.get('/app/admin/dispatches/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`value="${chief}|${covered}"`);
    expect(res.text).toContain(`value="${chief}|${second}"`);
    expect(res.text).toContain('<legend>青石乡</legend>');
    expect(res.text).toContain('data-select-chiefs');
  });

  it('issues a dispatch to the chosen assignees through the form: numbered 派〔year〕N号, deadline the end of that Beijing day', async () => {
    const deadline = later(7);
    const res = await hq.post('/app/admin/dispatches', [
      ['_key', await freshKey('/app/admin/dispatches/new')],
      ['title', '抗旱保苗专项任务'],
      ['category', '防汛抗旱'],
      ['description', '逐户核实人畜饮水情况，报告缺水户数。'],
      ['deadline', deadline],
      ['assignees', `${chief}|${covered}`],
      ['assignees', `${chief}|${second}`],
    ]);
    expect(res.status).toBe(303);
    const m = /^\/app\/admin\/dispatches\/([^?]+)\?done=created$/.exec(res.location ?? '');
    expect(m).not.toBeNull();
    dispatchId = decodeURIComponent(m![1]!);
    const d = (await api.get(`/dispatches/${dispatchId}`)).body;
    expect(d.number).toMatch(new RegExp(`^派〔${year}〕\\d+号$`));
    expect(d.deadline).toBe(new Date(`${deadline}T23:59:59.999+08:00`).toISOString());
    expect(d.assignees.map((a: any) => `${a.cadreId}|${a.villageId}`).sort()).toEqual(
      [`${chief}|${covered}`, `${chief}|${second}`].sort(),
    );

    const detail = await hq.get(res.location!);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain(`派遣单已下发：${d.number}`);
    expect(detail.text).toContain('柳湾村');
    expect(detail.text).toContain('未开始');
  });

  it('lists it under 进行中 with its progress, and not under 已逾期', async () => {
    const open = await hq.get('/app/admin/dispatches?status=open');
    expect(open.text).toContain('抗旱保苗专项任务');
    expect(open.text).toContain('0 / 2');
    const overdue = await hq.get('/app/admin/dispatches?status=overdue');
    expect(overdue.text).not.toContain('抗旱保苗专项任务');
  });

  it('shows each assignee progress and reports on the detail page', async () => {
    const cadre = await t.as('cadre', chief);
    const report = await cadre.post(`/dispatches/${dispatchId}/reports`, {
      status: 'done',
      villageId: covered,
      note: '已核实 42 户，缺水 3 户已送水。',
    });
    expect(report.status).toBe(201);
    const detail = await hq.get(`/app/admin/dispatches/${dispatchId}`);
    expect(detail.text).toContain('已完成 1 / 2');
    expect(detail.text).toContain('已核实 42 户，缺水 3 户已送水。');
  });

  it('creates one dispatch, one number, for the same _key posted twice', async () => {
    const fields: Array<[string, string]> = [
      ['_key', await freshKey('/app/admin/dispatches/new')],
      ['title', '清理河道淤泥'],
      ['category', '人居环境'],
      ['description', '清理村内河道淤泥。'],
      ['deadline', later(3)],
      ['assignees', `${member}|${uncovered}`],
    ];
    const first = await hq.post('/app/admin/dispatches', fields);
    const second = await hq.post('/app/admin/dispatches', fields);
    expect(first.status).toBe(303);
    expect(second.location).toBe(first.location);
    const mine = (await api.get(`/dispatches?villageId=${uncovered}`)).body.items;
    expect(mine.filter((d: any) => d.title === '清理河道淤泥')).toHaveLength(1);
  });

  it('refuses a dispatch with no assignee or a past deadline, 400, with the API messages beside the fields', async () => {
    const res = await hq.post('/app/admin/dispatches', [
      ['_key', await freshKey('/app/admin/dispatches/new')],
      ['title', '没有派遣对象'],
      ['category', '其他'],
      ['description', '测试'],
      ['deadline', later(-1)],
    ]);
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'assignees' })).toBe('至少指定一名派遣对象');
    const withPair = await hq.post('/app/admin/dispatches', [
      ['_key', keyOf(res.text)],
      ['title', '过期的任务'],
      ['category', '其他'],
      ['description', '测试'],
      ['deadline', later(-1)],
      ['assignees', `${chief}|${covered}`],
    ]);
    expect(withPair.status).toBe(400);
    expect(textOf(withPair.text, { errorFor: 'deadline' })).toBe('截止时间必须晚于当前时间');
    // The ticked box stays ticked.
    expect(withPair.text).toMatch(new RegExp(`value="${chief}\\|${covered}"[^>]*checked`));
    const all = (await api.get(`/dispatches?villageId=${covered}`)).body.items;
    expect(all.some((d: any) => d.title === '过期的任务' || d.title === '没有派遣对象')).toBe(false);
  });
});

describe('direct reports', () => {
  let emergencyId = '';
  let situationId = '';

  beforeAll(async () => {
    const cadre = await t.as('cadre', chief);
    const emergency = await cadre.post('/direct-reports', {
      villageId: covered,
      kind: 'emergency',
      summary: '水库渗漏，下游两户需转移',
      skipLevels: true,
    });
    expect(emergency.status).toBe(201);
    emergencyId = emergency.body.id;
    const situation = await cadre.post('/direct-reports', {
      villageId: second,
      kind: 'situation',
      summary: '春耕种子已到位',
    });
    expect(situation.status).toBe(201);
    situationId = situation.body.id;
  });

  it('lists waiting reports first, highlighted, emergencies above newer ones', async () => {
    const res = await hq.get('/app/admin/direct-reports');
    expect(res.status).toBe(200);
    const html = res.text;
    const waiting = html.slice(html.indexOf('待签收（'), html.indexOf('已签收</h2>'));
    expect(waiting).toContain('row-emergency');
    expect(waiting.indexOf('水库渗漏')).toBeGreaterThan(0);
    expect(waiting.indexOf('水库渗漏')).toBeLessThan(waiting.indexOf('春耕种子已到位'));
    const onlyEmergencies = await hq.get('/app/admin/direct-reports?kind=emergency');
    expect(onlyEmergencies.text).toContain('水库渗漏');
    expect(onlyEmergencies.text).not.toContain('春耕种子已到位');
  });

  it('acknowledges a report with a reply through the form and shows the response time', async () => {
    const detail = await hq.get(`/app/admin/direct-reports/${emergencyId}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('签收直报');
    const res = await hq.post(`/app/admin/direct-reports/${emergencyId}/acknowledge`, {
      _key: keyOf(detail.text),
      note: '已通知乡镇组织转移，水利局今晚到场。',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/admin/direct-reports/${emergencyId}?done=acknowledged`);
    const stored = (await api.get(`/direct-reports/${emergencyId}`)).body;
    expect(stored).toMatchObject({
      status: 'acknowledged',
      acknowledgementNote: '已通知乡镇组织转移，水利局今晚到场。',
    });
    expect(typeof stored.responseMinutes).toBe('number');

    const after = await hq.get(res.location!);
    expect(after.text).toContain('已签收，回复已送达报告人');
    expect(after.text).toContain('响应用时');
    expect(after.text).not.toContain('签收直报</button>');
    const list = await hq.get('/app/admin/direct-reports?status=acknowledged');
    expect(list.text).toContain('水库渗漏');
    expect(list.text).not.toContain('春耕种子已到位');
  });

  it('refuses acknowledging twice with the API message', async () => {
    const detail = await hq.get(`/app/admin/direct-reports/${situationId}`);
    const key = keyOf(detail.text);
    expect(
      (await hq.post(`/app/admin/direct-reports/${situationId}/acknowledge`, { _key: key, note: '' })).status,
    ).toBe(303);
    const again = await hq.post(`/app/admin/direct-reports/${situationId}/acknowledge`, {
      _key: `${key}-2`,
      note: '',
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain('该直报已');
  });
});

describe('the admin home', () => {
  it('shows the figures with links to the lists behind them', async () => {
    const res = await hq.get('/app/admin');
    expect(res.status).toBe(200);
    for (const href of [
      '/app/admin/roster',
      '/app/admin/dispatches?status=open',
      '/app/admin/dispatches?status=overdue',
      '/app/admin/direct-reports?status=new',
      '/app/admin/dispatches/new',
    ]) {
      expect(res.text).toContain(`href="${href}"`);
    }
    expect(res.text).toMatch(
      /<span class="figure-value">\d+<\/span><span class="figure-label">个村没有总队长/,
    );
    expect(res.text).toContain('还没有周通报');
  });
});

describe('who may open HQ pages', () => {
  it.each([
    ['inspector', 'inspector-x'],
    ['cadre', chief],
  ] as const)('answers 403 to a %s session on every HQ page and writes nothing', async (role, sub) => {
    const other = await signInPages(t.url, sub, role);
    for (const path of [
      '/app/admin',
      '/app/admin/roster',
      '/app/admin/roster/villages/new',
      '/app/admin/dispatches',
      '/app/admin/dispatches/new',
      '/app/admin/direct-reports',
    ]) {
      expect((await other.get(path)).status, path).toBe(403);
    }
    const id = uid('T');
    const res = await other.post('/app/admin/roster/townships', { _key: uid('k-'), id, name: '越权乡' });
    expect(res.status).toBe(403);
    expect((await api.get(`/townships/${id}`)).status).toBe(404);
  });
});
