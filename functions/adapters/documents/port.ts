/**
 * The document store port, apart from its two adapters (store.ts: a local folder; s3.ts: the
 * documents bucket) so that neither adapter imports the other's module.
 */
export interface StoredFile {
  body: Buffer;
  contentType: string;
}

export interface DocumentStore {
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  get(key: string): Promise<StoredFile | undefined>;
  has(key: string): Promise<boolean>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.html': 'text/html; charset=utf-8',
};

export function contentTypeOf(key: string): string {
  const ext = key.slice(key.lastIndexOf('.'));
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
