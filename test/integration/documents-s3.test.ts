import {
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setS3Client } from '../../functions/adapters/documents/s3.ts';
import { setLinkCredentials } from '../../functions/adapters/documents/s3-links.ts';
import { DocumentStoreError } from '../../functions/errors.ts';
import { renderWeekDocuments } from '../../functions/jobs/render-week-documents.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { FIXTURE_NAMES, fixtureIds, ISSUE_TIME, storedFixture } from '../support/week-fixture.ts';

/**
 * The stack as it runs on AWS as far as documents go: DOCUMENTS_BUCKET set, so the jobs write to S3
 * and the download route answers with a presigned link. Only S3 is a stand-in (aws-sdk-client-mock
 * on the process's S3 client); the table, the routes and the job are the real ones.
 */
const BUCKET = 'baocun-docs-it';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret', sessionToken: 'TOKEN' };
const client = new S3Client({ region: 'cn-northwest-1', credentials, maxAttempts: 1 });
const s3 = mockClient(client);
const ids = fixtureIds();
let t: TestStack;
const previousBucket = process.env.DOCUMENTS_BUCKET;

const denied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403, requestId: 'REQ403' },
    message: 'Access Denied',
  });

beforeAll(async () => {
  t = await startTestStack();
  const admin = await t.as('admin');
  expect((await admin.post('/townships', { id: ids.township, name: '东风镇' })).status).toBe(201);
  const village = { id: ids.village, name: '红旗村', townshipId: ids.township, category: 'deep' };
  expect((await admin.post('/villages', village)).status).toBe(201);
  for (const [key, name] of Object.entries(FIXTURE_NAMES)) {
    const id = ids[key as keyof typeof FIXTURE_NAMES];
    const cadre = { id, name, unit: '县水务局', rank: 'section', townshipId: ids.township };
    expect((await admin.post('/cadres', cadre)).status).toBe(201);
  }
  process.env.DOCUMENTS_BUCKET = BUCKET;
  setS3Client(client);
  setLinkCredentials(credentials);
}, 60_000);
afterAll(async () => {
  if (previousBucket === undefined) delete process.env.DOCUMENTS_BUCKET;
  else process.env.DOCUMENTS_BUCKET = previousBucket;
  setS3Client(undefined);
  setLinkCredentials(undefined);
  s3.restore();
  await t.stop();
});
beforeEach(() => {
  s3.reset();
  setS3Client(client);
  setLinkCredentials(credentials);
});

async function download(path: string) {
  const token = await t.stack.token('admin-s3', 'admin');
  const res = await fetch(`${t.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('documents in the S3 bucket', () => {
  let bulletinId = '';
  let bulletinName = '';

  it('renders a week into the bucket: each file put under its key with its content type', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'none', $metadata: { httpStatusCode: 404 } }));
    s3.on(PutObjectCommand).resolves({});

    const week = await renderWeekDocuments(storedFixture(1), { now: ISSUE_TIME, pdf: null });

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.length).toBe(1 + week.notices.length);
    expect(puts).toContainEqual(
      expect.objectContaining({
        Bucket: BUCKET,
        Key: week.bulletin.files.html,
        ContentType: 'text/html; charset=utf-8',
      }),
    );
    bulletinId = week.bulletin.id;
    bulletinName = week.bulletin.fileName;
  }, 60_000);

  it('answers a download with 302 to a five-minute presigned link that keeps the Chinese name', async () => {
    const res = await download(`/notices/${bulletinId}/download?format=html`);

    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const url = new URL(res.headers.get('location')!);
    expect(url.host).toBe(`${BUCKET}.s3.cn-northwest-1.amazonaws.com.cn`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-type')).toBe('text/html; charset=utf-8');
    const disposition = url.searchParams.get('response-content-disposition')!;
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe(`${bulletinName}.html`);
  });

  it('fails a re-render loudly when S3 denies access, instead of taking the files for missing', async () => {
    s3.on(HeadObjectCommand).rejects(denied());
    s3.on(PutObjectCommand).resolves({});

    await expect(
      renderWeekDocuments(storedFixture(1), { now: ISSUE_TIME, pdf: null }),
    ).rejects.toBeInstanceOf(DocumentStoreError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('answers 500 with the usual error body (and logs the cause) when a link cannot be signed', async () => {
    setLinkCredentials(async () => {
      throw Object.assign(new Error('role session expired'), { name: 'ExpiredToken' });
    });
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    vi.stubEnv('LOG_SILENT', '0');
    let res: Awaited<ReturnType<typeof download>>;
    try {
      res = await download(`/notices/${bulletinId}/download?format=html`);
    } finally {
      vi.unstubAllEnvs();
      out.mockRestore();
      err.mockRestore();
    }

    expect(res.status).toBe(500);
    const body = JSON.parse(res.text) as { error: { code: string; message: string }; requestId: string };
    expect(body.error).toEqual({ code: 'INTERNAL', message: '服务器内部错误，请稍后重试' });
    expect(res.text).not.toContain('ExpiredToken');
    expect(written.join('')).toMatch(/DocumentStoreError[^\n]*presign GetObject[^\n]*ExpiredToken/);
  });
});
