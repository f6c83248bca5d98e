import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStore } from '../../functions/adapters/documents/store.ts';
import { getNotice } from '../../functions/adapters/dynamo/notices.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { recordTimeNoticeId } from '../../functions/jobs/render-week-documents.ts';
import { createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
let cadre: Caller;

const SETTINGS = {
  countyName: '青岚县',
  issuingBody: '青岚县脱贫攻坚指挥部',
  agencyCode: '青脱指',
  cc: '县委办公室，县政府办公室',
  signerTitle: '指挥长',
  rulesDocumentName: '青岚县干部包村工作督查问责办法',
};

const put = (caller: Caller, body: unknown, version?: string) =>
  caller.send(
    'PUT',
    '/settings/issuer',
    JSON.stringify(body),
    version === undefined
      ? { 'content-type': 'application/json' }
      : { 'content-type': 'application/json', 'if-match': version },
  );

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  cadre = await t.as('cadre', 'C-ISSUER');
});
afterAll(async () => {
  await t.stop();
});

describe('issuer settings (GET/PUT /settings/issuer)', () => {
  it('answers the defaults (version 0) before HQ saves, and refuses readers below HQ', async () => {
    const res = await admin.get('/settings/issuer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agencyCode: '指', issuingBody: '县脱贫攻坚指挥部', version: 0 });
    expect(res.headers.get('etag')).toBe('"0"');
    expect((await cadre.get('/settings/issuer')).status).toBe(403);
    expect((await inspector.get('/settings/issuer')).status).toBe(403);
  });

  it('refuses a save by anyone but an admin, without If-Match, and bad fields with Chinese messages', async () => {
    expect((await put(inspector, SETTINGS, '0')).status).toBe(403);
    expect((await put(cadre, SETTINGS, '0')).status).toBe(403);
    expect((await put(admin, SETTINGS)).status).toBe(428);
    const bad = await put(admin, { ...SETTINGS, agencyCode: 'QTZ', rulesDocumentName: '《办法》' }, '0');
    expect(bad.status).toBe(400);
    const fields = bad.body.error.fields as { path: string; message: string }[];
    expect(fields.find((f) => f.path === 'body.agencyCode')?.message).toMatch(/机关代字只能是汉字/);
    expect(fields.find((f) => f.path === 'body.rulesDocumentName')?.message).toMatch(/书名号/);
    expect((await admin.get('/settings/issuer')).body.version).toBe(0);
  });

  it('saves with the version read, audited; a retry answers the same; a stale version is 412', async () => {
    const saved = await put(admin, SETTINGS, '"0"');
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ...SETTINGS, version: 1 });
    const retry = await put(admin, SETTINGS, '"0"');
    expect(retry.status).toBe(200);
    expect(retry.body.version).toBe(1);
    const stale = await put(admin, { ...SETTINGS, signerTitle: '副指挥长' }, '"0"');
    expect(stale.status).toBe(412);
    const audit = await admin.get('/audit?entityType=settings&entityId=issuer');
    expect(audit.status).toBe(200);
    const entry = audit.body.items.find((a: { action: string }) => a.action === 'update');
    expect(entry.changes.before.agencyCode).toBe('指');
    expect(entry.changes.after.agencyCode).toBe('青脱指');
  });

  it('prefixes the agency code to a rectification notice issued when problems are recorded', async () => {
    const { villageId, cadreIds } = await createRoster(admin, { cadres: 1, category: 'deep' });
    const date = addDays(beijingDate(new Date()), -1);
    const res = await inspector.post('/inspections', {
      villageId,
      date,
      mode: 'open',
      findings: [
        { cadreId: cadreIds[0], present: true, problems: [{ description: '台账缺失', severity: 'minor' }] },
      ],
    });
    expect(res.status).toBe(201);
    const notice = await getNotice(recordTimeNoticeId(res.body.id, cadreIds[0]!));
    expect(notice?.number).toMatch(/^青脱指改〔\d{4}〕\d+号$/);
    const html = (await documentStore().get(notice!.files.html))!.body.toString('utf8');
    expect(html).toContain('青岚县脱贫攻坚指挥部');
    expect(html).toContain('根据《青岚县干部包村工作督查问责办法》第7条');
    expect(html).toContain('每个问题按2个问题计');
    // Its deadline is ahead of the day it is issued.
    const deadline = res.body.findings[0].problems[0].rectifyBy as string;
    expect(deadline >= beijingDate(new Date())).toBe(true);
  });
});
