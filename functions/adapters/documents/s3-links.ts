import { formatUrl } from '@aws-sdk/core/util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { config } from '../../config.ts';
import { DocumentStoreError } from '../../errors.ts';

/**
 * Presigned download links for the documents bucket without the S3 client: the routes that only hand
 * out links (notices, background downloads) sign with the SDK's own S3 presigner and the credential
 * chain the DynamoDB client already carries, so their bundles do not take on @aws-sdk/client-s3
 * (+142 KB and about +0.3× import time measured on the notices function). The link is the one
 * `getSignedUrl(GetObjectCommand)` makes: virtual-hosted style on the region's endpoint (`.com.cn`
 * in the China partition), only `host` signed, the Chinese file name in the response disposition.
 */

/** Five minutes: long enough to follow the 302, short enough that a forwarded link soon dies. */
export const DOWNLOAD_LINK_SECONDS = 300;

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

/** The bucket's virtual-hosted endpoint: amazonaws.com, or amazonaws.com.cn in the China regions. */
export function bucketHost(bucket: string, region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${bucket}.s3.${region}.${suffix}`;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type CredentialSource = Credentials | (() => Promise<Credentials>);

let presigner: { region: string; signer: S3RequestPresigner } | undefined;
let credentialSource: CredentialSource | undefined;

/** For tests: sign with these credentials (undefined: the role's, from the default chain). */
export function setLinkCredentials(source: CredentialSource | undefined): void {
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

export interface LinkOptions {
  expiresIn?: number;
  /** For tests: a fixed signing time instead of now. */
  signingDate?: Date;
}

/** Signed locally with the role's credentials: no request to S3, so it neither checks nor fails on a missing file. */
export async function presignedDownload(
  bucket: string,
  key: string,
  fileName: string,
  contentType: string,
  options: LinkOptions = {},
): Promise<string> {
  const region = config().region;
  const hostname = bucketHost(bucket, region);
  const request = new HttpRequest({
    protocol: 'https:',
    hostname,
    method: 'GET',
    path: `/${key.split('/').map(rfc3986).join('/')}`,
    query: {
      'response-content-disposition': attachmentDisposition(fileName),
      'response-content-type': contentType,
      // As the S3 client's GetObject link asks: S3 answers with the object's checksum headers.
      'x-amz-checksum-mode': 'ENABLED',
      'x-id': 'GetObject',
    },
    headers: { host: hostname },
  });
  try {
    const signed = await signerFor(region).presign(request, {
      expiresIn: options.expiresIn ?? DOWNLOAD_LINK_SECONDS,
      ...(options.signingDate ? { signingDate: options.signingDate } : {}),
    });
    return formatUrl(signed);
  } catch (error) {
    throw new DocumentStoreError(
      `S3 presign GetObject s3://${bucket}/${key} failed: ${(error as Error)?.name ?? 'Error'}`,
      { cause: error },
    );
  }
}
