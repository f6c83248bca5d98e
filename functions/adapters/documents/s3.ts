import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { config } from '../../config.ts';
import { DocumentStoreError } from '../../errors.ts';
import { contentTypeOf, type DocumentStore, type StoredFile } from './port.ts';

// Download links are made without the S3 client (s3-links.ts), so link-only routes stay small.
export { attachmentDisposition, DOWNLOAD_LINK_SECONDS, rfc3986 } from './s3-links.ts';

/**
 * The documents bucket on AWS (private, encrypted at rest by the bucket's default, SSL only; see
 * infra) through the AWS SDK. Downloads are short-lived presigned GET URLs made by s3-links.ts.
 *
 * Only NoSuchKey (GET) and NotFound (HEAD's bodiless 404) mean "no such file". Everything else —
 * AccessDenied above all — is a DocumentStoreError: S3 answers 403 instead of 404 for a missing key
 * when the role may not list the bucket, so the roles that look files up hold s3:ListBucket (infra)
 * and a 403 here is a real permission fault that must reach the logs, not a silent "not found".
 */
export interface S3Options {
  bucket: string;
  /** For tests; otherwise the process's client (s3Client()). */
  client?: S3Client;
}

let shared: S3Client | undefined;
let built: S3Client | undefined;

/**
 * One client per process (module scope, reused across invocations like the DynamoDB client), made
 * on first use so bundles and the local runtime that never reach S3 never build it.
 */
export function s3Client(): S3Client {
  if (!shared) {
    built = new S3Client({ region: config().region, maxAttempts: 4 });
    shared = built;
  }
  return shared;
}

/**
 * For tests: the process's client from now on (undefined: one from config on next use). A client
 * passed in stays its owner's to destroy; only the one built here is.
 */
export function setS3Client(client: S3Client | undefined): void {
  if (built && built !== client) {
    built.destroy();
    built = undefined;
  }
  shared = client;
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

function failure(operation: string, bucket: string, key: string, error: unknown): DocumentStoreError {
  const e = error as Partial<S3ServiceException> | null;
  const status = e?.$metadata?.httpStatusCode;
  const requestId = e?.$metadata?.requestId;
  const detail = [status && `HTTP ${status}`, requestId && `request ${requestId}`].filter(Boolean).join(', ');
  return new DocumentStoreError(
    `S3 ${operation} s3://${bucket}/${key} failed: ${e?.name ?? 'Error'}${detail ? ` (${detail})` : ''}`,
    { cause: error },
  );
}

export class S3DocumentStore implements DocumentStore {
  private readonly bucket: string;
  private readonly injected: S3Client | undefined;

  constructor(options: S3Options) {
    this.bucket = options.bucket;
    this.injected = options.client;
  }

  private get client(): S3Client {
    return this.injected ?? s3Client();
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw failure('PutObject', this.bucket, key, error);
    }
  }

  async get(key: string): Promise<StoredFile | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new Error('GetObject returned no body');
      return { body: Buffer.from(await out.Body.transformToByteArray()), contentType: contentTypeOf(key) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw failure('GetObject', this.bucket, key, error);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw failure('HeadObject', this.bucket, key, error);
    }
  }
}
