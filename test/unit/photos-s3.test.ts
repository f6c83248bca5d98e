import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  photoLink,
  setPhotoLinkCredentials,
  setPhotoS3Endpoint,
  uploadTarget,
} from '../../functions/adapters/photos/links.ts';
import { photoKeys } from '../../functions/adapters/photos/port.ts';
import { S3PhotoFiles } from '../../functions/adapters/photos/s3.ts';
import { resetConfig } from '../../functions/config.ts';
import { DocumentStoreError } from '../../functions/errors.ts';

/**
 * Photos on AWS without AWS: the presigned PUT and GET links (signed locally, checked for what they
 * sign), and the S3 requests the claim makes, as real HTTP against a local peer standing in for S3
 * (the photo store fetches presigned URLs instead of carrying an S3 client, so there is no SDK client
 * for aws-sdk-client-mock to stand in for).
 */
const saved = { ...process.env };
const NOW = new Date('2026-11-24T02:00:00Z');

beforeAll(() => {
  process.env.DOCUMENTS_BUCKET = 'baocun-docs';
  process.env.TABLE_NAME = 'baocun';
  process.env.AWS_REGION = 'cn-northwest-1';
  resetConfig();
  setPhotoLinkCredentials({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
});
afterAll(() => {
  process.env = saved;
  resetConfig();
  setPhotoLinkCredentials(undefined);
});

describe('presigned links', () => {
  it('the upload URL is a PUT to photos/uploads/<id> on the bucket, signing Content-Type and Content-Length, for 15 minutes', async () => {
    const expires = new Date(NOW.getTime() + 15 * 60_000);
    const target = await uploadTarget({ id: 'U1', contentType: 'image/webp', size: 12345 }, expires, NOW);
    const url = new URL(target.uploadUrl);
    expect(url.host).toBe('baocun-docs.s3.cn-northwest-1.amazonaws.com.cn');
    expect(url.pathname).toBe(`/${photoKeys.raw('U1')}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'content-type',
      'host',
    ]);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/20261124\/cn-northwest-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.get('x-id')).toBe('PutObject');
    expect(target.headers).toEqual({ 'Content-Type': 'image/webp' });
  });

  it('a photo link is a short GET of the stored JPEG (or its thumbnail), nothing else signed', async () => {
    const expires = new Date(NOW.getTime() + 15 * 60_000);
    const full = new URL(await photoLink('P1', 'full', expires, NOW));
    const thumb = new URL(await photoLink('P1', 'thumbnail', expires, NOW));
    expect(full.pathname).toBe(`/${photoKeys.full('P1')}`);
    expect(thumb.pathname).toBe(`/${photoKeys.thumbnail('P1')}`);
    expect(full.searchParams.get('response-content-type')).toBe('image/jpeg');
    expect(full.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(full.searchParams.get('X-Amz-Expires')).toBe('900');
  });
});

describe('S3 photo files (a local HTTP peer in place of S3)', () => {
  const files = new S3PhotoFiles('baocun-docs');
  let server: Server;
  const seen: { method: string; path: string; query: URLSearchParams; type?: string; body: Buffer }[] = [];
  let answer: (method: string, path: string) => { status: number; body?: string } = () => ({ status: 200 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://peer');
        seen.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          ...(req.headers['content-type'] ? { type: req.headers['content-type'] } : {}),
          body: Buffer.concat(chunks),
        });
        const a = answer(req.method ?? '', url.pathname);
        res.writeHead(a.status, { 'content-type': 'application/xml' });
        res.end(a.body ?? '');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    setPhotoS3Endpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    setPhotoS3Endpoint(undefined);
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('reads a raw upload with a signed GET, and a 404 is "not there"', async () => {
    answer = (_m, path) =>
      path.endsWith('/A')
        ? { status: 200, body: 'bytes' }
        : { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
    expect((await files.get(photoKeys.raw('A')))?.toString()).toBe('bytes');
    expect(await files.get(photoKeys.raw('B'))).toBeUndefined();
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /baocun-docs/photos/uploads/A',
      'GET /baocun-docs/photos/uploads/B',
    ]);
    const q = seen[0]!.query;
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('x-id')).toBe('GetObject');
    expect(Number(q.get('X-Amz-Expires'))).toBeLessThanOrEqual(60);
  });

  it('an access error is a store failure naming the S3 code, never "missing"', async () => {
    answer = () => ({ status: 403, body: '<Error><Code>AccessDenied</Code></Error>' });
    const error = await files.get(photoKeys.raw('C')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentStoreError);
    expect((error as Error).message).toContain('AccessDenied');
  });

  it('retries a server error, then stores the clean JPEG with its signed content type', async () => {
    let calls = 0;
    answer = () => (calls++ === 0 ? { status: 503 } : { status: 200 });
    await files.put(photoKeys.full('D'), Buffer.from('jpeg'), 'image/jpeg');
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /baocun-docs/photos/D/photo.jpg',
      'PUT /baocun-docs/photos/D/photo.jpg',
    ]);
    expect(seen[1]).toMatchObject({ type: 'image/jpeg', body: Buffer.from('jpeg') });
    expect(seen[1]!.query.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['content-type', 'host']);
  });

  it('deletes the raw upload (a missing one is fine)', async () => {
    answer = () => ({ status: 404 });
    await files.delete(photoKeys.raw('E'));
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /baocun-docs/photos/uploads/E']);
  });
});
