import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDefaultPdfRenderer } from '../../functions/adapters/documents/chromium.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { pdfFonts } from '../support/pdf.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * The documents that follow the talk decisions, printed through Chromium and read back with poppler:
 * the talk notice numbered at approval and carrying the decision, the talk record (谈话记录) rendered
 * when the talk is recorded (and again with the cadre's statement), and the 通报表扬 of the week's
 * commended cadres issued with the weekly documents — A4, real Chinese text, fonts embedded as CID
 * TrueType (GB/T 9704 layout, docs/documents.md).
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let me: Caller;
let dir: string;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const talked = uid('C');
const praised = uid('C');
const leader = uid('C');

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

/**
 * The PDF at `path`, once printed: a talk's notice and record are printed apart from the request
 * (the `documents` invoke, docs/talks.md), so wait for it — and, when given, for these words in it.
 */
async function pdfOf(caller: Caller, path: string, containing?: string): Promise<string> {
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
      if (containing && !run('pdftotext', [file, '-']).replace(/\s+/g, '').includes(containing))
        return undefined;
      return file;
    },
    60_000,
  );
}

function expectPrinted(file: string, words: string[]) {
  const text = run('pdftotext', ['-layout', file, '-']).replace(/\s+/g, '');
  for (const w of words) expect(text).toContain(w.replace(/\s+/g, ''));
  expect(run('pdfinfo', [file])).toMatch(/Page size:.*\(A4\)/);
  const fonts = pdfFonts(file);
  expect(fonts.length).toBeGreaterThan(0);
  expect(fonts.filter((f) => f.type === 'Type 3')).toEqual([]);
  expect(fonts.every((f) => f.embedded)).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'talk-docs-'));
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: talked, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: praised, name: '王芳', unit: '县农业农村局', rank: 'staff', townshipId: township }],
    ['/cadres', { id: leader, name: '周建国', unit: '县人民政府', rank: 'county' }],
    ['/assignments', { cadreId: talked, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: praised, villageId: village, role: 'member' }],
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
      { cadreId: praised, present: true, commend: true, problems: [] },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect((await runJobNow(admin, 'weekly-bulletin', { week: lastWeek })).status).toBe('succeeded');
}, 180_000);
afterAll(async () => {
  await closeDefaultPdfRenderer();
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the talk notice', () => {
  it('is numbered when approved and prints who approved it and when', async () => {
    const [talk] = (await admin.get(`/talks?cadreId=${talked}`)).body.items;
    expect(talk.status).toBe('proposed');
    const approved = await admin.post(`/talks/${talk.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const number = approved.body.notice.number as string;
    expect(number).toMatch(/^指谈〔\d{4}〕\d+号$/);
    const [y, m, d] = today.split('-').map(Number);
    const file = await pdfOf(me, `/talks/${talk.id}/notice?format=pdf`);
    expectPrinted(file, [
      '提醒谈话通知书',
      number,
      '李明同志',
      '灌溉渠道未清淤1',
      `于${y}年${m}月${d}日批准`,
    ]);
  });
});

describe('the talk record (谈话记录)', () => {
  it('is rendered when the talk is recorded, with time, place, conductor and what was said', async () => {
    const [talk] = (await admin.get(`/talks?cadreId=${talked}`)).body.items;
    const res = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date(Date.now() - 7_200_000).toISOString(),
      place: '县指挥部第二会议室',
      conductorIds: [leader],
      notes: '指出灌溉渠道清淤不及时的问题，要求五日内整改到位。',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const file = await pdfOf(me, `/talks/${talk.id}/record-document?format=pdf`);
    expectPrinted(file, [
      '提醒谈话记录',
      '谈话对象',
      '李明',
      '县指挥部第二会议室',
      '周建国',
      '要求五日内整改到位',
      '待本人确认并表态',
    ]);
  });

  it('is printed again with the cadre’s statement once acknowledged, under the same record', async () => {
    const [talk] = (await admin.get(`/talks?cadreId=${talked}`)).body.items;
    const before = talk.record.documentId;
    const res = await me.post(`/talks/${talk.id}/acknowledge`, { statement: '深刻反思，五日内完成清淤。' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.record.documentId).toBe(before);
    const file = await pdfOf(me, `/talks/${talk.id}/record-document?format=pdf`, '深刻反思');
    expectPrinted(file, ['二、本人表态', '深刻反思，五日内完成清淤。']);
    const listed = await admin.get(`/notices?kind=talkRecord&cadreId=${talked}`);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ title: '提醒谈话记录（李明）', number: talk.notice.number });
  });
});

describe('通报表扬', () => {
  it('is issued with the week’s documents for the commended cadres', async () => {
    const listed = await admin.get(`/notices?kind=commendationNotice&week=${lastWeek}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const notice = listed.body.items[0];
    expect(notice.number).toMatch(/^指表〔\d{4}〕1号$/);
    const file = await pdfOf(admin, `/notices/${notice.id}/download?format=pdf`);
    expectPrinted(file, ['予以通报表扬的通报', '王芳', '特此通报']);
    const html = await admin.send('GET', `/notices/${notice.id}/download?format=html`);
    expect(String(html.body)).toContain('县农业农村局');
  });
});
