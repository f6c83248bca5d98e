import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config } from '../../config.ts';
import { DocumentStoreError } from '../../errors.ts';
import { contentTypeOf, type DocumentStore, type StoredFile } from './port.ts';

/**
 * The documents bucket on AWS (private, encrypted at rest by the bucket's default, SSL only; see
 * infra) through the AWS SDK. Downloads are short-lived presigned GET URLs that also set the
 * Content-Disposition, so the Chinese file name survives.
 *
 * Only NoSuchKey (GET) and NotFound (HEAD's bodiless 404) mean "no such file". Everything else —
 * AccessDenied above all — is a DocumentStoreError: S3 answers 403 instead of 404 for a missing key
 * when the role may not list the bucket, so the roles that look files up hold s3:ListBucket (infra)
 * and a 403 here is a real permission fault that must reach the logs, not a silent "not found".
 */
export interface S3Options {
  bucket: string;
  /** Seconds a download link stays valid. */
  expiresIn?: number;
  /** For tests; otherwise the process's client (s3Client()). */
  client?: S3Client;
}

/** Five minutes: long enough to follow the 302, short enough that a forwarded link soon dies. */
export const DOWNLOAD_LINK_SECONDS = 300;

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

/** RFC 3986 percent-encoding, as RFC 5987's `filename*` wants (encodeURIComponent leaves !'()* alone). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** An ASCII fallback name for old clients, then the real (Chinese) name per RFC 5987. */
export function attachmentDisposition(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot) : '';
  return `attachment; filename="download${ext}"; filename*=UTF-8''${rfc3986(fileName)}`;
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
  private readonly expiresIn: number;
  private readonly injected: S3Client | undefined;

  constructor(options: S3Options) {
    this.bucket = options.bucket;
    this.expiresIn = options.expiresIn ?? DOWNLOAD_LINK_SECONDS;
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

  /** Signed locally with the role's credentials: no request to S3, so it neither checks nor fails on a missing file. */
  async downloadUrl(key: string, fileName: string, contentType: string): Promise<string> {
    try {
      return await getSignedUrl(
        this.client,
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(fileName),
          ResponseContentType: contentType,
        }),
        { expiresIn: this.expiresIn },
      );
    } catch (error) {
      throw failure('presign GetObject', this.bucket, key, error);
    }
  }
}
