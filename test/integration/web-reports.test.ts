import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDefaultPdfRenderer } from '../../functions/adapters/documents/chromium.ts';
import { addDays, beijingDate, isoWeekOf, isoWeekRange } from '../../functions/core/time.ts';
import { weekDates, weekWords } from '../../functions/core/week-words.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ's report pages over real HTTP on the local stack: a small county set up through the JSON API,
 * last week evaluated by the weekly job (POST /jobs/weekly-bulletin, documents and PDFs included),
 * then the board, the circle, the bulletins with their charts and the documents list, signed in as
 * an admin with a session cookie the way a browser is.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const currentWeek = isoWeekOf(today);
const { monday, sunday } = isoWeekRange(lastWeek);
const weekLabel = weekWords;

const base = uid('T');
const ids = {
  // Listed in id order: east before west.
  east: `${base}a`,
  west: `${base}b`,
  stone: uid('V'),
  water: uid('V'),
  /** Three open problems carried into last week: reminder talk, into the circle. */
  red: uid('C'),
  /** Commended last week. */
  good: uid('C'),
  /** One severe problem found last week, due after it: red for its severity, self-criticism. */
  severe: uid('C'),
};
const problemIds: Record<string, string> = {};

async function pagesAs(sub: string, role: 'admin' | 'inspector' | 'cadre') {
  const res = await fetch(`${t.url}/local/token`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ sub, role }).toString(),
  });
  const cookie = /bc_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${sub} failed (${res.status})`);
  return async (path: string) => {
    const r = await fetch(`${t.url}${path}`, { redirect: 'manual', headers: { cookie } });
    const body = Buffer.from(await r.arrayBuffer());
    return { status: r.status, headers: r.headers, body, text: body.toString('utf8') };
  };
}
let page: Awaited<ReturnType<typeof pagesAs>>;
let beforeEvaluation: Array<{ path: string; status: number; text: string }> = [];

/** The markup of the `<section … aria-labelledby="…">` a heading names. */
function section(html: string, labelledBy: string): string {
  const at = html.search(new RegExp(`<section[^>]* aria-labelledby="${labelledBy}"`));
  if (at < 0) return '';
  return html.slice(at, html.indexOf('</section>', at));
}

/** One inline SVG chart of a page, by its data-chart name. */
function chart(html: string, name: string): string {
  const start = html.indexOf(`data-chart="${name}"`);
  if (start < 0) return '';
  return html.slice(html.lastIndexOf('<svg', start), html.indexOf('</svg>', start));
}

function bars(svg: string) {
  return [
    ...svg.matchAll(/<rect [^>]*data-series="([^"]+)" data-category="([^"]*)" data-value="([^"]*)"/g),
  ].map((m) => ({ series: m[1], category: m[2], value: Number(m[3]) }));
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  // Today's behaviour as before talks were decisions: the county setting "approval needed" off, so
  // the weekly job approves and sends the talk notices at once (talks themselves: talks.test.ts).
  expect(
    (
      await admin.send(
        'PUT',
        '/settings/talks',
        JSON.stringify({ approvalRequired: false, holdWithinDays: 7 }),
        {
          'content-type': 'application/json',
        },
      )
    ).status,
  ).toBe(200);
  inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: ids.east, name: '东山乡' }],
    ['/townships', { id: ids.west, name: '西河镇' }],
    ['/villages', { id: ids.stone, name: '青石村', townshipId: ids.east, category: 'deep' }],
    ['/villages', { id: ids.water, name: '白水村', townshipId: ids.west, category: 'general' }],
    ['/cadres', { id: ids.red, name: '赵红', unit: '县水务局', rank: 'section', townshipId: ids.east }],
    ['/cadres', { id: ids.good, name: '钱绿', unit: '县农业农村局', rank: 'staff', townshipId: ids.west }],
    ['/cadres', { id: ids.severe, name: '孙严', unit: '县交通局', rank: 'staff', townshipId: ids.west }],
    ['/assignments', { cadreId: ids.red, villageId: ids.stone, role: 'chief' }],
    ['/assignments', { cadreId: ids.good, villageId: ids.water, role: 'chief' }],
    ['/assignments', { cadreId: ids.severe, villageId: ids.water, role: 'member' }],
  ];
  for (const [path, body] of setup) expect((await admin.post(path, body)).status, path).toBe(201);

  // The week before last: three problems, one already overdue by last Sunday, one due two days after.
  const before = await inspector.post('/inspections', {
    villageId: ids.stone,
    date: addDays(monday, -7),
    mode: 'open',
    findings: [
      {
        cadreId: ids.red,
        present: true,
        problems: [
          { description: '水窖未清淤', severity: 'minor', rectifyBy: addDays(monday, 1) },
          { description: '台账不全', severity: 'minor', rectifyBy: addDays(sunday, 2) },
          { description: '公示栏破损', severity: 'minor', rectifyBy: addDays(sunday, 10) },
        ],
      },
    ],
  });
  expect(before.status).toBe(201);
  [problemIds.overdue, problemIds.dueSoon, problemIds.onTrack] = before.body.problemIds;

  // Last week: a commendation and a severe problem with time left.
  const during = await inspector.post('/inspections', {
    villageId: ids.water,
    date: addDays(monday, 2),
    mode: 'covert',
    findings: [
      { cadreId: ids.good, present: true, commend: true, problems: [] },
      {
        cadreId: ids.severe,
        present: true,
        problems: [{ description: '路面塌陷未设警示', severity: 'severe', rectifyBy: addDays(sunday, 5) }],
      },
    ],
  });
  expect(during.status).toBe(201);
  [problemIds.severe] = during.body.problemIds;

  page = await pagesAs('hq-admin', 'admin');
  beforeEvaluation = await Promise.all(
    ['/app/admin/board', '/app/admin/circle', '/app/admin/bulletins', '/app/admin/notices'].map(
      async (path) => {
        const res = await page(path);
        return { path, status: res.status, text: res.text };
      },
    ),
  );

  // The weekly job over HTTP: evaluation, bulletin, talk and rectification notices (PDFs), emails.
  const run = await runJobNow(admin, 'weekly-bulletin', { week: lastWeek });
  expect(run).toMatchObject({ status: 'succeeded', week: lastWeek });
}, 180_000);

afterAll(async () => {
  await closeDefaultPdfRenderer();
  await t?.stop();
});

describe('who may open the report pages', () => {
  const paths = () => [
    '/app/admin/board',
    '/app/admin/circle',
    '/app/admin/bulletins',
    `/app/admin/bulletins/${lastWeek}`,
    '/app/admin/notices',
    '/app/admin/notices/x/download?format=pdf',
  ];

  it.each(['inspector', 'cadre'] as const)('refuses a signed-in %s with 403 on every page', async (role) => {
    const as = await pagesAs(role === 'cadre' ? ids.red : 'inspector-1', role);
    for (const path of paths()) {
      const res = await as(path);
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('无权访问');
    }
  });

  it('sends a visitor without a session to sign in', async () => {
    const res = await fetch(`${t.url}/app/admin/board`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/login?next=%2Fapp%2Fadmin%2Fboard');
  });
});

describe('before any week is evaluated', () => {
  it('each report page says there is nothing yet instead of failing', () => {
    expect(beforeEvaluation.map((p) => [p.path, p.status])).toEqual([
      ['/app/admin/board', 200],
      ['/app/admin/circle', 200],
      ['/app/admin/bulletins', 200],
      ['/app/admin/notices', 200],
    ]);
    const [board, circle, bulletins, notices] = beforeEvaluation.map((p) => p.text) as [
      string,
      string,
      string,
      string,
    ];
    expect(board).toContain('还没有评定过的周，暂无三色清单');
    expect(circle).toContain('还没有评定过的周');
    expect(bulletins).toContain('还没有评定过的周');
    // Rectification notices are issued when an inspection is recorded (issue 13), before any week is
    // evaluated: the documents page lists them already.
    expect(notices).not.toContain('还没有生成任何文书');
    expect(notices).toContain('整改通知书');
  });
});

describe('the red/yellow/green board', () => {
  it('uses the finished week when the current week has no provisional evaluation, and says so', async () => {
    const res = await page('/app/admin/board');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`${weekLabel(lastWeek)}正式评定`);
    expect(res.text).toContain(`${weekLabel(currentWeek)}（本周）的暂定评定尚未生成`);
  });

  it('lists the red overdue problem above the yellow one, with reason, days, cadre, village and township', async () => {
    const { text } = await page('/app/admin/board');
    const red = section(text, 'h-red');
    const yellow = section(text, 'h-yellow');
    expect(red).toContain('水窖未清淤');
    expect(red).toContain('已逾期');
    expect(red).toContain('逾期 5 天');
    expect(red).toMatch(/赵红[\s\S]*青石村[\s\S]*东山乡/);
    expect(yellow).toContain('台账不全');
    expect(yellow).toContain('临近期限');
    expect(yellow).toContain('剩 2 天');
    expect(text.indexOf('水窖未清淤')).toBeLessThan(text.indexOf('台账不全'));
    // Red for its severity, after the overdue one; the one with time left is in neither list.
    expect(red).toContain('路面塌陷未设警示');
    expect(red).toContain('问题严重');
    expect(red.indexOf('水窖未清淤')).toBeLessThan(red.indexOf('路面塌陷未设警示'));
    expect(red + yellow).not.toContain('公示栏破损');
    expect(section(text, 'h-ontrack')).toContain('公示栏破损');
  });

  it('colours each village by its open matters and names the matters that made it red', async () => {
    const { text } = await page('/app/admin/board');
    const villages = section(text, 'h-villages');
    const row = (id: string) =>
      new RegExp(`<tr[^>]*data-village="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(villages);
    // 青石村: an overdue problem (red) beside a yellow one; 白水村: a severe problem, red while open.
    expect(row(ids.stone)?.[0]).toContain('data-color="red"');
    expect(row(ids.stone)?.[1]).toContain('“水窖未清淤”已逾期 5 天');
    expect(row(ids.stone)?.[1]).not.toContain('临近期限');
    expect(row(ids.water)?.[0]).toContain('data-color="red"');
    expect(row(ids.water)?.[1]).toContain('“路面塌陷未设警示”问题严重');
    // No evaluation the week before: nothing to compare with.
    expect(row(ids.stone)?.[1]).toContain('上周无评定');
  });

  it('counts each colour per township', async () => {
    const { text } = await page('/app/admin/board');
    const row = (name: string) =>
      [...(new RegExp(`${name}</a></th>([\\s\\S]*?)</tr>`).exec(text)?.[1] ?? '').matchAll(/>(\d+)</g)].map(
        (m) => Number(m[1]),
      );
    // red, yellow, on track, open in all, green
    expect(row('东山乡')).toEqual([1, 1, 1, 3, 0]);
    expect(row('西河镇')).toEqual([1, 0, 0, 1, 0]);
  });

  it('filters by township and carries the filter to the export button', async () => {
    const { text } = await page(`/app/admin/board?townshipId=${ids.west}`);
    expect(text).toContain('路面塌陷未设警示');
    expect(text).not.toContain('水窖未清淤');
    expect(text).toMatch(new RegExp(`<option value="${ids.west}" selected>西河镇</option>`));
    expect(text).toContain('<input type="hidden" name="list" value="board">');
    expect(text).toContain(`<input type="hidden" name="townshipId" value="${ids.west}">`);
  });

  it('says what is wrong with a malformed filter beside the field and shows every township', async () => {
    const { status, text } = await page('/app/admin/board?townshipId=%3Cx%3E');
    expect(status).toBe(200);
    expect(text).toMatch(/data-error-for="townshipId"[^>]*>只能包含字母/);
    expect(text).toContain('水窖未清淤');
  });
});

describe('the circle', () => {
  it('shows who entered last week, with the tier, since when and the explanation', async () => {
    const evaluation = (await admin.get(`/bulletins/${lastWeek}`)).body;
    const cadre = evaluation.cadres.find((c: { cadreId: string }) => c.cadreId === ids.red);
    expect(cadre).toMatchObject({ tier: 'reminderTalk', circle: { movement: 'entered', weeks: 1 } });

    const { status, text } = await page('/app/admin/circle');
    expect(status).toBe(200);
    expect(text).toContain(`进退严圈 · ${weekLabel(lastWeek)}`);
    const entered = section(text, 'h-entered');
    expect(entered).toContain('本周进圈（1）');
    expect(entered).toContain('赵红');
    expect(entered).toContain('提醒谈话');
    expect(entered).toContain(escapeHtml(cadre.explanation));
    expect(text).toContain(`自${weekLabel(lastWeek)}`);
    expect(section(text, 'h-exited')).toContain('本周出圈（0）');
    // Reminder talk for one week: not a remedial-training candidate yet.
    expect(section(text, 'h-training')).toContain('（0）');
  });

  it('offers the evaluated weeks and explains a week that does not exist', async () => {
    const { text } = await page('/app/admin/circle?week=2025-W53');
    expect(text).toMatch(new RegExp(`<option value="${lastWeek}" selected>`));
    expect(text).toMatch(/data-error-for="week"[^>]*>该年没有这一周/);
  });

  it('answers 404 for a week not evaluated', async () => {
    const res = await page('/app/admin/circle?week=2020-W10');
    expect(res.status).toBe(404);
    expect(res.text).toContain('尚未评定');
  });
});

describe('the bulletins', () => {
  it('lists the evaluated weeks newest first, linking to each', async () => {
    const { status, text } = await page('/app/admin/bulletins');
    expect(status).toBe(200);
    expect(text).toContain(`href="/app/admin/bulletins/${lastWeek}"`);
    expect(text).toContain('第1版');
  });

  it('shows the week with figures, tiers with names, circle movement and downloads', async () => {
    const { status, text } = await page(`/app/admin/bulletins/${lastWeek}`);
    expect(status).toBe(200);
    expect(section(text, 'h-tier-reminderTalk')).toContain('赵红');
    expect(section(text, 'h-tier-commended')).toContain('钱绿');
    expect(section(text, 'h-tier-selfCriticism')).toContain('孙严');
    expect(section(text, 'h-c-entered')).toContain('赵红');
    expect(text).toMatch(
      /href="\/app\/admin\/notices\/[^"]+\/download\?format(?:=|&#x3D;)pdf" download>下载 PDF/,
    );
    expect(text).toContain('提醒谈话通知书（赵红）');
  });

  it('draws the problems-by-township chart with one bar per township and series, at the right counts', async () => {
    const { text } = await page(`/app/admin/bulletins/${lastWeek}`);
    const svg = chart(text, 'chart-problems');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('data-bars="4"');
    expect(bars(svg)).toEqual([
      { series: 'new', category: '东山乡', value: 0 },
      { series: 'open', category: '东山乡', value: 3 },
      { series: 'new', category: '西河镇', value: 1 },
      { series: 'open', category: '西河镇', value: 1 },
    ]);
    // The text alternative: a caption and a data table with the same figures.
    expect(text).toContain('<figcaption id="chart-problems-caption"');
    expect(text).toMatch(/<th scope="row">东山乡<\/th><td class="num">0<\/td><td class="num">3<\/td>/);
  });

  it('draws tiers over the evaluated weeks (one so far: a marker per tier), and no resolution chart without data', async () => {
    const { text } = await page(`/app/admin/bulletins/${lastWeek}`);
    const tiers = chart(text, 'chart-tiers');
    expect(tiers).toContain('data-markers="4"');
    expect(
      [...tiers.matchAll(/data-series="(\w+)" data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
    ).toEqual([
      ['commended', 1],
      ['selfCriticism', 1],
      ['reminderTalk', 1],
      ['admonishmentTalk', 0],
    ]);
    // Nothing was verified last week: no chart, a sentence, and the table says "无" for each.
    expect(chart(text, 'chart-resolution')).toBe('');
    expect(text).toContain('本周和上周都没有复核销号的问题，暂无整改用时。');
    expect(text).toMatch(/<th scope="row">全县<\/th><td class="num">无<\/td><td class="num">无<\/td>/);
  });

  it('answers 404 for a week that has not been evaluated', async () => {
    const res = await page('/app/admin/bulletins/2020-W10');
    expect(res.status).toBe(404);
    expect(res.text).toContain('尚未评定');
  });
});

describe('the documents list and downloads', () => {
  it('lists the week’s documents with filters, downloads through the page and the export button', async () => {
    const { status, text } = await page(`/app/admin/notices?kind=talkNotice&week=${lastWeek}`);
    expect(status).toBe(200);
    expect(text).toContain('提醒谈话通知书（赵红）');
    expect(text).not.toContain('整改通知书（孙严）');
    expect(text).toContain('<input type="hidden" name="list" value="notices">');
    expect(text).toContain('<input type="hidden" name="kind" value="talkNotice">');
    expect(text).toContain(`<input type="hidden" name="week" value="${lastWeek}">`);
    expect(text).toMatch(/href="\/app\/admin\/notices\/[^"]+\/download\?format(?:=|&#x3D;)pdf"/);
  });

  it('says so when a page cursor is stale or damaged, instead of failing', async () => {
    const { status, text } = await page('/app/admin/notices?kind=talkNotice&next=%21%21');
    expect(status).toBe(200);
    expect(text).toMatch(/<p class="banner banner-error" role="alert">[^<]+<\/p>/);
    expect(text).not.toContain('data-notice=');
  });

  it('says which filter is wrong', async () => {
    const { text } = await page('/app/admin/notices?kind=memo');
    expect(text).toMatch(/data-error-for="kind"[^>]*>请从列表中选择文书类别/);
  });

  it.each([
    ['pdf', 'application/pdf', '%PDF-'],
    ['html', 'text/html; charset=utf-8', '<!doctype html'],
  ])('relays the %s file with its Chinese file name', async (format, type, start) => {
    const list = await admin.get(`/notices?kind=talkNotice&week=${lastWeek}`);
    const notice = list.body.items.find((n: { cadreId: string }) => n.cadreId === ids.red);
    expect(notice.fileName).toBe(`提醒谈话通知书-赵红-${weekDates(lastWeek)}`);
    const res = await page(`/app/admin/notices/${notice.id}/download?format=${format}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.body.subarray(0, start.length).toString('latin1').toLowerCase()).toBe(start.toLowerCase());
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '')).toBe(
      `提醒谈话通知书-赵红-${weekDates(lastWeek)}.${format}`,
    );
    if (format === 'html') expect(res.text).toContain('赵红');
  });

  it('answers 404 for a document that does not exist', async () => {
    const res = await page('/app/admin/notices/nope/download?format=pdf');
    expect(res.status).toBe(404);
  });
});

describe('after the evaluation', () => {
  it('takes the current week’s provisional evaluation once there is one, dispatch rows included', async () => {
    const dispatch = await admin.post('/dispatches', {
      title: '饮水安全排查',
      category: '饮水安全',
      description: '逐户排查。',
      deadline: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      assignees: [{ cadreId: ids.red, villageId: ids.stone }],
    });
    expect(dispatch.status).toBe(201);
    // The cadre rectifies the on-track problem and the inspector accepts it this week.
    const cadre = await t.as('cadre', ids.red);
    expect(
      (await cadre.post(`/problems/${problemIds.onTrack}/rectifications`, { note: '已更换' })).status,
    ).toBe(201);
    expect(
      (
        await inspector.post(`/problems/${problemIds.onTrack}/verifications`, {
          outcome: 'accepted',
          note: '属实',
        })
      ).status,
    ).toBe(201);
    await evaluateAndStoreWeek(currentWeek, { now: new Date() });

    const { text } = await page('/app/admin/board');
    expect(text).toContain(`${weekLabel(currentWeek)}（本周）暂定评定`);
    expect(text).toContain('饮水安全排查');
    expect(text).toContain('派遣任务');

    // The provisional week's bulletin page: last week's open problems, this week's verified one timed.
    const week = await page(`/app/admin/bulletins/${currentWeek}`);
    expect(week.text).toContain('暂定');
    const resolution = chart(week.text, 'chart-resolution');
    expect(bars(resolution).map((b) => [b.series, b.category])).toEqual([
      ['current', '全县'],
      ['current', '东山乡'],
    ]);
    expect(bars(resolution)[0]!.value).toBeGreaterThan(7);
  });

  it('marks a revision in the list once a late record changes a finished week', async () => {
    const late = await inspector.post('/inspections', {
      villageId: ids.water,
      date: addDays(monday, 4),
      mode: 'spot',
      findings: [{ cadreId: ids.good, present: false, problems: [] }],
    });
    expect(late.status).toBe(201);
    const stored = await evaluateAndStoreWeek(lastWeek, { now: new Date() });
    expect(stored).toMatchObject({ revision: 2, revised: true });

    const list = await page('/app/admin/bulletins');
    expect(list.text).toContain('修订2');
    const latest = await page(`/app/admin/bulletins/${lastWeek}`);
    expect(latest.text).toContain('第 2 次评定');
    const first = await page(`/app/admin/bulletins/${lastWeek}?revision=1`);
    expect(first.text).toContain('正在查看第 1 次评定');
    expect(section(first.text, 'h-tier-commended')).toContain('钱绿');
  });
});
