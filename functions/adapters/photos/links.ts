import { createHmac, timingSafeEqual } from 'node:crypto';
import { formatUrl } from '@aws-sdk/core/util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { config } from '../../config.ts';
import { DocumentStoreError } from '../../errors.ts';
import { type PhotoVariant, photoKeys } from './port.ts';

/**
 * Links to photo bytes, made without a request to any store:
 * - AWS: S3 presigned URLs on the documents bucket: a PUT for the upload with Content-Type and
 *   Content-Length signed (S3 refuses other bytes), a GET for the photo and its thumbnail.
 * - County server: root-relative URLs on the local gateway (infra/local/photo-routes.ts), signed with
 *   an HMAC of the server's own key (LOCAL_JWT_KEY) over what they allow, with an expiry.
 */
export const LOCAL_UPLOAD_PATH = '/local/photos/uploads/';
export const LOCAL_PHOTO_PATH = '/local/photos/files/';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type CredentialSource = Credentials | (() => Promise<Credentials>);

let presigner: { region: string; signer: S3RequestPresigner } | undefined;
let credentialSource: CredentialSource | undefined;

/** For tests: sign S3 links with these credentials (undefined: the role's, from the default chain). */
export function setPhotoLinkCredentials(source: CredentialSource | undefined): void {
  credentialSource = source;
  presigner = undefined;
}

function signerFor(region: string): S3RequestPresigner {
  if (presigner?.region !== region) {
    presigner = {
      region,
      signer: new S3RequestPresigner({
        credentials: credentialSource ?? defaultProvider(),
        region,
        sha256: Sha256,
      }),
    };
  }
  return presigner.signer;
}

function bucketHost(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

let endpointOverride: URL | undefined;

/** For tests: send S3 requests to this endpoint instead (path-style: `<endpoint>/<bucket>/<key>`). */
export function setPhotoS3Endpoint(endpoint: string | undefined): void {
  endpointOverride = endpoint ? new URL(endpoint) : undefined;
}

/** An S3 request for one object of the bucket, ready to sign. */
function objectRequest(
  bucket: string,
  key: string,
  method: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): HttpRequest {
  if (endpointOverride) {
    return new HttpRequest({
      protocol: endpointOverride.protocol,
      hostname: endpointOverride.hostname,
      ...(endpointOverride.port ? { port: Number(endpointOverride.port) } : {}),
      method,
      path: `/${encodeURIComponent(bucket)}${keyPath(key)}`,
      query,
      headers: { host: endpointOverride.host, ...headers },
    });
  }
  const hostname = bucketHost(bucket, config().region);
  return new HttpRequest({
    protocol: 'https:',
    hostname,
    method,
    path: keyPath(key),
    query,
    headers: { host: hostname, ...headers },
  });
}

/**
 * A presigned URL for one object operation of the photo store's own (s3.ts): the S3 REST call is then
 * a plain fetch, so the functions that claim photos need no S3 client in their bundles (about 125 KB).
 */
export async function presignedObjectRequest(
  bucket: string,
  key: string,
  method: 'GET' | 'PUT' | 'DELETE',
  contentType?: string,
): Promise<string> {
  const now = new Date();
  const op = method === 'GET' ? 'GetObject' : method === 'PUT' ? 'PutObject' : 'DeleteObject';
  const request = objectRequest(
    bucket,
    key,
    method,
    { 'x-id': op },
    contentType ? { 'content-type': contentType } : {},
  );
  return presign(bucket, request, 60, now, contentType ? new Set(['content-type']) : undefined);
}

function keyPath(key: string): string {
  return `/${key
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/')}`;
}

function secondsUntil(expiresAt: Date, now: Date): number {
  return Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
}

async function presign(
  bucket: string,
  request: HttpRequest,
  expiresIn: number,
  now: Date,
  signable?: Set<string>,
): Promise<string> {
  try {
    const signed = await signerFor(config().region).presign(request, {
      expiresIn,
      signingDate: now,
      ...(signable ? { signableHeaders: signable } : {}),
    });
    return formatUrl(signed);
  } catch (error) {
    throw new DocumentStoreError(
      `S3 presign ${request.method} s3://${bucket}${request.path} failed: ${(error as Error)?.name ?? 'Error'}`,
      { cause: error },
    );
  }
}

// ---- local signatures -------------------------------------------------------------------------

function localKey(): Buffer {
  const key = process.env.LOCAL_JWT_KEY;
  if (!key) throw new Error('LOCAL_JWT_KEY is not set: photo links on the county server need the local key');
  // A key of its own, derived from the server's: a photo link can never pass for a session token.
  return createHmac('sha256', Buffer.from(key, 'base64')).update('baocun photo links v1').digest();
}

function localSignature(parts: readonly string[]): string {
  return createHmac('sha256', localKey()).update(parts.join('\n')).digest('base64url');
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface UploadTarget {
  uploadUrl: string;
  headers: Record<string, string>;
}

/** Where the client PUTs an upload's bytes, and the headers it must send. */
export async function uploadTarget(
  upload: { id: string; contentType: string; size: number },
  expiresAt: Date,
  now: Date,
): Promise<UploadTarget> {
  const headers = { 'Content-Type': upload.contentType };
  const bucket = process.env.DOCUMENTS_BUCKET;
  if (bucket) {
    const request = objectRequest(
      bucket,
      photoKeys.raw(upload.id),
      'PUT',
      { 'x-id': 'PutObject' },
      { 'content-type': upload.contentType, 'content-length': String(upload.size) },
    );
    const url = await presign(
      bucket,
      request,
      secondsUntil(expiresAt, now),
      now,
      new Set(['content-type', 'content-length']),
    );
    return { uploadUrl: url, headers };
  }
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const size = String(upload.size);
  const sig = localSignature(['PUT', upload.id, upload.contentType, size, exp]);
  const query = new URLSearchParams({ size, type: upload.contentType, exp, sig });
  return { uploadUrl: `${LOCAL_UPLOAD_PATH}${encodeURIComponent(upload.id)}?${query}`, headers };
}

/** A short-lived link to a photo or its thumbnail. */
export async function photoLink(
  id: string,
  variant: PhotoVariant,
  expiresAt: Date,
  now: Date,
): Promise<string> {
  const bucket = process.env.DOCUMENTS_BUCKET;
  if (bucket) {
    const key = variant === 'full' ? photoKeys.full(id) : photoKeys.thumbnail(id);
    const request = objectRequest(bucket, key, 'GET', {
      'response-content-type': 'image/jpeg',
      'x-id': 'GetObject',
    });
    return presign(bucket, request, secondsUntil(expiresAt, now), now);
  }
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const sig = localSignature(['GET', id, variant, exp]);
  return `${LOCAL_PHOTO_PATH}${encodeURIComponent(id)}/${variant}?${new URLSearchParams({ exp, sig })}`;
}

export interface LocalUploadGrant {
  id: string;
  contentType: string;
  size: number;
  expiresAt: Date;
}

/** The local PUT's query, checked: what it allows, or undefined for a forged, altered or expired one. */
export function verifyLocalUpload(
  id: string,
  query: URLSearchParams,
  now: Date,
): LocalUploadGrant | undefined {
  const size = query.get('size') ?? '';
  const type = query.get('type') ?? '';
  const exp = query.get('exp') ?? '';
  const sig = query.get('sig') ?? '';
  if (!/^\d{1,9}$/.test(size) || !/^\d{1,12}$/.test(exp)) return undefined;
  if (!sameSignature(sig, localSignature(['PUT', id, type, size, exp]))) return undefined;
  const expiresAt = new Date(Number(exp) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { id, contentType: type, size: Number(size), expiresAt };
}

/** The local photo link's query, checked. */
export function verifyLocalLink(id: string, variant: string, query: URLSearchParams, now: Date): boolean {
  const exp = query.get('exp') ?? '';
  const sig = query.get('sig') ?? '';
  if (variant !== 'full' && variant !== 'thumbnail') return false;
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now.getTime()) return false;
  return sameSignature(sig, localSignature(['GET', id, variant, exp]));
}
