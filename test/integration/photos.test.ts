import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUpload } from '../../functions/adapters/dynamo/photos.ts';
import { localPhotoFiles } from '../../functions/adapters/photos/local.ts';
import { photoKeys } from '../../functions/adapters/photos/port.ts';
import { PHOTO_MAX_BYTES } from '../../functions/core/photos.ts';
import { beijingDate } from '../../functions/core/time.ts';
import { createRoster } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
});
afterAll(async () => {
  await t.stop();
});

const today = () => beijingDate(new Date());

/** A photo as a phone takes it: upright only by its EXIF orientation, with capture time, GPS and the owner's name. */
async function cameraJpeg(width = 1200, height = 900): Promise<Buffer> {
  const base = await sharp({ create: { width, height, channels: 3, background: '#3a7' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Artist: 'Zhang San 13800000000' },
      IFD2: { DateTimeOriginal: '2026:11:20 10:30:00' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '36/1 30/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '104/1 15/1 36/1',
      },
    })
    .toBuffer();
  return base;
}

const png = () =>
  sharp({ create: { width: 400, height: 300, channels: 4, background: '#c33' } })
    .png()
    .toBuffer();
const webp = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#36c' } })
    .webp()
    .toBuffer();

/** A valid PNG signature and IHDR chunk, then garbage: magic bytes alone must not pass. */
async function fakePng(): Promise<Buffer> {
  const real = await png();
  return Buffer.concat([real.subarray(0, 33), Buffer.alloc(2000, 0x5a)]);
}

type Purpose = 'problem' | 'rectification' | 'visit';

async function ticket(who: Caller, purpose: Purpose, bytes: Buffer, contentType = 'image/jpeg') {
  const res = await who.post('/uploads', { purpose, contentType, size: bytes.length });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; uploadUrl: string; headers: Record<string, string>; expiresAt: string };
}

/** The bytes go to the upload URL with nothing but the headers it names: no token. */
function put(uploadUrl: string, bytes: Buffer, headers: Record<string, string>) {
  return fetch(new URL(uploadUrl, t.url), { method: 'PUT', headers, body: bytes });
}

async function upload(who: Caller, purpose: Purpose, bytes: Buffer, contentType = 'image/jpeg') {
  const tk = await ticket(who, purpose, bytes, contentType);
  const res = await put(tk.uploadUrl, bytes, tk.headers);
  expect(res.status).toBe(200);
  return tk.id;
}

async function setup() {
  const r = await createRoster(admin, { cadres: 2, category: 'general' });
  const cadres = await Promise.all(r.cadreIds.map((id) => t.as('cadre', id)));
  return { ...r, cadres };
}

function inspectionWith(s: Awaited<ReturnType<typeof setup>>, photoIds: string[], cadre = 0) {
  return {
    villageId: s.villageId,
    date: today(),
    mode: 'open',
    findings: [
      {
        cadreId: s.cadreIds[cadre],
        present: true,
        problems: [{ description: '村务公开栏未更新', severity: 'minor', photoIds }],
      },
    ],
  };
}

async function nothingWritten(s: Awaited<ReturnType<typeof setup>>) {
  const [inspections, problems] = await Promise.all([
    admin.get(`/inspections?villageId=${s.villageId}`),
    admin.get(`/problems?villageId=${s.villageId}`),
  ]);
  expect(inspections.body.items).toEqual([]);
  expect(problems.body.items).toEqual([]);
}

describe('POST /uploads', () => {
  it('gives an upload URL, the headers to send and its expiry, and audits the upload', async () => {
    const res = await inspector.post('/uploads', {
      purpose: 'problem',
      contentType: 'image/jpeg',
      size: 1234,
    });
    expect(res.status).toBe(201);
    expect(res.body.uploadUrl).toMatch(/^\/local\/photos\/uploads\//);
    expect(res.body.headers).toEqual({ 'Content-Type': 'image/jpeg' });
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(10 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const audit = await admin.get(`/audit?entityType=photo&entityId=${res.body.id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['upload']);
  });

  it.each([
    [{ purpose: 'problem', contentType: 'image/gif', size: 10 }, 'body.contentType', 'JPEG、PNG 或 WebP'],
    [{ purpose: 'problem', contentType: 'image/jpeg', size: PHOTO_MAX_BYTES + 1 }, 'body.size', '10 MB'],
    [{ purpose: 'problem', contentType: 'image/jpeg', size: 0 }, 'body.size', '空文件'],
    [{ purpose: 'selfie', contentType: 'image/jpeg', size: 10 }, 'body.purpose', '照片用途'],
  ])('refuses %j with a Chinese field message and writes nothing', async (body, path, words) => {
    const res = await inspector.post('/uploads', body);
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field.message).toContain(words);
    expect(field.message).not.toMatch(/image\/|problem|rectification/);
  });

  it.each([
    ['cadre', 'problem'],
    ['inspector', 'rectification'],
    ['inspector', 'visit'],
  ] as const)('a %s may not upload %s photos (403)', async (role, purpose) => {
    const who = await t.as(role);
    const res = await who.post('/uploads', { purpose, contentType: 'image/jpeg', size: 100 });
    expect(res.status).toBe(403);
  });

  it('replays the same ticket for the same Idempotency-Key', async () => {
    const body = { purpose: 'problem', contentType: 'image/png', size: 500 };
    const key = { 'Idempotency-Key': `upl-${uid('k')}` };
    const a = await inspector.post('/uploads', body, key);
    const b = await inspector.post('/uploads', body, key);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
  });
});

describe('PUT to the upload URL (county server)', () => {
  it('refuses more bytes than were declared, as they stream (413), and keeps nothing', async () => {
    const bytes = await png();
    const tk = await ticket(inspector, 'problem', bytes, 'image/png');
    const res = await put(tk.uploadUrl, Buffer.concat([bytes, Buffer.alloc(10)]), tk.headers);
    expect(res.status).toBe(413);
    expect(await localPhotoFiles().get(photoKeys.raw(tk.id))).toBeUndefined();
    expect((await getUpload(tk.id))?.status).toBe('pending');
  });

  it('refuses a body over 10 MB even with a forged size in the URL', async () => {
    const tk = await ticket(inspector, 'problem', Buffer.alloc(100));
    const forged = tk.uploadUrl.replace(/size=\d+/, `size=${PHOTO_MAX_BYTES + 5}`);
    const res = await put(forged, Buffer.alloc(PHOTO_MAX_BYTES + 5), tk.headers);
    expect(res.status).toBe(413);
    expect(await localPhotoFiles().get(photoKeys.raw(tk.id))).toBeUndefined();
  });

  it('refuses an altered signature, another content type and fewer bytes', async () => {
    const bytes = await png();
    const tk = await ticket(inspector, 'problem', bytes, 'image/png');
    const badSig = tk.uploadUrl.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await put(badSig, bytes, tk.headers)).status).toBe(413); // no body allowed without a valid signature
    expect((await put(tk.uploadUrl, bytes, { 'Content-Type': 'image/jpeg' })).status).toBe(400);
    expect((await put(tk.uploadUrl, bytes.subarray(1), tk.headers)).status).toBe(400);
    expect((await put(tk.uploadUrl, bytes, tk.headers)).status).toBe(200);
  });
});

describe('photos on problems (POST /inspections)', () => {
  it('re-encodes, strips EXIF, keeps capture time and GPS, makes a thumbnail, and lists the photos', async () => {
    const s = await setup();
    const id = await upload(inspector, 'problem', await cameraJpeg());
    const res = await inspector.post('/inspections', inspectionWith(s, [id]));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const listed = res.body.findings[0].problems[0];
    expect(listed.photoIds).toEqual([id]);
    expect(listed.photos[0]).toMatchObject({
      id,
      takenAt: '2026-11-20T10:30:00',
      location: { lat: 36.5, lng: 104.26 },
      width: 1200,
      height: 900,
    });

    const stored = await localPhotoFiles().get(photoKeys.full(id));
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(stored?.includes(Buffer.from('TestCam'))).toBe(false);
    const thumb = await sharp(await localPhotoFiles().get(photoKeys.thumbnail(id))).metadata();
    expect([thumb.width, thumb.height]).toEqual([320, 240]);
    // The raw upload, EXIF and all, is gone.
    expect(await localPhotoFiles().get(photoKeys.raw(id))).toBeUndefined();

    const record = await getUpload(id);
    expect(record).toMatchObject({
      status: 'claimed',
      subject: { kind: 'problem', id: listed.id, cadreId: s.cadreIds[0] },
      takenAt: '2026-11-20T10:30:00',
      location: { lat: 36.5, lng: 104.26 },
    });
    const audit = await admin.get(`/audit?entityType=photo&entityId=${id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(['claim', 'upload']);

    // The problem's own page lists them with links that work without a token.
    const detail = await inspector.get(`/problems/${listed.id}`);
    expect(detail.body.photos).toHaveLength(1);
    const img = await fetch(new URL(detail.body.photos[0].thumbnailUrl, t.url));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const tampered = detail.body.photos[0].url.replace(/sig=[^&]+/, 'sig=x');
    expect((await fetch(new URL(tampered, t.url))).status).toBe(403);
  });

  it('turns a photo upright by its EXIF orientation', async () => {
    const s = await setup();
    const sideways = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#888' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const id = await upload(inspector, 'problem', sideways);
    const res = await inspector.post('/inspections', inspectionWith(s, [id]));
    expect(res.status).toBe(201);
    const meta = await sharp(await localPhotoFiles().get(photoKeys.full(id))).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([200, 400, undefined]);
  });

  it('refuses a PNG header followed by garbage (PHOTO_INVALID) and writes nothing', async () => {
    const s = await setup();
    const good = await upload(inspector, 'problem', await cameraJpeg(300, 200));
    const bad = await upload(inspector, 'problem', await fakePng(), 'image/png');
    const res = await inspector.post('/inspections', inspectionWith(s, [good, bad]));
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      expect.objectContaining({ path: 'body.findings.0.problems.0.photoIds.1', code: 'PHOTO_INVALID' }),
    ]);
    expect(res.body.error.fields[0].message).toMatch(/JPEG、PNG 或 WebP/);
    await nothingWritten(s);
    // Neither photo was claimed: the good one can still be used.
    expect((await getUpload(good))?.status).toBe('uploaded');
    expect(await localPhotoFiles().get(photoKeys.full(good))).toBeUndefined();
  });

  it.each([
    ['another person’s upload', 'PHOTO_NOT_YOURS'],
    ['an upload whose bytes never came', 'PHOTO_NOT_UPLOADED'],
    ['an unknown id', 'PHOTO_NOT_FOUND'],
    ['the same photo twice', 'DUPLICATE'],
  ])('refuses %s (%s) and writes nothing', async (what, code) => {
    const s = await setup();
    const bytes = await cameraJpeg(300, 200);
    let ids: string[];
    if (code === 'PHOTO_NOT_YOURS') ids = [await upload(await t.as('inspector'), 'problem', bytes)];
    else if (code === 'PHOTO_NOT_UPLOADED') ids = [(await ticket(inspector, 'problem', bytes)).id];
    else if (code === 'PHOTO_NOT_FOUND') ids = ['01NOSUCHUPLOAD0000000000000'];
    else {
      const id = await upload(inspector, 'problem', bytes);
      ids = [id, id];
    }
    const res = await inspector.post('/inspections', inspectionWith(s, ids));
    expect(res.status, what).toBe(400);
    expect(res.body.error.fields.map((f: { code: string }) => f.code)).toContain(code);
    await nothingWritten(s);
  });

  it('refuses the uploader’s own visit photo on a rectification (PHOTO_WRONG_PURPOSE) and records nothing', async () => {
    const s = await setup();
    const cadre = s.cadres[0] as Caller;
    const own = await upload(cadre, 'visit', await cameraJpeg(300, 200));
    const problemRes = await inspector.post('/inspections', inspectionWith(s, []));
    const problemId = problemRes.body.findings[0].problems[0].id;
    const rect = await cadre.post(`/problems/${problemId}/rectifications`, {
      note: '已整改',
      photoIds: [own],
    });
    expect(rect.status).toBe(400);
    expect(rect.body.error.fields[0]).toMatchObject({ path: 'body.photoIds.0', code: 'PHOTO_WRONG_PURPOSE' });
    expect((await inspector.get(`/problems/${problemId}`)).body.status).toBe('open');
  });

  it('a photo belongs to one record: a second record naming it is refused', async () => {
    const s = await setup();
    const id = await upload(inspector, 'problem', await cameraJpeg(300, 200));
    expect((await inspector.post('/inspections', inspectionWith(s, [id]))).status).toBe(201);
    const again = await inspector.post('/inspections', inspectionWith(s, [id], 1));
    expect(again.status).toBe(400);
    expect(again.body.error.fields[0]).toMatchObject({ code: 'PHOTO_ALREADY_USED' });
  });

  it('a retry with the same Idempotency-Key answers the same and claims nothing twice', async () => {
    const s = await setup();
    const id = await upload(inspector, 'problem', await cameraJpeg(300, 200));
    const key = { 'Idempotency-Key': `insp-${uid('k')}` };
    const a = await inspector.post('/inspections', inspectionWith(s, [id]), key);
    const b = await inspector.post('/inspections', inspectionWith(s, [id]), key);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.problemIds).toEqual(a.body.problemIds);
  });
});

describe('photos on rectifications, and who may see them', () => {
  it('takes PNG and WebP from the cadre, lists them on the event, and lets only the cadre concerned and staff read them', async () => {
    const s = await setup();
    const created = await inspector.post('/inspections', inspectionWith(s, []));
    const problemId = created.body.findings[0].problems[0].id;
    const cadre = s.cadres[0] as Caller;
    const other = s.cadres[1] as Caller;
    const a = await upload(cadre, 'rectification', await png(), 'image/png');
    const b = await upload(cadre, 'rectification', await webp(), 'image/webp');
    const res = await cadre.post(`/problems/${problemId}/rectifications`, {
      note: '已整改',
      photoIds: [a, b],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.photos.map((p: { id: string }) => p.id)).toEqual([a, b]);

    const detail = await cadre.get(`/problems/${problemId}`);
    const event = detail.body.events.find((e: { kind: string }) => e.kind === 'rectification');
    expect(event.photoIds).toEqual([a, b]);
    expect(event.photos).toHaveLength(2);
    expect((await sharp(await localPhotoFiles().get(photoKeys.full(b))).metadata()).format).toBe('jpeg');

    for (const who of [cadre, inspector, admin]) {
      const photo = await who.get(`/photos/${a}`);
      expect(photo.status).toBe(200);
      expect(photo.headers.get('content-type')).toBe('image/jpeg');
      expect((await who.get(`/photos/${a}/thumbnail`)).status).toBe(200);
    }
    expect((await other.get(`/photos/${a}`)).status).toBe(403);
    expect((await other.get(`/photos/${a}/thumbnail`)).status).toBe(403);
    expect((await admin.get('/photos/01NOSUCHPHOTO0000000000000')).status).toBe(404);
  });

  it('an unclaimed upload is visible to its uploader only', async () => {
    const id = await upload(inspector, 'problem', await png(), 'image/png');
    expect((await admin.get(`/photos/${id}`)).status).toBe(404);
    expect((await inspector.get(`/photos/${id}`)).status).toBe(404);
  });
});

describe('EXIF as it arrives', () => {
  it('the camera JPEG really carries the EXIF the server must strip', async () => {
    const meta = await sharp(await cameraJpeg(100, 100)).metadata();
    const tags = exifReader(meta.exif as Buffer);
    expect(tags.Image?.Artist).toContain('Zhang San');
    expect(tags.GPSInfo?.GPSLatitude).toEqual([36, 30, 0]);
  });
});
