import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { ApiResult } from '../http/api-handler.ts';

/**
 * Response bytes for the pages. API Gateway's HTTP API does not compress, and a cadre on a slow
 * mountain connection pays for every byte, so HTML, CSS and JS are compressed here (Brotli when the
 * browser takes it, else gzip). Every page carries a strict Content-Security-Policy: scripts and
 * styles only from our own origin, no inline script, so markup that slipped into data cannot run.
 */
/**
 * Photos on AWS are read from and uploaded to the documents bucket through presigned URLs
 * (adapters/photos/links.ts): its origin is allowed for images and for the page script's PUT. `blob:`
 * images are the previews of photos shrunk on the phone before upload.
 */
function photoOrigin(): string {
  const bucket = process.env.DOCUMENTS_BUCKET;
  if (!bucket) return '';
  const region = process.env.AWS_REGION ?? 'cn-northwest-1';
  return ` https://${bucket}.s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}
const PHOTO_ORIGIN = photoOrigin();

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:${PHOTO_ORIGIN}; ` +
    `connect-src 'self'${PHOTO_ORIGIN}; ` +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
    "manifest-src 'self'; worker-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // Location only for our own pages: the visit form (驻村记录) asks the phone where it is.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(self)',
};

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json|xml)|image\/svg)/;
const MIN_COMPRESS_BYTES = 860;

export type Encoding = 'br' | 'gzip' | 'identity';

export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return 'identity';
}

export function compress(body: Buffer, encoding: Encoding, level: 'fast' | 'best' = 'fast'): Buffer {
  if (encoding === 'br') {
    return brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: level === 'best' ? 11 : 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  }
  if (encoding === 'gzip') return gzipSync(body, { level: level === 'best' ? 9 : 6 });
  return body;
}

export interface Payload {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
  cookies?: string[];
  /** Already compressed bytes per encoding (static assets compress once per container). */
  encoded?: (encoding: Encoding) => Buffer;
}

export function toResult(payload: Payload, acceptEncoding: string | undefined): ApiResult {
  const headers: Record<string, string> = { ...payload.headers };
  const contentType = headers['content-type'] ?? '';
  const raw = typeof payload.body === 'string' ? Buffer.from(payload.body, 'utf8') : payload.body;
  let bytes = raw;
  if (COMPRESSIBLE.test(contentType) && raw.length >= MIN_COMPRESS_BYTES) {
    const encoding = chooseEncoding(acceptEncoding);
    if (encoding !== 'identity') {
      bytes = payload.encoded ? payload.encoded(encoding) : compress(raw, encoding);
      headers['content-encoding'] = encoding;
    }
    headers.vary = 'Accept-Encoding';
  }
  return {
    statusCode: payload.status,
    headers,
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    ...(payload.cookies?.length ? { cookies: payload.cookies } : {}),
  };
}
