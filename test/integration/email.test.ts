import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStore } from '../../functions/adapters/documents/store.ts';
import { listDeliveries, mailLedger } from '../../functions/adapters/dynamo/mail-ledger.ts';
import type { NoticeRecord } from '../../functions/adapters/dynamo/notices.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { createMailer } from '../../functions/adapters/mail/mailer.ts';
import { mailTransport } from '../../functions/adapters/mail/transport.ts';
import type { WeeklyEvaluation } from '../../functions/core/rules/evaluation.ts';
import { deliverWeek } from '../../functions/jobs/weekly-bulletin.ts';
import type { StoredEvaluation } from '../../functions/schemas/bulletins.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { startSmtp, type TestSmtp } from '../support/mail.ts';

/**
 * Bulletin and cadre emails through a real SMTP server: the delivery half of the weekly job
 * (deliverWeek) fed a hand-built evaluation and notice records, so it is tested on its own.
 */
let smtp: TestSmtp;
let t: TestStack;
let admin: Caller;
const tid = uid('T');
const county = `county-${uid('m')}@example.cn`.toLowerCase();
const townshipReader = `tshp-${uid('m')}@example.cn`.toLowerCase();
const inactive = `off-${uid('m')}@example.cn`.toLowerCase();
const talkCadre = uid('C');
const problemCadre = uid('C');
const silentCadre = uid('C');
const talkMail = `${talkCadre}@example.cn`.toLowerCase();
const problemMail = `${problemCadre}@example.cn`.toLowerCase();

beforeAll(async () => {
  smtp = await startSmtp();
  process.env.SMTP_URL = smtp.url;
  delete process.env.MAIL_TRANSPORT;
  process.env.PUBLIC_BASE_URL = 'https://baocun.example.cn/api';
  resetMailConfig();
  t = await startTestStack();
  admin = await t.as('admin');
  expect((await admin.post('/townships', { id: tid, name: '桶井乡' })).status).toBe(201);
  for (const [id, name, email] of [
    [talkCadre, '<script>alert(1)</script>', talkMail],
    [problemCadre, '杨强', problemMail],
    [silentCadre, '王五', undefined],
  ] as const) {
    const res = await admin.post('/cadres', {
      id,
      name,
      unit: '县教育局',
      rank: '科级',
      townshipId: tid,
      ...(email ? { email } : {}),
    });
    expect(res.status).toBe(201);
  }
  for (const body of [
    { name: '李县长', title: '副县长', email: county, scope: 'county' },
    { name: '乡党委书记', email: townshipReader, scope: 'township', townshipId: tid },
    { name: '已停用', email: inactive, scope: 'county', active: false },
  ]) {
    expect((await admin.post('/recipients', body)).status).toBe(201);
  }
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
  delete process.env.SMTP_URL;
  delete process.env.PUBLIC_BASE_URL;
  resetMailConfig();
});

function evaluation(week: string): WeeklyEvaluation {
  const cadre = (cadreId: string, tier: string) => ({
    cadreId,
    tier,
    townshipId: tid,
    explanation: `未整改问题折算 3 个。`,
  });
  return {
    week,
    monday: '2026-09-28',
    sunday: '2026-10-04',
    asOf: '2026-10-04T15:59:59.999Z',
    provisional: false,
    ruleSetVersion: 1,
    cadres: [
      cadre(talkCadre, 'reminderTalk'),
      cadre(problemCadre, 'selfCriticism'),
      cadre(silentCadre, 'selfCriticism'),
    ],
    tiers: {
      commended: [],
      selfCriticism: [problemCadre, silentCadre],
      reminderTalk: [talkCadre],
      admonishmentTalk: [],
    },
    circle: { members: [talkCadre], entered: [talkCadre], stayed: [], deepened: [], exited: [] },
    remedialTraining: [talkCadre],
    talkNotices: [{ cadreId: talkCadre, tier: 'reminderTalk' }],
    problems: [
      { problemId: 'P-1', cadreId: problemCadre, severity: 'major', rectifyBy: '2026-10-09', isNew: true },
      { problemId: 'P-2', cadreId: problemCadre, severity: 'minor', rectifyBy: '2026-10-16', isNew: true },
      { problemId: 'P-3', cadreId: silentCadre, severity: 'minor', rectifyBy: '2026-10-16', isNew: true },
      { problemId: 'P-0', cadreId: talkCadre, severity: 'minor', rectifyBy: '2026-09-20', isNew: false },
    ],
    absences: [],
    dispatches: [],
    overdueDispatches: [],
    colors: {
      problems: { red: 1, yellow: 2, green: 0 },
      dispatches: { red: 0, yellow: 0, green: 0 },
      total: { red: 1, yellow: 2, green: 0 },
    },
    majorFailures: [],
    unrecognizedMajorFailures: [],
    effectiveness: {},
  } as unknown as WeeklyEvaluation;
}

function stored(week: string, revision = 1, provisional = false): StoredEvaluation {
  return {
    week,
    revision,
    revised: revision > 1,
    provisional,
    ruleSetVersion: 1,
    evaluatedAt: `2026-10-05T00:0${revision}:00.000Z`,
    fingerprint: `fp-${revision}`,
    evaluation: evaluation(week),
  };
}

async function documents(
  week: string,
  withPdf = true,
): Promise<{ bulletin: NoticeRecord; notices: NoticeRecord[] }> {
  const pdfKey = `test/${week}/bulletin.pdf`;
  if (withPdf)
    await documentStore().put(pdfKey, Buffer.from('%PDF-1.7\n% test bulletin\n%%EOF\n'), 'application/pdf');
  return {
    bulletin: {
      id: `BUL-${week}`,
      kind: 'bulletin',
      week,
      number: '2026年第40期',
      title: '2026年第40周干部包村责任制落实情况通报',
      fileName: `周通报-${week}`,
      files: { html: `test/${week}/bulletin.html`, ...(withPdf ? { pdf: pdfKey } : {}) },
      createdAt: '2026-10-05T00:00:00.000Z',
      revision: 1,
    },
    notices: [
      {
        id: `TALK-${week}`,
        kind: 'talkNotice',
        week,
        cadreId: talkCadre,
        number: '指谈〔2026〕3号',
        title: '提醒谈话通知书',
        fileName: `提醒谈话通知书-${week}`,
        files: { html: `test/${week}/talk.html` },
        createdAt: '2026-10-05T00:00:00.000Z',
      },
    ],
  };
}

const now = new Date('2026-10-05T00:00:00.000Z');

describe('the weekly bulletin email', () => {
  it('reaches each active recipient once, as HTML with a text part and the bulletin PDF attached, across a re-run', async () => {
    const week = '2026-W40';
    const docs = await documents(week);
    const first = await deliverWeek(stored(week), docs, { now });
    const second = await deliverWeek(stored(week), docs, { now });

    expect(first.bulletinEmails).toMatchObject({ recipients: 2, sent: 2, failed: 0 });
    expect(second.bulletinEmails).toMatchObject({ sent: 0, alreadySent: 2 });
    const bulletins = (address: string) => smtp.to(address).filter((m) => m.subject.includes('通报'));
    expect(bulletins(county)).toHaveLength(1);
    expect(bulletins(townshipReader)).toHaveLength(1);
    expect(smtp.to(inactive)).toHaveLength(0);

    const mail = bulletins(county)[0]!;
    expect(mail.subject).toBe('2026年第40周干部包村责任制落实情况通报');
    expect(mail.headers['content-type']).toMatch(/^multipart\/mixed/);
    expect(mail.text).toContain('李县长 副县长');
    expect(mail.text).toContain('提醒谈话：1 人');
    expect(mail.html).toContain('<html lang="zh-CN">');
    // Handlebars escapes '=' in attribute values as &#x3D;, which mail clients decode.
    expect(mail.html.replaceAll('&#x3D;', '=')).toContain(
      'href="https://baocun.example.cn/api/notices/BUL-2026-W40/download?format=pdf"',
    );
    expect(mail.attachments.map((a) => a.filename)).toEqual(['周通报-2026-W40.pdf']);
    expect(mail.attachments[0]!.body.toString('latin1')).toContain('%PDF-1.7');
    // The township's recipient also sees that township's own figures.
    expect(bulletins(townshipReader)[0]!.text).toContain('桶井乡情况');

    const ledger = await listDeliveries(`bulletin:${week}:r1`);
    expect(ledger.map((d) => d.status)).toEqual(['sent', 'sent']);
    // The ledger holds a digest of each address, never the address.
    expect(JSON.stringify(ledger)).not.toContain(county);
    expect(JSON.stringify(ledger)).not.toContain(townshipReader);
  });

  it('sends a revision again, marked as a revision, and a provisional week not at all', async () => {
    const week = '2026-W41';
    const docs = await documents(week, false);
    await deliverWeek(stored(week, 1), docs, { now });
    const revised = await deliverWeek(stored(week, 2), docs, { now });
    expect(revised.bulletinEmails.sent).toBe(2);
    const subjects = smtp
      .to(county)
      .map((m) => m.subject)
      .filter((s) => s.includes('通报'));
    expect(subjects.filter((s) => s.startsWith('【修订】'))).toHaveLength(1);
    const revisedMail = smtp.to(county).find((m) => m.subject.startsWith('【修订】'))!;
    expect(revisedMail.text).toContain('第 2 次修订');
    expect(revisedMail.attachments).toEqual([]);

    const before = smtp.received.length;
    const provisional = await deliverWeek(stored('2026-W42', 0, true), await documents('2026-W42', false), {
      now,
    });
    expect(provisional.bulletinEmails).toMatchObject({ skipped: 'provisional', sent: 0 });
    expect(smtp.received.length).toBe(before);
  });

  it('retries only the email the transport refused, and two concurrent runs still send each email once', async () => {
    const week = '2026-W43';
    const docs = await documents(week, false);
    const real = mailTransport();
    const flaky = createMailer({
      ledger: mailLedger,
      transport: {
        kind: 'smtp',
        async send(raw, envelope) {
          if (envelope.to === townshipReader) throw new Error(`550 mailbox ${townshipReader} unavailable`);
          return real.send(raw, envelope);
        },
      },
    });
    const failed = await deliverWeek(stored(week), docs, { now, mailer: flaky });
    expect(failed.bulletinEmails).toMatchObject({ sent: 1, failed: 1 });
    const ledger = await listDeliveries(`bulletin:${week}:r1`);
    const refused = ledger.find((d) => d.status === 'failed')!;
    expect(refused.error).toContain('<recipient>');
    expect(refused.error).not.toContain(townshipReader);

    const [a, b] = await Promise.all([
      deliverWeek(stored(week), docs, { now }),
      deliverWeek(stored(week), docs, { now }),
    ]);
    expect(a.bulletinEmails.sent + b.bulletinEmails.sent).toBe(1);
    const count = (address: string) =>
      smtp.to(address).filter((m) => m.headers['x-baocun-message'] === `bulletin:${week}:r1`).length;
    expect(count(county)).toBe(1);
    expect(count(townshipReader)).toBe(1);
  });
});

describe('what the cadres concerned hear', () => {
  it('emails a talk notice and new problems with their deadlines once, and puts them on the cadre page', async () => {
    const week = '2026-W44';
    const docs = await documents(week, false);
    const first = await deliverWeek(stored(week), docs, { now });
    const again = await deliverWeek(stored(week), docs, { now });
    expect(first.cadreEmails).toMatchObject({ sent: 2, noAddress: 1, failed: 0 });
    expect(first.notifications).toEqual({ created: 3, existing: 0 });
    expect(again.cadreEmails).toMatchObject({ sent: 0, alreadySent: 2 });
    expect(again.notifications).toEqual({ created: 0, existing: 3 });

    const talk = smtp.to(talkMail).filter((m) => m.headers['x-baocun-message']?.startsWith(`talk:${week}`));
    expect(talk).toHaveLength(1);
    expect(talk[0]!.subject).toContain('提醒谈话');
    expect(talk[0]!.text).toContain('2026年10月11日');
    expect(talk[0]!.text).toContain('指谈〔2026〕3号');
    // A name is data, never markup.
    expect(talk[0]!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;同志');
    expect(talk[0]!.html).not.toContain('<script>');

    const rectify = smtp
      .to(problemMail)
      .filter((m) => m.headers['x-baocun-message']?.startsWith(`rectify:${week}`));
    expect(rectify).toHaveLength(1);
    expect(rectify[0]!.text).toContain('2026年10月9日');
    expect(rectify[0]!.text).toContain('2026年10月16日');

    const self = await t.as('cadre', silentCadre);
    const page = await self.get(`/cadres/${silentCadre}/notifications`);
    expect(page.status).toBe(200);
    expect(page.body.items.filter((n: { week: string }) => n.week === week)).toEqual([
      expect.objectContaining({
        kind: 'rectification_notice',
        week,
        deadline: '2026-10-16',
        problemIds: ['P-3'],
      }),
    ]);
    const talkPage = await (await t.as('cadre', talkCadre)).get(
      `/cadres/${talkCadre}/notifications?kind=talk_notice`,
    );
    const talks = talkPage.body.items.filter((n: { week: string }) => n.week === week);
    expect(talks).toHaveLength(1);
    expect(talks[0]).toMatchObject({ deadline: '2026-10-11', noticeId: `TALK-${week}` });
  });

  it('lets a cadre read and mark only their own notifications', async () => {
    const other = await t.as('cadre', uid('C'));
    expect((await other.get(`/cadres/${silentCadre}/notifications`)).status).toBe(403);
    const self = await t.as('cadre', silentCadre);
    const [first] = (await self.get(`/cadres/${silentCadre}/notifications`)).body.items;
    const read = await self.post(`/cadres/${silentCadre}/notifications/${first.id}/read`);
    expect(read.status).toBe(200);
    expect(typeof read.body.readAt).toBe('string');
    const unread = (await self.get(`/cadres/${silentCadre}/notifications?unread=true`)).body.items;
    expect(unread.map((n: { id: string }) => n.id)).not.toContain(first.id);
    expect(unread.length).toBeGreaterThan(0);
    expect((await other.post(`/cadres/${silentCadre}/notifications/${first.id}/read`)).status).toBe(403);
    expect((await self.post(`/cadres/${silentCadre}/notifications/nope/read`)).status).toBe(404);
    expect((await admin.get(`/cadres/${silentCadre}/notifications`)).status).toBe(200);
  });
});
