// biome-ignore-all lint/performance/useDomNodeTextContent: these tests read what a person sees
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  horizontalOverflow,
  launchBrowser,
  screenshot,
  signedInPage,
  unlabelledInputs,
  waitForDeliveriesSettled,
  waitUntilKept,
} from '../support/browser.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Photos from a phone in real Chromium (360 px): a large camera photo picked on the inspection form
 * is shrunk on the phone to a JPEG of at most 1600 px (upright, capture time kept) and uploaded with
 * the problem; a problem recorded with no signal keeps its photo in the outbox with the form and is
 * sent exactly once when the signal returns, even when answers are lost on the way back; the cadre's
 * rectification carries "after" photos and the verification queue shows them beside the "before"
 * ones; without script the form still works, without photos, and the page says so.
 */
// Callbacks handed to page.evaluate run in the browser; the test program has no DOM types.
declare const indexedDB: any;
declare const navigator: any;
declare const performance: any;

let t: TestStack;
let admin: Caller;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let folder: string;
/** A 4000×3000 camera JPEG turned on its side (EXIF orientation 6), with capture time and GPS. */
let cameraPhoto: string;
let smallPng: string;

const township = uid('T');
const village = uid('V');
const cadre = uid('C');

async function scriptReady(p: Page): Promise<void> {
  await p.waitForFunction(() => performance.getEntriesByName('baocun-interactive').length > 0);
}

async function checkPage(p: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(p), `${name}: sideways overflow`).toBeLessThanOrEqual(0);
  expect(await unlabelledInputs(p), `${name}: unlabelled inputs`).toEqual([]);
  expect(await accessibilityViolations(p), `${name}: axe`).toEqual([]);
  await screenshot(p, name);
}

/** The outbox items on the device, with how many photos each holds and their byte sizes. */
async function outboxItems(p: Page): Promise<Array<{ title: string; photos: number[] }>> {
  return p.evaluate(
    () =>
      new Promise<Array<{ title: string; photos: number[] }>>((resolve, reject) => {
        const req = indexedDB.open('baocun');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('outbox')) {
            db.close();
            resolve([]);
            return;
          }
          const all = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(
              all.result.map((i: any) => ({
                title: i.title,
                photos: (i.photos ?? []).map((ph: any) => ph.blob.size),
              })),
            );
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

async function problemsOf(villageId: string): Promise<any[]> {
  const res = await admin.get(`/problems?villageId=${villageId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Opens the village's form with script, adds a problem row under the first cadre. */
async function problemRow(p: Page, description: string) {
  const finding = p.locator('fieldset.finding').nth(0);
  await finding.locator('[data-add-row]').click();
  const row = finding.locator('[data-problem-row]').last();
  await row.locator('textarea').fill(description);
  await row.locator('select[name$=".severity"]').selectOption('major');
  return row;
}

/**
 * What the phone sends for photos: each upload it asks for (type and size, from the form body) and
 * each PUT of bytes (its type). Playwright does not hand out Blob bodies, so the bytes themselves are
 * judged by what the server made of them.
 */
function watchUploads(ctx: BrowserContext) {
  const asked: Array<{ contentType: string; size: number }> = [];
  const puts: string[] = [];
  ctx.on('request', (r: Request) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/app/uploads') {
      const form = new URLSearchParams(r.postData() ?? '');
      asked.push({ contentType: form.get('contentType') ?? '', size: Number(form.get('size')) });
    }
    if (r.method() === 'PUT') puts.push(r.headers()['content-type'] ?? '');
  });
  return { asked, puts };
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'baocun-photos-'));
  cameraPhoto = join(folder, 'IMG_0001.jpg');
  // Noise, so the JPEG is the size of a real photo (several MB) rather than a flat colour.
  const width = 4000;
  const height = 3000;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  writeFileSync(
    cameraPhoto,
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 92 })
      .withExif({
        IFD0: { Make: 'TestCam', Model: 'Phone 1' },
        IFD2: { DateTimeOriginal: '2026:11:23 09:41:07' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '30/1 15/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '107/1 30/1 0/1',
        },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  smallPng = join(folder, 'screenshot.png');
  writeFileSync(
    smallPng,
    await sharp({
      create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } },
    })
      .png()
      .toBuffer(),
  );

  t = await startTestStack();
  admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
  ]);
  browser = await launchBrowser();
  ({ context, page, errors } = await signedInPage(
    browser,
    t.url,
    { sub: 'inspector-1', role: 'inspector' },
    // Offline on purpose: the page's and the worker's sends fail while the phone has no signal.
    { ignore: [/Failed to load resource|ERR_INTERNET_DISCONNECTED|net::ERR_FAILED/] },
  ));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('photos from the phone', () => {
  it('shrinks a large camera photo to an upright JPEG of at most 1600 px and files it with the problem', async () => {
    const sent = watchUploads(context);
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    const row = await problemRow(page, '村务公开栏照片已过期');
    const field = row.locator('[data-photo-field]');
    await expect(field.isVisible()).resolves.toBe(true);
    await row.locator('input[type="file"]:not([capture])').setInputFiles(cameraPhoto);
    const preview = row.locator('.photo-preview img');
    await preview.waitFor({ state: 'visible' });
    await expect(row.locator('[data-photo-status]').textContent()).resolves.toBe('已附 1 张照片');
    await checkPage(page, 'photos-inspection-picked');

    await page.locator('form[data-form="inspection"] button[type="submit"]').click();
    await page.waitForURL('**/app/inspector?done=inspection');

    // What went over the line: one JPEG, far smaller than the 4000×3000 camera file.
    expect(sent.asked).toHaveLength(1);
    expect(sent.asked[0]!.contentType).toBe('image/jpeg');
    expect(sent.asked[0]!.size).toBeLessThan(statSync(cameraPhoto).size / 4);
    expect(sent.puts).toEqual(['image/jpeg']);

    const [problem] = await problemsOf(village);
    const detail = (await admin.get(`/problems/${problem.id}`)).body;
    expect(detail.photos).toHaveLength(1);
    // 1200×1600: shrunk to 1600 px on the phone (the server keeps up to 2048) and turned upright.
    expect(detail.photos[0]).toMatchObject({ width: 1200, height: 1600 });
    // The capture time and place came through the shrink.
    expect(detail.photos[0].takenAt).toMatch(/^2026-11-23T09:41:07/);
    expect(detail.photos[0].location.lat).toBeCloseTo(30.25, 3);
    expect(errors).toEqual([]);
  });

  it('keeps photos with a form queued offline and sends both exactly once, even when answers are lost', async () => {
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    await waitUntilKept(page, `/app/inspector/villages/${village}`);

    await context.setOffline(true);
    await page.goto(`${t.url}/app/inspector/villages/${village}`);
    await scriptReady(page);
    const row = await problemRow(page, '危房改造资料未归档');
    await row.locator('input[type="file"]:not([capture])').setInputFiles([cameraPhoto, smallPng]);
    await row.locator('.photo-preview img').nth(1).waitFor({ state: 'visible' });
    // Removing one: only the other is kept.
    await row.locator('.photo-remove').nth(1).click();
    await expect(row.locator('.photo-preview').count()).resolves.toBe(1);
    await page.locator('form[data-form="inspection"] button[type="submit"]').click();
    await page.locator('[data-queued]').waitFor({ state: 'visible' });

    const kept = await outboxItems(page);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.photos).toHaveLength(1);
    expect(kept[0]!.photos[0]).toBeGreaterThan(10_000);
    expect(await problemsOf(village)).toHaveLength(1);

    // Back online, the first answers of the upload request and of the form are lost on the way back
    // (the server did the work): the retries carry the same keys and change nothing.
    const answers: string[] = [];
    let lostUpload = false;
    let lostForm = false;
    await context.route('**/app/uploads', async (route) => {
      const response = await route.fetch();
      answers.push((await response.json()).id);
      if (!lostUpload) {
        lostUpload = true;
        await route.abort('connectionreset');
        return;
      }
      await route.fulfill({ response });
    });
    await context.route(`**/app/inspector/villages/${village}/inspections`, async (route) => {
      const response = await route.fetch();
      if (!lostForm) {
        lostForm = true;
        await route.abort('connectionreset');
        return;
      }
      await route.fulfill({ response });
    });
    await context.setOffline(false);
    // The page's timer, the `online` event and the worker's sync all try: wait until it is done.
    await page.locator('#outbox').waitFor({ state: 'hidden', timeout: 60_000 });
    await waitForDeliveriesSettled(page);
    await context.unroute('**/app/uploads');
    await context.unroute(`**/app/inspector/villages/${village}/inspections`);

    expect(lostUpload && lostForm).toBe(true);
    expect(new Set(answers).size).toBe(1);
    expect(await outboxItems(page)).toEqual([]);
    const problems = await problemsOf(village);
    expect(problems).toHaveLength(2);
    const queued = problems.find((p) => p.description === '危房改造资料未归档');
    const detail = (await admin.get(`/problems/${queued.id}`)).body;
    expect(detail.photos.map((p: { id: string }) => p.id)).toEqual([answers[0]]);
  });

  it('shows without script that photos need it, and the form still files the problem', async () => {
    const { context: plain, page: p } = await signedInPage(
      browser,
      t.url,
      { sub: 'inspector-2', role: 'inspector' },
      { javaScriptEnabled: false },
    );
    try {
      await p.goto(`${t.url}/app/inspector/villages/${village}`);
      await expect(p.locator('[data-photo-field]').first().isVisible()).resolves.toBe(false);
      await expect(p.locator('main').textContent()).resolves.toContain('需要开启浏览器脚本才能附照片');
      const row = p.locator('fieldset.finding').nth(0).locator('[data-problem-row]').nth(0);
      await row.locator('textarea').fill('环境整治台账缺页');
      await row.locator('select[name$=".severity"]').selectOption('minor');
      await p.locator('form[data-form="inspection"] button[type="submit"]').click();
      await p.waitForURL('**/app/inspector?done=inspection');
      const filed = (await problemsOf(village)).find((x) => x.description === '环境整治台账缺页');
      expect(filed).toBeDefined();
    } finally {
      await plain.close();
    }
  });
});

describe('before and after', () => {
  it('the cadre rectifies with an after photo; the verification queue shows before and after side by side', async () => {
    const problems = await problemsOf(village);
    const withPhoto = problems.find((p) => p.description === '村务公开栏照片已过期');
    const { context: phone, page: p } = await signedInPage(browser, t.url, { sub: cadre, role: 'cadre' });
    try {
      await p.goto(`${t.url}/app/cadre/problems/${withPhoto.id}`);
      await scriptReady(p);
      await p.locator('textarea').fill('已更换公开栏照片并张贴本月村务');
      await p
        .locator('form[data-form="rectification"] input[type="file"]:not([capture])')
        .setInputFiles(smallPng);
      await p.locator('.photo-preview img').waitFor({ state: 'visible' });
      await checkPage(p, 'photos-cadre-rectification');
      await p.locator('form[data-form="rectification"] button[type="submit"]').click();
      await p.waitForURL('**/app/cadre/problems?done=rectification');
    } finally {
      await phone.close();
    }

    await page.goto(`${t.url}/app/inspector/verifications`);
    await scriptReady(page);
    const item = page.locator('.verify-item', { hasText: '村务公开栏照片已过期' });
    const before = item.locator('[data-photos="before"] img');
    const after = item.locator('[data-photos="after"] img');
    await expect(before.count()).resolves.toBe(1);
    await expect(after.count()).resolves.toBe(1);
    // Side by side on the phone: the two columns share a row.
    const [b, a] = await Promise.all([
      item.locator('[data-photos="before"]').boundingBox(),
      item.locator('[data-photos="after"]').boundingBox(),
    ]);
    expect(Math.abs(b!.y - a!.y)).toBeLessThan(2);
    expect(b!.x).toBeLessThan(a!.x);
    // The thumbnails load, and link to the full photo.
    for (const img of [before, after]) {
      await expect(img.evaluate((el: any) => el.complete && el.naturalWidth > 0)).resolves.toBe(true);
      const href = await img.locator('xpath=ancestor::a[1]').getAttribute('href');
      const res = await page.request.get(new URL(href!, t.url).href);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('image/jpeg');
    }
    await checkPage(page, 'photos-verification-before-after');
  });
});
