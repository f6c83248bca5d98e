import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presignGet, S3DocumentStore } from '../../functions/adapters/documents/s3.ts';
import { LocalDocumentStore } from '../../functions/adapters/documents/store.ts';

const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('S3 document store', () => {
  it('presigns a GET exactly as AWS’s published SigV4 example', () => {
    const url = presignGet({
      bucket: 'examplebucket',
      host: 'examplebucket.s3.amazonaws.com',
      region: 'us-east-1',
      key: 'test.txt',
      expiresIn: 86400,
      credentials: AWS_EXAMPLE,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('gives short-lived download links on the China endpoint that carry the Chinese file name', async () => {
    const store = new S3DocumentStore({
      bucket: 'baocun-docs',
      region: 'cn-northwest-1',
      credentials: () => ({ ...AWS_EXAMPLE, sessionToken: 'TOKEN' }),
      now: () => new Date('2026-11-23T00:00:00Z'),
    });
    const url = new URL(await store.downloadUrl('2026/W47/X.pdf', '周通报-2026-W47.pdf', 'application/pdf'));
    expect(url.host).toBe('baocun-docs.s3.cn-northwest-1.amazonaws.com.cn');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('TOKEN');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="download.pdf"; filename*=UTF-8''${encodeURIComponent('周通报-2026-W47.pdf')}`,
    );
  });

  it('signs uploads with the payload hash and the session token', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const store = new S3DocumentStore({
      bucket: 'baocun-docs',
      region: 'cn-northwest-1',
      credentials: () => ({ ...AWS_EXAMPLE, sessionToken: 'TOKEN' }),
      now: () => new Date('2026-11-23T00:00:00Z'),
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(null, { status: 200 });
      }) as unknown as typeof fetch,
    });
    await store.put('2026/W47/X.html', '<p>通报</p>', 'text/html; charset=utf-8');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(calls[0]!.url).toBe('https://baocun-docs.s3.cn-northwest-1.amazonaws.com.cn/2026/W47/X.html');
    expect(headers['x-amz-security-token']).toBe('TOKEN');
    expect(headers['x-amz-date']).toBe('20261123T000000Z');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20261123\/cn-northwest-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
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
