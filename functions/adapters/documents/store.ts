import { documentsFolder, documentsRoot, LocalDocumentStore, localDocumentStore } from './local.ts';
import { contentTypeOf, type DocumentStore, type StoredFile } from './port.ts';
import { S3DocumentStore } from './s3.ts';

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
      store: bucket ? new S3DocumentStore({ bucket }) : localDocumentStore(),
    };
  }
  return shared.store;
}
