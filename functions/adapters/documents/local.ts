import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { contentTypeOf, type DocumentStore, type StoredFile } from './port.ts';

/**
 * The local side of the document store (the embedded runtime): a folder on disk. Kept apart from the
 * S3 store so routes that only read local files or hand out links never bundle the S3 client.
 *
 * Where rendered files live. Locally: a folder (DATA_DIR/documents, or DOCUMENTS_DIR), served by the
 * download route itself. On AWS: the private documents bucket, downloaded through a short-lived
 * presigned URL (s3.ts; the DOCUMENTS_BUCKET setting selects it).
 * Keys are relative paths such as `2026/W47/<id>.pdf`.
 */
export { contentTypeOf, type DocumentStore, type StoredFile };

export class LocalDocumentStore implements DocumentStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    // Keys are built by the job, never taken from a request; still, nothing may escape the folder.
    if (!path.startsWith(this.root + sep)) throw new RangeError(`bad document key: ${key}`);
    return path;
  }

  async put(key: string, body: Buffer | string, _contentType?: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader never sees half a file, a crash leaves the old one.
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, body);
    await rename(temp, path);
  }

  async has(key: string): Promise<boolean> {
    try {
      await access(this.path(key));
      return true;
    } catch {
      return false;
    }
  }

  async get(key: string): Promise<StoredFile | undefined> {
    try {
      return { body: await readFile(this.path(key)), contentType: contentTypeOf(key) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** The folder for a local stack: DATA_DIR/documents, or a temp folder per table when in memory. */
export function documentsFolder(dataDir: string | undefined, tableName: string): string {
  return dataDir ? join(resolve(dataDir), 'documents') : join(tmpdir(), `baocun-documents-${tableName}`);
}

export function documentsRoot(): string {
  const env = process.env;
  if (env.DOCUMENTS_DIR) return resolve(env.DOCUMENTS_DIR);
  if (env.DATA_DIR) return join(resolve(env.DATA_DIR), 'documents');
  // In-memory stacks (tests) have no data folder: keep the files beside the process, per table.
  return join(tmpdir(), `baocun-documents-${env.TABLE_NAME ?? 'default'}`);
}

let local: { root: string; store: LocalDocumentStore } | undefined;

/** The process's local store; rebuilt when the folder setting changes (tests start several stacks). */
export function localDocumentStore(): LocalDocumentStore {
  const root = documentsRoot();
  if (local?.root !== root) local = { root, store: new LocalDocumentStore(root) };
  return local.store;
}
