import { localPhotoFiles } from './local.ts';
import type { PhotoFiles } from './port.ts';
import { S3PhotoFiles } from './s3.ts';

export { type PhotoFiles, type PhotoVariant, photoKeys, RAW_UPLOAD_PREFIX } from './port.ts';

/** The process's photo files: the documents bucket when DOCUMENTS_BUCKET is set (AWS), else the local folder. */
export async function photoFiles(): Promise<PhotoFiles> {
  const bucket = process.env.DOCUMENTS_BUCKET;
  return bucket ? new S3PhotoFiles(bucket) : localPhotoFiles();
}
