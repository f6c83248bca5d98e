import { DocumentStoreError } from '../../errors.ts';
import { presignedObjectRequest } from './links.ts';
import type { PhotoFiles } from './port.ts';

/**
 * Photos in the documents bucket on AWS (under `photos/`). Each object operation is a fetch of a
 * URL presigned for one minute with the function's role (links.ts), not an S3 client: the functions
 * that claim photos (inspections, problems, visits, the pages) stay as small as before photos. A
 * missing object is a 404 because the role may list `photos/` (infra/constructs/photos.ts); any
 * other refusal is a DocumentStoreError.
 */
const ATTEMPTS = 3;

async function send(
  operation: string,
  bucket: string,
  key: string,
  request: () => Promise<Response>,
): Promise<Response> {
  let last: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await request();
      // Throttling and server errors are worth another try; anything else is the answer.
      if (res.status < 500 && res.status !== 429) return res;
      last = new Error(`HTTP ${res.status}`);
      await res.body?.cancel();
    } catch (error) {
      last = error;
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
  throw new DocumentStoreError(`S3 ${operation} s3://${bucket}/${key} failed: ${(last as Error)?.message}`, {
    cause: last,
  });
}

async function refused(
  operation: string,
  bucket: string,
  key: string,
  res: Response,
): Promise<DocumentStoreError> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'Error';
  return new DocumentStoreError(`S3 ${operation} s3://${bucket}/${key} failed: ${code} (HTTP ${res.status})`);
}

export class S3PhotoFiles implements PhotoFiles {
  constructor(private readonly bucket: string) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const res = await send('PutObject', this.bucket, key, async () =>
      fetch(await presignedObjectRequest(this.bucket, key, 'PUT', contentType), {
        method: 'PUT',
        headers: { 'content-type': contentType },
        body: new Uint8Array(body),
      }),
    );
    if (!res.ok) throw await refused('PutObject', this.bucket, key, res);
    await res.body?.cancel();
  }

  async get(key: string): Promise<Buffer | undefined> {
    const res = await send('GetObject', this.bucket, key, async () =>
      fetch(await presignedObjectRequest(this.bucket, key, 'GET')),
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw await refused('GetObject', this.bucket, key, res);
    return Buffer.from(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const res = await send('DeleteObject', this.bucket, key, async () =>
      fetch(await presignedObjectRequest(this.bucket, key, 'DELETE'), { method: 'DELETE' }),
    );
    if (!res.ok && res.status !== 404) throw await refused('DeleteObject', this.bucket, key, res);
    await res.body?.cancel();
  }
}
