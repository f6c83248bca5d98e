import { localDocumentStore } from './local.ts';
import type { StoredFile } from './port.ts';

/**
 * How a stored file reaches the person who asked for it: on AWS a short-lived presigned link to the
 * bucket (the route answers 302), locally the file itself. Without the S3 client (s3-links.ts).
 */
export type Download = { kind: 'link'; url: string } | { kind: 'file'; file: StoredFile | undefined };

export async function download(key: string, fileName: string, contentType: string): Promise<Download> {
  const bucket = process.env.DOCUMENTS_BUCKET;
  if (bucket) {
    // The presigner and the credential chain (s3-links.ts) are a chunk of their own in the Lambda
    // bundle: of the routes that can download a document, most requests never do.
    const { presignedDownload } = await import('./s3-links.ts');
    return { kind: 'link', url: await presignedDownload(bucket, key, fileName, contentType) };
  }
  return { kind: 'file', file: await localDocumentStore().get(key) };
}
