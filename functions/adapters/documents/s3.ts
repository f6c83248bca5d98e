import { createHash, createHmac } from 'node:crypto';
import { contentTypeOf, type DocumentStore, type StoredFile } from './store.ts';

/**
 * The documents bucket on AWS (private, encrypted, SSL only; see infra). Requests are signed with
 * Signature Version 4 by hand (node:crypto) with the function's role credentials from the Lambda
 * environment, so the API bundles stay free of the S3 client: three operations need no more.
 * Downloads are short-lived presigned GET URLs that also set the Content-Disposition, so the Chinese
 * file name survives.
 */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface S3Options {
  bucket: string;
  region: string;
  /** Seconds a download link stays valid. */
  expiresIn?: number;
  credentials?: () => Credentials;
  /** For tests: the signing clock. */
  now?: () => Date;
  fetch?: typeof fetch;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function envCredentials(): Credentials {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw new Error('AWS credentials are not in the environment');
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN,
  };
}

export function s3Host(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const canonicalPath = (key: string) => `/${key.split('/').map(rfc3986).join('/')}`;

/** A presigned GET URL (query-string authentication, UNSIGNED-PAYLOAD). */
export function presignGet(
  options: {
    bucket: string;
    region: string;
    key: string;
    expiresIn: number;
    credentials: Credentials;
    now: Date;
    /** Defaults to the regional virtual-hosted endpoint. */
    host?: string;
  },
  extraQuery: Record<string, string> = {},
): string {
  const { bucket, region, key, expiresIn, credentials, now } = options;
  const host = options.host ?? s3Host(bucket, region);
  const stamp = amzDate(now);
  const day = stamp.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const query: Record<string, string> = {
    ...extraQuery,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': stamp,
    'X-Amz-Expires': String(expiresIn),
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`)
    .join('&');
  const path = canonicalPath(key);
  const request = ['GET', path, canonicalQuery, `host:${host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(request)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, region))
    .update(toSign)
    .digest('hex');
  return `https://${host}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

export class S3DocumentStore implements DocumentStore {
  private readonly credentials: () => Credentials;
  private readonly now: () => Date;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: S3Options) {
    this.credentials = options.credentials ?? envCredentials;
    this.now = options.now ?? (() => new Date());
    this.fetch = options.fetch ?? fetch;
  }

  /** A header-signed request (PUT, GET, HEAD) with the payload hash in x-amz-content-sha256. */
  private async send(method: 'PUT' | 'GET' | 'HEAD', key: string, body?: Buffer, contentType?: string) {
    const { bucket, region } = this.options;
    const credentials = this.credentials();
    const host = s3Host(bucket, region);
    const stamp = amzDate(this.now());
    const day = stamp.slice(0, 8);
    const scope = `${day}/${region}/s3/aws4_request`;
    const payloadHash = sha256(body ?? '');
    const headers: Record<string, string> = {
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': stamp,
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    const path = canonicalPath(key);
    const request = [
      method,
      path,
      '',
      ...names.map((n) => `${n}:${headers[n]}`),
      '',
      names.join(';'),
      payloadHash,
    ].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(request)].join('\n');
    const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, region))
      .update(toSign)
      .digest('hex');
    const { host: _host, ...sent } = headers;
    return this.fetch(`https://${host}${path}`, {
      method,
      headers: {
        ...sent,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      },
      ...(body ? { body } : {}),
    });
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    const res = await this.send(
      'PUT',
      key,
      Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
      contentType,
    );
    if (!res.ok) throw new Error(`S3 PUT ${key} failed: ${res.status}`);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const res = await this.send('GET', key);
    if (res.status === 404 || res.status === 403) return undefined;
    if (!res.ok) throw new Error(`S3 GET ${key} failed: ${res.status}`);
    return { body: Buffer.from(await res.arrayBuffer()), contentType: contentTypeOf(key) };
  }

  async has(key: string): Promise<boolean> {
    const res = await this.send('HEAD', key);
    if (res.status === 404 || res.status === 403) return false;
    if (!res.ok) throw new Error(`S3 HEAD ${key} failed: ${res.status}`);
    return true;
  }

  async downloadUrl(key: string, fileName: string, contentType: string): Promise<string> {
    const disposition = `attachment; filename="download${fileName.slice(fileName.lastIndexOf('.'))}"; filename*=UTF-8''${rfc3986(fileName)}`;
    return presignGet(
      {
        bucket: this.options.bucket,
        region: this.options.region,
        key,
        expiresIn: this.options.expiresIn ?? 300,
        credentials: this.credentials(),
        now: this.now(),
      },
      { 'response-content-disposition': disposition, 'response-content-type': contentType },
    );
  }
}
