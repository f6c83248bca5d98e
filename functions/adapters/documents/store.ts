import { documentsFolder, documentsRoot, LocalDocumentStore, localDocumentStore } from './local.ts';
import { contentTypeOf, type DocumentStore, type StoredFile } from './port.ts';

/**
 * Where rendered files live: the private documents bucket on AWS (s3.ts; the DOCUMENTS_BUCKET setting
 * selects it), a folder locally (local.ts). Keys are relative paths such as `2026/W47/<id>.pdf`.
 * Downloads go through downloads.ts (a presigned link, or the local file).
 */
export {
  contentTypeOf,
  type DocumentStore,
  documentsFolder,
  documentsRoot,
  LocalDocumentStore,
  type StoredFile,
};

let shared: { root: string; store: DocumentStore } | undefined;

/** The process's store; rebuilt when the folder setting changes (tests start several stacks). */
export function documentStore(): DocumentStore {
  const bucket = process.env.DOCUMENTS_BUCKET;
  const root = bucket ? `s3://${bucket}` : documentsRoot();
  if (shared?.root !== root) {
    shared = {
      root,
      store: bucket ? new BucketStore(bucket) : localDocumentStore(),
    };
  }
  return shared.store;
}

/**
 * The documents bucket, its S3 client (s3.ts, about 100 KB of bundle) imported on first use: in a
 * code-split Lambda bundle it is a chunk of its own, so a request that stores no file (most of the
 * talks and inspections routes) never loads it (docs/deploy.md §9).
 */
class BucketStore implements DocumentStore {
  #store: Promise<DocumentStore> | undefined;

  constructor(private readonly bucket: string) {}

  #load(): Promise<DocumentStore> {
    this.#store ??= import('./s3.ts').then(
      ({ S3DocumentStore }) => new S3DocumentStore({ bucket: this.bucket }),
    );
    return this.#store;
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    return (await this.#load()).put(key, body, contentType);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    return (await this.#load()).get(key);
  }

  async has(key: string): Promise<boolean> {
    return (await this.#load()).has(key);
  }
}
