import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDefaultPdfRenderer } from '../../functions/adapters/documents/chromium.ts';
import { listDocumentsForWeek, type NoticeRecord } from '../../functions/adapters/dynamo/notices.ts';
import { renderAppointmentLetter, renderWeekDocuments } from '../../functions/jobs/render-week-documents.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { FIXTURE_NAMES, fixtureIds, ISSUE_TIME, storedFixture, WEEK } from '../support/week-fixture.ts';

/**
 * Documents on the local stack: the weekly job's records and numbers, GET /notices with its filters,
 * and downloads (HTML and, through Chromium, PDF) that keep their Chinese file names.
 */
let t: TestStack;
let admin: Caller;
const ids = fixtureIds();
let first: { bulletin: NoticeRecord; notices: NoticeRecord[] };

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  expect((await admin.post('/townships', { id: ids.township, name: '东风镇' })).status).toBe(201);
  expect(
    (
      await admin.post('/villages', {
        id: ids.village,
        name: '红旗村',
        townshipId: ids.township,
        category: 'deep',
      })
    ).status,
  ).toBe(201);
  for (const [key, name] of Object.entries(FIXTURE_NAMES)) {
    const res = await admin.post('/cadres', {
      id: ids[key as keyof typeof FIXTURE_NAMES],
      name,
      unit: '县水务局',
      rank: 'section',
      townshipId: ids.township,
    });
    expect(res.status).toBe(201);
  }
  first = await renderWeekDocuments(storedFixture(1), { now: ISSUE_TIME, pdf: null });
}, 60_000);
afterAll(async () => {
  await closeDefaultPdfRenderer();
  await t.stop();
});

async function download(path: string, role: 'admin' | 'inspector' | 'cadre' = 'admin') {
  const token = await t.stack.token(`${role}-dl`, role);
  const res = await fetch(`${t.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const fileNameOf = (disposition: string | null) =>
  decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition ?? '')?.[1] ?? '');

describe('rendering a week', () => {
  it('issues the bulletin as 第1期 and one notice per talk, per cadre with new problems, per major failure, and one 通报表扬', () => {
    expect(first.bulletin).toMatchObject({
      kind: 'bulletin',
      week: WEEK,
      number: '2026年第1期',
      revision: 1,
    });
    const kinds = first.notices.map((n) => `${n.kind}:${n.cadreId}`);
    expect(kinds).toEqual([
      `talkNotice:${ids.evil}`,
      `talkNotice:${ids.heavy}`,
      `rectificationNotice:${ids.evil}`,
      `rectificationNotice:${ids.heavy}`,
      `rectificationNotice:${ids.light}`,
      `criticismNotice:${ids.heavy}`,
      'commendationNotice:undefined',
    ]);
    expect(first.notices.map((n) => n.number)).toEqual([
      '指谈〔2026〕1号',
      '指谈〔2026〕2号',
      '指改〔2026〕1号',
      '指改〔2026〕2号',
      '指改〔2026〕3号',
      '指通〔2026〕1号',
      '指表〔2026〕1号',
    ]);
    expect(first.notices[1]).toMatchObject({
      title: '诫勉谈话通知书（张三）',
      fileName: '诫勉谈话通知书-张三-2026年11月16日至22日',
    });
  });

  it('re-rendering the same revision reuses the records and numbers and takes no new number', async () => {
    const again = await renderWeekDocuments(storedFixture(1), {
      now: new Date(ISSUE_TIME.getTime() + 3_600_000),
      pdf: null,
    });
    expect(again.bulletin).toEqual(first.bulletin);
    expect(again.notices).toEqual(first.notices);
  });

  it('a revision gets its own bulletin, marked 修订, under the same issue number; notices keep their numbers', async () => {
    const revised = await renderWeekDocuments(storedFixture(2), { now: ISSUE_TIME, pdf: null });
    expect(revised.bulletin.id).not.toBe(first.bulletin.id);
    expect(revised.bulletin).toMatchObject({ number: '2026年第1期', revision: 2 });
    expect(revised.bulletin.title).toContain('修订2');
    expect(revised.notices.map((n) => [n.id, n.number])).toEqual(first.notices.map((n) => [n.id, n.number]));
    expect(revised.notices.every((n) => n.revision === 2)).toBe(true);
    const html = await download(`/notices/${revised.bulletin.id}/download?format=html`);
    expect(html.body.toString('utf8')).toContain('修订版');
  });

  it('lists every document of the week for the bulletin API', async () => {
    const docs = await listDocumentsForWeek(WEEK);
    expect(
      docs
        .filter((d) => d.kind === 'bulletin')
        .map((d) => d.revision)
        .sort(),
    ).toEqual([1, 2]);
    expect(docs).toHaveLength(9);
  });

  it('a provisional view gets a bulletin marked 暂定 and no notices, without using an issue number', async () => {
    const stored = { ...storedFixture(0), week: '2026-W48', provisional: true };
    const out = await renderWeekDocuments(stored, { now: ISSUE_TIME, pdf: null });
    expect(out.notices).toEqual([]);
    expect(out.bulletin.number).toBe('暂定');
  });
});

describe('GET /notices', () => {
  it('lists documents newest first, with download links', async () => {
    const res = await admin.get('/notices?limit=100');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(9);
    const times = res.body.items.map((i: { createdAt: string }) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const talk = res.body.items.find((i: { number: string }) => i.number === '指谈〔2026〕2号');
    expect(talk.downloads).toEqual({ html: `/notices/${talk.id}/download?format=html` });
    expect(talk.formats).toEqual(['html']);
  });

  it.each([
    ['kind', `kind=talkNotice`, 2],
    ['cadre', `cadreId=${ids.heavy}`, 3],
    ['week', `week=${WEEK}`, 9],
    ['week and kind', `week=${WEEK}&kind=bulletin`, 2],
    ['week and cadre', `week=${WEEK}&cadreId=${ids.light}`, 1],
    ['cadre and kind', `cadreId=${ids.heavy}&kind=criticismNotice`, 1],
  ])('filters by %s', async (_label, query, count) => {
    const res = await admin.get(`/notices?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(count);
  });

  it('pages with an opaque cursor, without repeats', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const res = await admin.get(
        `/notices?week=${WEEK}&limit=3${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      next = res.body.next;
    } while (next);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });

  it.each([
    ['an unknown kind', 'kind=memo'],
    ['a week that does not exist', 'week=2026-W60'],
    ['a malformed week', 'week=2026-47'],
    ['a limit above 100', 'limit=101'],
    ['an unknown parameter', 'colour=red'],
  ])('refuses %s with 400', async (_label, query) => {
    const res = await admin.get(`/notices?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.length).toBeGreaterThan(0);
  });

  it.each(['inspector', 'cadre'] as const)('is for admins only: %s gets 403', async (role) => {
    const caller = await t.as(role, ids.heavy);
    expect((await caller.get('/notices')).status).toBe(403);
    expect((await download(`/notices/${first.bulletin.id}/download?format=html`, role)).status).toBe(403);
  });
});

describe('GET /notices/{id}/download', () => {
  it('sends the HTML with the Chinese file name (RFC 5987) and the <script> name escaped', async () => {
    const notice = first.notices[2]!; // rectification notice of the cadre named <script>
    const res = await download(`/notices/${notice.id}/download?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="notice-[0-9A-Z]+\.html"; filename\*=UTF-8''/,
    );
    expect(fileNameOf(res.headers.get('content-disposition'))).toBe(`${notice.fileName}.html`);
    const html = res.body.toString('utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;同志：');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('指改〔2026〕1号');
  });

  it('answers 404 for an unknown id and for a PDF that was not rendered, 400 for an unknown format', async () => {
    expect((await download('/notices/NOPE/download')).status).toBe(404);
    expect((await download(`/notices/${first.bulletin.id}/download?format=pdf`)).status).toBe(404);
    expect((await download(`/notices/${first.bulletin.id}/download?format=docx`)).status).toBe(400);
  });

  it('renders a chief’s appointment letter to PDF with Chromium and sends it under its Chinese name', async () => {
    const assignment = await admin.post('/assignments', {
      cadreId: ids.heavy,
      villageId: ids.village,
      role: 'chief',
      from: '2026-11-24',
    });
    expect(assignment.status).toBe(201);
    const record = await renderAppointmentLetter(assignment.body, { now: ISSUE_TIME });
    expect(record).toMatchObject({
      kind: 'appointmentLetter',
      number: '指任〔2026〕1号',
      cadreId: ids.heavy,
    });
    expect(record.files.pdf).toBeDefined();
    expect((await renderAppointmentLetter(assignment.body, { now: ISSUE_TIME })).id).toBe(record.id);

    const res = await download(`/notices/${record.id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(fileNameOf(res.headers.get('content-disposition'))).toBe('任命书-张三-红旗村.pdf');
    expect(res.body.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'baocun-notice-'));
    try {
      writeFileSync(join(dir, 'a.pdf'), res.body);
      const text = execFileSync('pdftotext', [join(dir, 'a.pdf'), '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        '',
      );
      expect(text).toContain('兹任命张三同志（县水务局）为东风镇红旗村脱贫攻坚总队长');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
