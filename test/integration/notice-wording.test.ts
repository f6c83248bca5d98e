import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStore } from '../../functions/adapters/documents/store.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { getNotice, type NoticeRecord } from '../../functions/adapters/dynamo/notices.ts';
import { getRuleSet } from '../../functions/adapters/dynamo/rule-sets.ts';
import { putItem } from '../../functions/adapters/dynamo/table.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { DEFAULT_RULE_SET, weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { recordTimeNoticeId, renderWeekDocuments } from '../../functions/jobs/render-week-documents.ts';
import { deliverWeek } from '../../functions/jobs/weekly-bulletin.ts';
import { createAll, createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { startSmtp, type TestSmtp } from '../support/mail.ts';
import { type PageClient, signInPages } from '../support/pages.ts';
import {
  FIXTURE_NAMES,
  fixtureEvaluation,
  fixtureIds,
  ISSUE_TIME,
  storedFixture,
} from '../support/week-fixture.ts';

/**
 * What a 督查室 signs: every number a rule set decides is that rule set's (a changed yellow window
 * and false-rectification weight show up in the rectification notice, the bulletin, its email and the
 * board), bulletins are numbered by issue and dated in Chinese (never an ISO week code), the
 * rectification notice is issued when a problem is recorded, and the weekly batch neither repeats it
 * nor issues one whose deadline has passed.
 */
let smtp: TestSmtp;
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let hq: PageClient;
let changed: number;

const today = beijingDate(new Date());
const thisMonday = weekBounds(isoWeekOf(today)).monday;
const nextMonday = addDays(thisMonday, 7);
const lastWeek = isoWeekOf(addDays(thisMonday, -3));
const nextWeek = isoWeekOf(nextMonday);
/** 08:00 Beijing on the Monday after next week: when the weekly job would judge next week. */
const afterNextWeek = new Date(`${addDays(nextMonday, 7)}T08:00:00+08:00`);
const recipient = `county-${uid('m')}@example.cn`.toLowerCase();
const ISO_WEEK = /\d{4}-W\d{2}/;
const CHINESE_DATE = /\d{4}年\d{1,2}月\d{1,2}日/;

const ISSUER = {
  countyName: '青岚县',
  issuingBody: '中共青岚县委脱贫攻坚指挥部督查室',
  agencyCode: '青脱指',
  cc: '县委办公室，县政府办公室',
  signerTitle: '指挥长',
  rulesDocumentName: '青岚县干部包村工作督查问责办法',
};

const htmlOf = async (record: NoticeRecord) =>
  (await documentStore().get(record.files.html))!.body.toString('utf8');

beforeAll(async () => {
  smtp = await startSmtp();
  process.env.SMTP_URL = smtp.url;
  delete process.env.MAIL_TRANSPORT;
  resetMailConfig();
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  const saved = await admin.send('PUT', '/settings/issuer', JSON.stringify(ISSUER), {
    'content-type': 'application/json',
    'if-match': '"0"',
  });
  expect(saved.status).toBe(200);
  expect(
    (await admin.post('/recipients', { name: '李县长', email: recipient, scope: 'county' })).status,
  ).toBe(201);
  // A changed rule set from next Monday: a five-day yellow window, false rectifications counted thrice.
  const { version: _v, ...rules } = structuredClone(DEFAULT_RULE_SET);
  const published = await admin.post('/rules', {
    ...rules,
    colors: { ...rules.colors, yellowWithinDays: 5 },
    falseRectificationWeight: 3,
    effectiveFrom: nextMonday,
    note: '黄色预警改为5日，虚假整改按3个问题计',
  });
  expect(published.status).toBe(201);
  changed = published.body.version;
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
  delete process.env.SMTP_URL;
  resetMailConfig();
});

describe('the rectification notice at record time', () => {
  let roster: Awaited<ReturnType<typeof createRoster>>;
  let problemId: string;

  it('is issued when the problem is recorded, numbered with the 机关代字, its deadline still ahead', async () => {
    roster = await createRoster(admin, { cadres: 1, category: 'deep' });
    const res = await inspector.post('/inspections', {
      villageId: roster.villageId,
      date: addDays(thisMonday, -3),
      mode: 'open',
      findings: [
        {
          cadreId: roster.cadreIds[0],
          present: true,
          problems: [{ description: '扶贫项目台账未更新', severity: 'minor' }],
        },
      ],
    });
    expect(res.status).toBe(201);
    const problem = res.body.findings[0].problems[0];
    problemId = problem.id;
    const notice = await getNotice(recordTimeNoticeId(res.body.id, roster.cadreIds[0]!));
    expect(notice?.number).toMatch(/^青脱指改〔\d{4}〕\d+号$/);
    expect(beijingDate(new Date(notice!.createdAt))).toBe(today);
    expect(problem.rectifyBy > today).toBe(true);
    const html = await htmlOf(notice!);
    expect(html).toContain(ISSUER.issuingBody);
    expect(html).not.toMatch(ISO_WEEK);
  });

  it('is not issued a second time by the weekly batch of the week the problem was found in', async () => {
    const stored = await evaluateAndStoreWeek(lastWeek, { now: new Date() });
    // The problem is one of the week's new ones, and its deadline is ahead: only its notice holds it back.
    const row = stored.evaluation.problems.find((p) => p.problemId === problemId);
    expect(row).toMatchObject({ isNew: true });
    expect(row!.rectifyBy >= today).toBe(true);
    const out = await renderWeekDocuments(stored, { now: new Date(), pdf: null, talkNotices: false });
    expect(
      out.notices.filter((n) => n.kind === 'rectificationNotice' && n.cadreId === roster.cadreIds[0]),
    ).toEqual([]);
    const listed = await admin.get(`/notices?cadreId=${roster.cadreIds[0]}&limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.filter((n: { kind: string }) => n.kind === 'rectificationNotice')).toHaveLength(
      1,
    );
  });
});

describe('the weekly batch', () => {
  const ids = fixtureIds(uid('NW'));

  it("prints the changed rule set's weight, and issues no notice whose deadline has passed", async () => {
    await createAll(admin, [
      ['/townships', { id: ids.township, name: '东风镇' }],
      ['/villages', { id: ids.village, name: '红旗村', townshipId: ids.township, category: 'deep' }],
      ...Object.entries(FIXTURE_NAMES).map(([key, name]): [string, unknown] => [
        '/cadres',
        { id: ids[key as keyof typeof FIXTURE_NAMES], name, unit: '县水务局', rank: 'section' },
      ]),
    ]);
    // A week judged by the changed rules; 王五's only problem was due before the batch runs (23 Nov).
    const evaluation = fixtureEvaluation(ids);
    const week = {
      ...evaluation,
      ruleSetVersion: changed,
      problems: evaluation.problems.map((p) => ({
        ...p,
        rectifyBy: p.cadreId === ids.light ? '2026-11-20' : '2026-11-30',
      })),
    };
    const out = await renderWeekDocuments(storedFixture(1, week), {
      now: ISSUE_TIME,
      pdf: null,
      talkNotices: false,
    });
    const rectifications = out.notices.filter((n) => n.kind === 'rectificationNotice');
    expect(rectifications.map((n) => n.cadreId).sort()).toEqual([ids.evil, ids.heavy].sort());
    for (const n of rectifications) expect(n.number).toMatch(/^青脱指改〔2026〕\d+号$/);
    const html = await htmlOf(rectifications[0]!);
    expect(html).toContain('每个问题按3个问题计');
    expect(html).toContain(`根据《${ISSUER.rulesDocumentName}》第`);
    expect(html).not.toContain('每个问题按2个问题计');
    expect(await htmlOf(out.bulletin)).toContain('未完成且5日内到期');
  });
});

describe('a week judged by the changed rules', () => {
  it('shows the new yellow window on the board once the changed rule set is in force', async () => {
    // A week on, the rule set published for next Monday is in force. POST /rules takes only a Monday
    // not yet begun, so the test moves its start back to this Monday in the store, as time would.
    const published = await getRuleSet(changed);
    await putItem({ ...keys.ruleSet(changed), entity: 'ruleSet', ...published!, effectiveFrom: thisMonday });
    const current = await evaluateAndStoreWeek(isoWeekOf(today), { now: new Date() });
    expect(current.ruleSetVersion).toBe(changed);
    const board = await hq.get('/app/admin/board');
    expect(board.status).toBe(200);
    expect(board.text).toContain('5 日内到期，或已按期整改待复核');
    expect(board.text).not.toContain('3 日内到期');
  });

  it('numbers the bulletin by issue and dates it in Chinese in its title, file name and email subject', async () => {
    const stored = await evaluateAndStoreWeek(nextWeek, { now: afterNextWeek });
    expect(stored.ruleSetVersion).toBe(changed);
    const out = await renderWeekDocuments(stored, { now: afterNextWeek, pdf: null, talkNotices: false });
    const bulletin = out.bulletin;
    expect(bulletin.number).toMatch(/^\d{4}年第\d+期$/);
    expect(bulletin.title).toContain(bulletin.number);
    expect(bulletin.title).toMatch(CHINESE_DATE);
    expect(bulletin.fileName).toContain(bulletin.number);
    expect(bulletin.fileName).toMatch(CHINESE_DATE);
    expect(bulletin.title).not.toMatch(ISO_WEEK);
    expect(bulletin.fileName).not.toMatch(ISO_WEEK);
    const html = await htmlOf(bulletin);
    expect(html).toContain('未完成且5日内到期');
    expect(html).not.toContain('3日内到期');
    expect(html).toContain(ISSUER.issuingBody);

    const sent = await deliverWeek(stored, out, { now: afterNextWeek, sms: null, talks: false });
    expect(sent.bulletinEmails).toMatchObject({ recipients: 1, sent: 1 });
    const [mail] = smtp.to(recipient);
    expect(mail!.subject).toContain(bulletin.number);
    expect(mail!.subject).toMatch(CHINESE_DATE);
    expect(mail!.subject).not.toMatch(ISO_WEEK);
    expect(mail!.text).toContain('黄色事项（5日内到期）');
    expect(mail!.html).toContain('黄色事项（5日内到期）');
    expect(mail!.text).not.toMatch(ISO_WEEK);
    expect(mail!.text).toContain(ISSUER.issuingBody);
    expect(mail!.headers.from).toContain(ISSUER.issuingBody);
  });

  it('prints on the bulletin page the numbers of the rule set each week was judged by', async () => {
    const page = await hq.get(`/app/admin/bulletins/${nextWeek}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('未完成且 5 日内到期');
    const earlier = await hq.get(`/app/admin/bulletins/${lastWeek}`);
    expect(earlier.status).toBe(200);
    expect(earlier.text).toContain('未完成且 3 日内到期');
  });
});
