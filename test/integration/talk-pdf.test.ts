import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDefaultPdfRenderer } from '../../functions/adapters/documents/chromium.ts';
import { getNotice } from '../../functions/adapters/dynamo/notices.ts';
import { handler as scheduled } from '../../functions/api/scheduled.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { printDocument } from '../../functions/jobs/print-document.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { startSmtp, type TestSmtp } from '../support/mail.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * Talk notices and records written through the API are stored as HTML in the request and printed as
 * PDF apart, by the function with Chromium (the `documents` invoke; on the county server the
 * in-process invoker, with Debian's Chromium), which then sends the talk's news — so the email goes
 * out once the PDF can be downloaded. Printing is done once: a repeat prints and sends nothing again.
 */
let t: TestStack;
let smtp: TestSmtp;
let admin: Caller;
let me: Caller;
let dir: string;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const talked = uid('C');
const leader = uid('C');
const email = `${talked.toLowerCase()}@example.cn`;

const text = (file: string) =>
  execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');

/** The PDF at `path` once it can be downloaded (printed apart), as text. */
async function printed(caller: Caller, path: string, containing?: string): Promise<string> {
  return waitFor(
    `the PDF at ${path}`,
    async () => {
      const res = await fetch(`${t.url}${path}`, {
        headers: { authorization: `Bearer ${await t.stack.token(caller.sub, caller.role)}` },
      });
      if (res.status !== 200) return undefined;
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const file = join(dir, `${uid('doc')}.pdf`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const words = text(file);
      return !containing || words.includes(containing) ? words : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'talk-pdf-'));
  smtp = await startSmtp();
  process.env.SMTP_URL = smtp.url;
  delete process.env.MAIL_TRANSPORT;
  t = await startTestStack();
  admin = await t.as('admin');
  const inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'general' }],
    ['/cadres', { id: talked, name: '李明', unit: '县水务局', rank: 'section', townshipId: township, email }],
    ['/cadres', { id: leader, name: '周建国', unit: '县人民政府', rank: 'county' }],
    ['/assignments', { cadreId: talked, villageId: village, role: 'chief' }],
  ]);
  me = await t.as('cadre', talked);
  const res = await inspector.post('/inspections', {
    villageId: village,
    date: weekBounds(lastWeek).monday,
    mode: 'open',
    findings: [
      {
        cadreId: talked,
        present: true,
        problems: [1, 2, 3].map((i) => ({ description: `灌溉渠道未清淤${i}`, severity: 'minor' })),
      },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect((await runJobNow(admin, 'weekly-bulletin', { week: lastWeek })).status).toBe('succeeded');
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await closeDefaultPdfRenderer();
  await smtp?.close();
  delete process.env.SMTP_URL;
  rmSync(dir, { recursive: true, force: true });
});

describe('a talk approved through the API', () => {
  it('ends with the notice printed as PDF beside its HTML, and the email sent after it', async () => {
    const [talk] = (await admin.get(`/talks?cadreId=${talked}`)).body.items;
    expect(talk.status).toBe('proposed');
    const key = uid('approve');
    const approved = await admin.post(`/talks/${talk.id}/approve`, undefined, { 'idempotency-key': key });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('notified');
    const number = approved.body.notice.number as string;

    // The cadre's page has the notification at once; the email waits for the PDF.
    const talkMails = () => smtp.to(email).filter((m) => m.subject.includes('谈话通知'));
    await waitFor('the talk email', () => talkMails()[0], 60_000);
    // By the time the email is out, the PDF is there.
    const record = await getNotice(approved.body.notice.id);
    expect(record?.files.html).toMatch(/\.html$/);
    expect(record?.files.pdf).toMatch(/\.[0-9a-f]{16}\.pdf$/);
    const words = await printed(me, `/talks/${talk.id}/notice?format=pdf`);
    expect(words).toContain(number);
    expect(words).toContain('李明同志');
    const html = await me.send('GET', `/talks/${talk.id}/notice?format=html`);
    expect(html.status).toBe(200);

    // A retried request replays; the print is not done again and the email not sent twice.
    const again = await admin.post(`/talks/${talk.id}/approve`, undefined, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(await printDocument(approved.body.notice.id)).toEqual({
      outcome: 'already-printed',
      pdf: record?.files.pdf,
    });
    await waitFor('the repeat to settle', async () => (await getNotice(record!.id))?.files.pdf, 10_000);
    expect((await getNotice(record!.id))?.files.pdf).toBe(record?.files.pdf);
    expect(talkMails()).toHaveLength(1);
  }, 120_000);

  it('prints the talk record when recorded, and again with the statement once acknowledged', async () => {
    const [talk] = (await admin.get(`/talks?cadreId=${talked}`)).body.items;
    const res = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date(Date.now() - 3_600_000).toISOString(),
      place: '县指挥部第二会议室',
      conductorIds: [leader],
      notes: '指出清淤不及时的问题，要求五日内整改到位。',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await printed(me, `/talks/${talk.id}/record-document?format=pdf`)).toContain('待本人确认并表态');
    const first = (await getNotice(res.body.record.documentId))?.files.pdf;

    const ack = await me.post(`/talks/${talk.id}/acknowledge`, { statement: '深刻反思，五日内完成清淤。' });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    const words = await printed(me, `/talks/${talk.id}/record-document?format=pdf`, '深刻反思');
    expect(words).toContain('二、本人表态');
    const second = (await getNotice(res.body.record.documentId))?.files.pdf;
    expect(second).toMatch(/\.[0-9a-f]{16}\.pdf$/);
    expect(second).not.toBe(first);
  }, 120_000);

  it('drops a malformed print event without retrying, and reports a missing document', async () => {
    expect(await scheduled({ documentId: 'no such/../id' })).toMatchObject({ outcome: 'invalid' });
    expect(await scheduled({ documentId: uid('missing') })).toMatchObject({ outcome: 'missing' });
  });
});
