import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, pageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * HQ's 发文设置 page over real HTTP, as a browser without JavaScript posts it: the form filled from
 * GET /settings/issuer, saved through PUT with the version it was filled from (hidden `_version`),
 * field messages in Chinese, a conflict shown in plain words with what was typed, and only HQ.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

const PAGE = '/app/admin/settings/issuer';
const SETTINGS = {
  countyName: '青岚县',
  issuingBody: '中共青岚县委脱贫攻坚指挥部督查室',
  agencyCode: '青脱指',
  cc: '县委办公室，县政府办公室',
  signerTitle: '指挥长',
  rulesDocumentName: '青岚县干部包村工作督查问责办法',
};

const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)?.[1] ?? '';
const versionOf = (html: string) => /name="_version" value="(\d+)"/.exec(html)?.[1] ?? '';

/** The form as the page shows it now: its key and version, for a post. */
async function openForm() {
  const res = await hq.get(PAGE);
  expect(res.status).toBe(200);
  return { _key: keyOf(res.text), _version: versionOf(res.text), html: res.text };
}

/** A township's staff member signed in to the pages (the local sign-in takes their township). */
async function townshipStaff(): Promise<PageClient> {
  const townshipId = uid('T');
  expect((await api.post('/townships', { id: townshipId, name: '青石乡' })).status).toBe(201);
  const res = await fetch(`${t.url}/local/token`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
    body: new URLSearchParams({ sub: 'staff-settings', role: 'township', townshipId }).toString(),
  });
  const cookie = /bc_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  expect(res.status).toBe(303);
  return pageClient(t.url, cookie);
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});
afterAll(() => t?.stop());

describe('HQ issuer settings page', () => {
  it("is linked from HQ's navigation and shows the first values, version 0, before anyone saves", async () => {
    const home = await hq.get('/app/admin');
    expect(home.text).toContain(`href="${PAGE}"`);
    const form = await openForm();
    expect(form._version).toBe('0');
    expect(form.html).toContain('尚未保存');
    expect(form.html).toMatch(/name="agencyCode" value="指"/);
  });

  it('saves through the form with the version read: 303, a confirmation, the new values in the API, audited', async () => {
    const { _key, _version } = await openForm();
    const res = await hq.post(PAGE, { _key, _version, ...SETTINGS });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PAGE}?done=saved`);
    const saved = await api.get('/settings/issuer');
    expect(saved.body).toMatchObject({ ...SETTINGS, version: 1, updatedBy: 'hq-admin' });
    const shown = await hq.get(res.location!);
    expect(shown.text).toContain('发文设置已保存（第 1 版）');
    expect(shown.text).toContain('青脱指谈〔2026〕4号');
    expect(versionOf(shown.text)).toBe('1');
    // The same post again (a double tap) is the same save, not a second one.
    const again = await hq.post(PAGE, { _key, _version, ...SETTINGS });
    expect(again.status).toBe(303);
    expect((await api.get('/settings/issuer')).body.version).toBe(1);
    const audit = await api.get('/audit?entityType=settings&entityId=issuer');
    expect(audit.body.items).toHaveLength(1);
  });

  it('refuses bad fields with Chinese messages beside them, keeping what was typed, saving nothing', async () => {
    const { _key, _version } = await openForm();
    const res = await hq.post(PAGE, { _key, _version, ...SETTINGS, agencyCode: 'QTZ', signerTitle: '' });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'agencyCode' })).toContain('机关代字只能是汉字');
    expect(textOf(res.text, { errorFor: 'signerTitle' })).not.toBe('');
    expect(res.text).toMatch(/name="agencyCode" value="QTZ"/);
    expect(versionOf(res.text)).toBe(_version);
    expect((await api.get('/settings/issuer')).body).toMatchObject({ agencyCode: '青脱指', version: 1 });
  });

  it('says plainly that someone else saved first (412), showing the current settings and what was typed', async () => {
    const stale = await openForm();
    // Someone else saves in between.
    const other = await api.send(
      'PUT',
      '/settings/issuer',
      JSON.stringify({ ...SETTINGS, signerTitle: '副指挥长' }),
      { 'content-type': 'application/json', 'if-match': `"${stale._version}"` },
    );
    expect(other.status).toBe(200);
    const res = await hq.post(PAGE, {
      _key: stale._key,
      _version: stale._version,
      ...SETTINGS,
      cc: '县委办公室',
    });
    expect(res.status).toBe(412);
    expect(res.text).toContain('已被他人修改，请核对后重新保存');
    expect(res.text).toContain('抄送：县委办公室');
    // The form now carries the current version and values: saving again goes through.
    expect(versionOf(res.text)).toBe('2');
    expect(res.text).toMatch(/name="signerTitle" value="副指挥长"/);
    expect(res.text).not.toContain('VERSION_CONFLICT');
    expect((await api.get('/settings/issuer')).body).toMatchObject({ signerTitle: '副指挥长', version: 2 });
    const retry = await hq.post(PAGE, {
      _key: keyOf(res.text),
      _version: versionOf(res.text),
      ...SETTINGS,
      signerTitle: '副指挥长',
      cc: '县委办公室',
    });
    expect(retry.status).toBe(303);
    expect((await api.get('/settings/issuer')).body).toMatchObject({ cc: '县委办公室', version: 3 });
  });

  it.each([
    ['township', 'township'],
    ['leader', 'leader'],
    ['inspector', 'inspector'],
    ['cadre', 'cadre'],
  ] as const)("is HQ's only: a %s may neither open nor post it", async (_who, role) => {
    const other =
      role === 'township' ? await townshipStaff() : await signInPages(t.url, `${role}-settings`, role);
    expect((await other.get(PAGE)).status).toBe(403);
    const res = await other.post(PAGE, { _key: 'k-1', _version: '3', ...SETTINGS, agencyCode: '乱' });
    expect(res.status).toBe(403);
    expect((await api.get('/settings/issuer')).body.agencyCode).toBe('青脱指');
  });
});
