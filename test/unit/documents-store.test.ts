import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3DocumentStore } from '../../functions/adapters/documents/s3.ts';
import {
  attachmentDisposition,
  presignedDownload,
  setLinkCredentials,
} from '../../functions/adapters/documents/s3-links.ts';
import { LocalDocumentStore } from '../../functions/adapters/documents/store.ts';
import { resetConfig } from '../../functions/config.ts';
import { AppError, DocumentStoreError } from '../../functions/errors.ts';

/**
 * The S3 adapter against the SDK itself: aws-sdk-client-mock stands in for S3 where the command's
 * input is the request shape; a stub HTTP handler stands in for it where S3's wire answers (a HEAD's
 * bodiless 403, an XML AccessDenied) must go through the SDK's own error parsing.
 */
const BUCKET = 'baocun-docs';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret', sessionToken: 'TOKEN' };
const newClient = (extra: ConstructorParameters<typeof S3Client>[0] = {}) =>
  new S3Client({ region: 'cn-northwest-1', credentials, maxAttempts: 1, ...extra });

const denied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403, requestId: 'REQ403' },
    message: 'Access Denied',
  });

describe('S3 document store: requests', () => {
  const client = newClient();
  const s3 = mockClient(client);
  const store = new S3DocumentStore({ bucket: BUCKET, client });
  beforeEach(() => {
    s3.reset();
  });

  it('puts a file under its key with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put('2026/W47/X.html', '<p>通报</p>', 'text/html; charset=utf-8');
    const [call] = s3.commandCalls(PutObjectCommand);
    expect(call!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: '2026/W47/X.html',
      Body: Buffer.from('<p>通报</p>', 'utf8'),
      ContentType: 'text/html; charset=utf-8',
    });
  });

  it('gets a file’s bytes, typed by its key', async () => {
    const bytes = Buffer.from('%PDF-1.7');
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: '2026/W47/X.pdf' }).resolves({
      Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never,
    });
    expect(await store.get('2026/W47/X.pdf')).toEqual({ body: bytes, contentType: 'application/pdf' });
  });

  it('knows a file exists from a HEAD', async () => {
    s3.on(HeadObjectCommand, { Bucket: BUCKET, Key: '2026/W47/X.pdf' }).resolves({});
    expect(await store.has('2026/W47/X.pdf')).toBe(true);
  });

  it('reads NoSuchKey and NotFound as “no such file”', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } }));
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'gone', $metadata: { httpStatusCode: 404 } }));
    expect(await store.get('2026/W47/gone.pdf')).toBeUndefined();
    expect(await store.has('2026/W47/gone.pdf')).toBe(false);
  });

  it.each([
    ['get', () => store.get('2026/W47/X.pdf'), 'GetObject'],
    ['has', () => store.has('2026/W47/X.pdf'), 'HeadObject'],
    ['put', () => store.put('2026/W47/X.pdf', Buffer.from('x'), 'application/pdf'), 'PutObject'],
  ] as const)(
    'surfaces AccessDenied from %s as a 500-class error, never as “not found”',
    async (_, act, operation) => {
      s3.on(GetObjectCommand).rejects(denied());
      s3.on(HeadObjectCommand).rejects(denied());
      s3.on(PutObjectCommand).rejects(denied());

      const error = await act().then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(DocumentStoreError);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(500);
      expect((error as Error).message).toBe(
        `S3 ${operation} s3://${BUCKET}/2026/W47/X.pdf failed: AccessDenied (HTTP 403, request REQ403)`,
      );
      expect((error as Error).cause).toBeInstanceOf(S3ServiceException);
    },
  );
});

describe('download links (s3-links.ts: the S3 presigner without the S3 client)', () => {
  beforeAll(() => {
    setLinkCredentials(credentials);
    vi.stubEnv('TABLE_NAME', 'links');
    vi.stubEnv('AWS_REGION', 'cn-northwest-1');
    resetConfig();
  });
  afterAll(() => {
    setLinkCredentials(undefined);
    vi.unstubAllEnvs();
    resetConfig();
  });

  it('presigns a five-minute GET on the China endpoint that names the file in Chinese (RFC 5987)', async () => {
    const url = new URL(
      await presignedDownload(BUCKET, '2026/W47/X.pdf', '周通报(2026)-W47.pdf', 'application/pdf'),
    );

    expect(url.origin).toBe('https://baocun-docs.s3.cn-northwest-1.amazonaws.com.cn');
    expect(url.pathname).toBe('/2026/W47/X.pdf');
    const q = url.searchParams;
    expect(q.get('X-Amz-Expires')).toBe('300');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/cn-northwest-1\/s3\/aws4_request$/,
    );
    // Only the host is signed: a browser following the 302 sends nothing else the signature needs.
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Security-Token')).toBe('TOKEN');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('response-content-type')).toBe('application/pdf');
    expect(q.get('response-content-disposition')).toBe(
      'attachment; filename="download.pdf"; filename*=UTF-8\'\'%E5%91%A8%E9%80%9A%E6%8A%A5%282026%29-W47.pdf',
    );
  });

  it.each(['cn-northwest-1', 'ap-east-1'])(
    'makes exactly the link the S3 client’s getSignedUrl(GetObject) makes (%s)',
    async (region) => {
      vi.stubEnv('AWS_REGION', region);
      resetConfig();
      setLinkCredentials(credentials);
      const signingDate = new Date('2026-11-30T02:00:00Z');
      const key = 'exports/T1/名单 (1).xlsx';
      const expected = await getSignedUrl(
        newClient({ region }),
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: key,
          ResponseContentDisposition: attachmentDisposition('名单.xlsx'),
          ResponseContentType: 'application/octet-stream',
        }),
        { expiresIn: 300, signingDate },
      );
      const made = await presignedDownload(BUCKET, key, '名单.xlsx', 'application/octet-stream', {
        signingDate,
      });
      expect(made).toBe(expected);
      vi.stubEnv('AWS_REGION', 'cn-northwest-1');
      resetConfig();
      setLinkCredentials(credentials);
    },
  );

  it('fails as a DocumentStoreError (a 500, never a missing file) when no credentials can be had', async () => {
    setLinkCredentials(async () => {
      throw Object.assign(new Error('role session expired'), { name: 'ExpiredToken' });
    });
    try {
      await expect(presignedDownload(BUCKET, 'k.pdf', 'k.pdf', 'application/pdf')).rejects.toBeInstanceOf(
        DocumentStoreError,
      );
    } finally {
      setLinkCredentials(credentials);
    }
  });
});

/** S3 as the wire sees it: each request answered by `answer`, every request kept. */
function wireClient(answer: (method: string) => { statusCode: number; body?: string }) {
  const requests: { method: string; hostname: string; path: string; headers: Record<string, string> }[] = [];
  const client = newClient({
    requestHandler: {
      async handle(request: {
        method: string;
        hostname: string;
        path: string;
        headers: Record<string, string>;
      }) {
        requests.push(request);
        const { statusCode, body } = answer(request.method);
        return {
          response: {
            statusCode,
            headers: body ? { 'content-type': 'application/xml' } : {},
            body: Readable.from(body ? [Buffer.from(body)] : []),
          },
        };
      },
    } as never,
  });
  return { requests, store: new S3DocumentStore({ bucket: BUCKET, client }) };
}

const xmlError = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message><RequestId>R1</RequestId></Error>`;

describe('S3 document store: S3’s answers through the SDK', () => {
  it('signs a PUT to the virtual-hosted China endpoint with the role’s session token', async () => {
    const { requests, store } = wireClient(() => ({ statusCode: 200 }));
    await store.put('2026/W47/X.html', '<p>通报</p>', 'text/html; charset=utf-8');
    const [put] = requests;
    expect(put).toMatchObject({
      method: 'PUT',
      hostname: 'baocun-docs.s3.cn-northwest-1.amazonaws.com.cn',
      path: '/2026/W47/X.html',
    });
    expect(put!.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(put!.headers['x-amz-security-token']).toBe('TOKEN');
    expect(put!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/cn-northwest-1\/s3\/aws4_request, /,
    );
  });

  it.each([
    ['a HEAD’s bodiless 404', 'HEAD', { statusCode: 404 }, false],
    ['a GET’s NoSuchKey', 'GET', { statusCode: 404, body: xmlError('NoSuchKey') }, undefined],
  ] as const)('reads %s as “no such file”', async (_, method, answer, expected) => {
    const { store } = wireClient(() => answer);
    const result = method === 'HEAD' ? await store.has('a/b.pdf') : await store.get('a/b.pdf');
    expect(result).toBe(expected);
  });

  it.each([
    ['a HEAD’s bodiless 403', 'HEAD', { statusCode: 403 }],
    ['a GET’s AccessDenied', 'GET', { statusCode: 403, body: xmlError('AccessDenied') }],
    ['a GET’s NoSuchBucket', 'GET', { statusCode: 404, body: xmlError('NoSuchBucket') }],
  ] as const)('surfaces %s as an error', async (_, method, answer) => {
    const { store } = wireClient(() => answer);
    const act = method === 'HEAD' ? store.has('a/b.pdf') : store.get('a/b.pdf');
    await expect(act).rejects.toBeInstanceOf(DocumentStoreError);
  });
});

describe('local document store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baocun-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores and reads files by key, and knows which exist', async () => {
    const store = new LocalDocumentStore(dir);
    await store.put('2026/W47/a.html', '<p>甲</p>', 'text/html; charset=utf-8');
    expect(await store.has('2026/W47/a.html')).toBe(true);
    expect(await store.has('2026/W47/b.html')).toBe(false);
    expect((await store.get('2026/W47/a.html'))?.body.toString('utf8')).toBe('<p>甲</p>');
    expect(await store.get('2026/W47/b.html')).toBeUndefined();
  });

  it.each(['../escape.html', '2026/../../escape.html', '/etc/passwd'])(
    'refuses a key outside its folder: %s',
    async (key) => {
      await expect(new LocalDocumentStore(dir).put(key, 'x', 'text/plain')).rejects.toThrow(
        /bad document key/,
      );
    },
  );
});
