import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { PhotoFiles } from './port.ts';

/**
 * Photos on the county server: files under the documents folder (DATA_DIR/documents, which backups
 * take), never served by path: only through signed links (links.ts) or the API.
 */
export class LocalPhotoFiles implements PhotoFiles {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new RangeError(`bad photo key: ${key}`);
    return path;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader never sees half a file.
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, body);
    await rename(temp, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

/** Same folder as the rendered documents (the runtime sets DOCUMENTS_DIR); a temp folder per table in memory. */
export function photosRoot(): string {
  const env = process.env;
  if (env.DOCUMENTS_DIR) return resolve(env.DOCUMENTS_DIR);
  if (env.DATA_DIR) return join(resolve(env.DATA_DIR), 'documents');
  return join(tmpdir(), `baocun-documents-${env.TABLE_NAME ?? 'default'}`);
}

let local: { root: string; files: LocalPhotoFiles } | undefined;

export function localPhotoFiles(): LocalPhotoFiles {
  const root = photosRoot();
  if (local?.root !== root) local = { root, files: new LocalPhotoFiles(root) };
  return local.files;
}
