/**
 * Where photo bytes live: a private folder under the data folder on the county server (local.ts), the
 * private documents bucket on AWS (s3.ts, under `photos/`). Keys come from `photoKeys`, never from a
 * request. Links to them (an upload URL, a short-lived download link) are made by links.ts.
 */
export interface PhotoFiles {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** undefined when there is no such file. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

export const photoKeys = {
  /** The bytes as the client sent them; deleted once claimed (the bucket drops unclaimed ones after a day). */
  raw: (id: string) => `photos/uploads/${id}`,
  full: (id: string) => `photos/${id}/photo.jpg`,
  thumbnail: (id: string) => `photos/${id}/thumb.jpg`,
} as const;

/** The prefix of raw uploads (the bucket's one-day lifecycle rule, the local PUT). */
export const RAW_UPLOAD_PREFIX = 'photos/uploads/';

export type PhotoVariant = 'full' | 'thumbnail';
