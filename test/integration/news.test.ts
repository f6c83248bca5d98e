import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeliveries, mailLedger } from '../../functions/adapters/dynamo/mail-ledger.ts';
import { getNews, pendingNews } from '../../functions/adapters/dynamo/news.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { createMailer } from '../../functions/adapters/mail/mailer.ts';
import { beijingDate } from '../../functions/core/time.ts';
import { deliverNews } from '../../functions/jobs/news.ts';
import { recordAndNotify } from '../../functions/jobs/news-events.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { startSmtp, type TestSmtp } from '../support/mail.ts';
import { signInPages } from '../support/pages.ts';

/**
 * News at once (docs/news.md): a new problem, a rejected rectification, a new dispatch reach the
 * cadre's notifications in the same request and their inbox right after (a real SMTP peer); an
 * emergency direct report reaches the county's recipients. Each (event, recipient) is told once: the
 * daily sweep and a retried request send nothing again; a failed email stays pending and the sweep
 * sends it.
 */
let smtp: TestSmtp;
let t: TestStack;
let admin: Caller;
let inspector: Caller;
const BASE = 'https://baocun.example.cn';
const tid = uid('T');
const otherTid = uid('T');
const vid = uid('V');
const withMail = uid('C');
const withoutMail = uid('C');
const second = uid('C');
const mailOf = (id: string) => `${id}@example.cn`.toLowerCase();
const countyReader = `county-${uid('m')}@example.cn`.toLowerCase();
const townshipReader = `tshp-${uid('m')}@example.cn`.toLowerCase();
const elsewhereReader = `else-${uid('m')}@example.cn`.toLowerCase();

/** Waits for a condition (the news function runs after the answer), never a fixed time. */
async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  smtp = await startSmtp();
  process.env.SMTP_URL = smtp.url;
  delete process.env.MAIL_TRANSPORT;
  process.env.PUBLIC_BASE_URL = BASE;
  resetMailConfig();
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  for (const [id, name] of [
    [tid, '消息乡'],
    [otherTid, '别处乡'],
  ]) {
    expect((await admin.post('/townships', { id, name })).status).toBe(201);
  }
  expect(
    (await admin.post('/villages', { id: vid, name: '青山村', townshipId: tid, category: 'deep' })).status,
  ).toBe(201);
  for (const [id, name, email] of [
    [withMail, '李消息', mailOf(withMail)],
    [withoutMail, '王无邮', undefined],
    [second, '赵第二', mailOf(second)],
  ] as const) {
    const res = await admin.post('/cadres', {
      id,
      name,
      unit: '县水务局',
      rank: 'staff',
      townshipId: tid,
      ...(email ? { email } : {}),
    });
    expect(res.status).toBe(201);
    expect((await admin.post('/assignments', { cadreId: id, villageId: vid, role: 'member' })).status).toBe(
      201,
    );
  }
  for (const body of [
    { name: '县长', email: countyReader, scope: 'county' },
    { name: '乡书记', email: townshipReader, scope: 'township', townshipId: tid },
    { name: '别乡书记', email: elsewhereReader, scope: 'township', townshipId: otherTid },
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

async function notificationsOf(cadreId: string) {
  const res = await admin.get(`/cadres/${cadreId}/notifications?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; kind: string; title: string; body: string; link?: string }[];
}

async function inspect(problems: { cadreId: string; description: string }[], key: string) {
  const res = await inspector.post(
    '/inspections',
    {
      villageId: vid,
      date: beijingDate(new Date()),
      mode: 'open',
      findings: [...new Set(problems.map((p) => p.cadreId))].map((cadreId) => ({
        cadreId,
        present: true,
        problems: problems
          .filter((p) => p.cadreId === cadreId)
          .map((p) => ({ description: p.description, severity: 'major' })),
      })),
    },
    { 'idempotency-key': key },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; problemIds: string[] };
}

describe('a new problem', () => {
  it('is on the cadre’s page in the same request, in their inbox at once, and linked to the problem', async () => {
    const key = `news-problem-${uid('k')}`;
    const inspection = await inspect([{ cadreId: withMail, description: '入户走访台账缺失' }], key);
    const problemId = inspection.problemIds[0] as string;

    // Prepare nothing more: the answer is enough for the page.
    const told = (await notificationsOf(withMail)).filter((n) => n.kind === 'new_problem');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      title: '督查发现问题，请按期整改',
      link: `/app/cadre/problems/${problemId}`,
    });
    expect(told[0]?.body).toContain('入户走访台账缺失');

    const mail = await until(
      () => smtp.to(mailOf(withMail)).find((m) => m.subject === '督查发现问题，请按期整改'),
      'the new-problem email',
    );
    expect(mail.text).toContain('入户走访台账缺失');
    expect(mail.text).toContain(`${BASE}/app/cadre/problems/${problemId}`);
    expect(mail.html).toContain(`href="${BASE}/app/cadre/problems/${problemId}"`);

    // The same request again (a retry with the same key) answers the same and tells nobody again.
    const again = await inspector.post(
      '/inspections',
      {
        villageId: vid,
        date: beijingDate(new Date()),
        mode: 'open',
        findings: [
          {
            cadreId: withMail,
            present: true,
            problems: [{ description: '入户走访台账缺失', severity: 'major' }],
          },
        ],
      },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(inspection.id);

    // A re-run of the telling itself (a request that crashed after telling) finds everything done.
    const event = await getNews(`problems:${inspection.id}:${withMail}`);
    expect(event).toBeDefined();
    await recordAndNotify(event!);
    const rerun = await deliverNews(event!.key);
    expect(rerun?.emails).toMatchObject({ sent: 0, alreadySent: 1, failed: 0 });

    // The daily sweep sends nothing of it again.
    const run = await runJobNow(admin, 'daily-sweep');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(smtp.to(mailOf(withMail)).filter((m) => m.subject === '督查发现问题，请按期整改')).toHaveLength(1);
    expect((await notificationsOf(withMail)).filter((n) => n.kind === 'new_problem')).toHaveLength(1);
    expect((await pendingNews(100)).items.map((i) => i.key)).not.toContain(event!.key);
  });

  it('tells a cadre without an email address on their page only, and each cadre of their own problems', async () => {
    const inspection = await inspect(
      [
        { cadreId: withoutMail, description: '村级活动场所未开放' },
        { cadreId: second, description: '惠民政策公示栏未更新' },
        { cadreId: second, description: '防汛物资台账缺失' },
      ],
      `news-two-${uid('k')}`,
    );
    const silent = (await notificationsOf(withoutMail)).filter((n) => n.kind === 'new_problem');
    expect(silent).toHaveLength(1);
    expect(silent[0]?.body).toContain('村级活动场所未开放');
    expect(silent[0]?.body).not.toContain('惠民政策');

    const mail = await until(
      () => smtp.to(mailOf(second)).find((m) => m.subject === '督查发现 2 个问题，请按期整改'),
      'the two-problem email',
    );
    expect(mail.text).toContain('惠民政策公示栏未更新');
    expect(mail.text).toContain('防汛物资台账缺失');
    expect(mail.text).toContain(`${BASE}/app/cadre/problems`);
    const event = await getNews(`problems:${inspection.id}:${withoutMail}`);
    await until(async () => !(await pendingNews(100)).items.some((i) => i.key === event?.key), 'done');
  });
});

describe('a rejected rectification', () => {
  it('reaches the cadre at once with the reason, and the sweep does not send it again', async () => {
    const inspection = await inspect([{ cadreId: withMail, description: '危房改造进度滞后' }], uid('k-rej'));
    const problemId = inspection.problemIds[0] as string;
    const cadre = await t.as('cadre', withMail);
    expect(
      (await cadre.post(`/problems/${problemId}/rectifications`, { note: '已督促施工队进场' })).status,
    ).toBe(201);
    const rejected = await inspector.post(`/problems/${problemId}/verifications`, {
      outcome: 'rejected',
      note: '现场查看仍未动工。',
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(201);

    const told = (await notificationsOf(withMail)).filter(
      (n) => n.kind === 'rectification_rejected' && n.link === `/app/cadre/problems/${problemId}`,
    );
    expect(told).toHaveLength(1);
    expect(told[0]?.body).toContain('复核意见：现场查看仍未动工。');
    expect(told[0]?.body).not.toContain('。。');

    const mail = await until(
      () =>
        smtp
          .to(mailOf(withMail))
          .find((m) => m.subject === '整改未通过复核' && m.text.includes('危房改造进度滞后')),
      'the rejection email',
    );
    expect(mail.text).toContain('现场查看仍未动工');

    const run = await runJobNow(admin, 'daily-sweep');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const copies = smtp
      .to(mailOf(withMail))
      .filter((m) => m.subject === '整改未通过复核' && m.text.includes('危房改造进度滞后'));
    expect(copies).toHaveLength(1);
    // Nor does the sweep's daily digest repeat it.
    expect(
      smtp
        .to(mailOf(withMail))
        .some((m) => m.subject.startsWith('包村工作提醒') && m.text.includes('危房改造')),
    ).toBe(false);
    expect(
      (await notificationsOf(withMail)).filter(
        (n) => n.kind === 'rectification_rejected' && n.link === `/app/cadre/problems/${problemId}`,
      ),
    ).toHaveLength(1);
  });
});

describe('a new dispatch', () => {
  it('reaches every assignee at once, each with a link to the dispatch', async () => {
    const res = await admin.post('/dispatches', {
      title: '秋冬季防火专项检查',
      category: '安全生产',
      description: '逐户排查用火用电隐患。',
      deadline: new Date(Date.now() + 5 * 24 * 3_600_000).toISOString(),
      assignees: [
        { cadreId: withMail, villageId: vid },
        { cadreId: second, villageId: vid },
        { cadreId: withoutMail, villageId: vid },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { id, number } = res.body as { id: string; number: string };
    for (const cadreId of [withMail, second, withoutMail]) {
      const told = (await notificationsOf(cadreId)).filter((n) => n.kind === 'new_dispatch');
      expect(told.map((n) => n.link)).toEqual([`/app/cadre/dispatches/${id}`]);
      expect(told[0]?.body).toContain('青山村');
    }
    for (const cadreId of [withMail, second]) {
      const mail = await until(
        () => smtp.to(mailOf(cadreId)).find((m) => m.subject === `新任务：${number}《秋冬季防火专项检查》`),
        `the dispatch email to ${cadreId}`,
      );
      expect(mail.html).toContain(`href="${BASE}/app/cadre/dispatches/${id}"`);
    }
    // The cadre's home page lists it, its title a link to the dispatch.
    const home = await (await signInPages(t.url, withoutMail, 'cadre')).get('/app/cadre');
    expect(home.status).toBe(200);
    expect(home.text).toContain(
      `<a href="/app/cadre/dispatches/${id}">新任务：${number}《秋冬季防火专项检查》</a>`,
    );

    const deliveries = await until(async () => {
      const list = await listDeliveries(`news:dispatch:${id}`);
      return list.filter((d) => d.status === 'sent').length === 2 ? list : undefined;
    }, 'both deliveries recorded');
    expect(deliveries.map((d) => d.recipientRef).sort()).toEqual(
      [`cadre:${second}`, `cadre:${withMail}`].sort(),
    );
  });
});

describe('an emergency direct report', () => {
  it('emails the county’s recipients and the township’s at once, not another township’s', async () => {
    const cadre = await t.as('cadre', withMail);
    const res = await cadre.post('/direct-reports', {
      villageId: vid,
      kind: 'emergency',
      summary: '三组山体滑坡，两户房屋受损',
      details: '已组织群众转移，暂无人员伤亡。',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.id as string;
    for (const address of [countyReader, townshipReader]) {
      const mail = await until(
        () => smtp.to(address).find((m) => m.subject === '紧急情况直报：青山村'),
        `the emergency email to ${address}`,
      );
      expect(mail.text).toContain('三组山体滑坡，两户房屋受损');
      expect(mail.text).toContain('李消息');
      expect(mail.html).toContain(`href="${BASE}/app/admin/direct-reports/${id}"`);
    }
    await until(async () => !(await pendingNews(100)).items.some((i) => i.key === `emergency:${id}`), 'done');
    expect(smtp.to(elsewhereReader)).toHaveLength(0);
  });

  it('sends nothing for a report that is not an emergency', async () => {
    const cadre = await t.as('cadre', withMail);
    const res = await cadre.post('/direct-reports', {
      villageId: vid,
      kind: 'situation',
      summary: '秋收进度过半',
    });
    expect(res.status).toBe(201);
    expect(await getNews(`emergency:${res.body.id}`)).toBeUndefined();
  });
});

describe('a failed email', () => {
  it('keeps the news pending, is counted failed, and the daily sweep sends it once', async () => {
    // The hand-off's own delivery fails (the transport refuses): recorded and told on the page.
    const event = await recordAndNotify({
      key: `dispatch:${uid('D')}`,
      kind: 'new_dispatch',
      createdAt: new Date().toISOString(),
      title: '重发测试任务',
      link: '/app/cadre/dispatches/x',
      messages: [{ cadreId: second, lines: ['请于本周内完成重发测试。'] }],
    });
    const refusing = createMailer({
      ledger: mailLedger,
      transport: {
        kind: 'smtp',
        send: async () => {
          throw new Error('550 mailbox unavailable');
        },
      },
    });
    const failed = await deliverNews(event.key, { mailer: refusing, sms: null });
    expect(failed).toMatchObject({ done: false, emails: { failed: 1, sent: 0 } });
    expect((await pendingNews(100)).items.map((i) => i.key)).toContain(event.key);
    expect(smtp.to(mailOf(second)).filter((m) => m.subject === '重发测试任务')).toHaveLength(0);

    const [refused] = await listDeliveries(`news:${event.key}`);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, recipientRef: `cadre:${second}` });
    expect(refused?.error).toContain('550');

    const run = await runJobNow(admin, 'daily-sweep');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.summary.newsEmails).toMatchObject({ sent: 1, failed: 0 });
    expect(run.summary.news.events).toBeGreaterThanOrEqual(1);
    expect(smtp.to(mailOf(second)).filter((m) => m.subject === '重发测试任务')).toHaveLength(1);
    const [retried] = await listDeliveries(`news:${event.key}`);
    expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await pendingNews(100)).items.map((i) => i.key)).not.toContain(event.key);

    // A second sweep sends nothing again.
    await runJobNow(admin, 'daily-sweep');
    expect(smtp.to(mailOf(second)).filter((m) => m.subject === '重发测试任务')).toHaveLength(1);
  });
});
