import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { extract } from 'tar';
import * as z from 'zod/mini';
import { dynamoClientConfig } from '../../functions/adapters/dynamo/endpoint.ts';
import { createTableInput } from '../../functions/adapters/dynamo/table-definition.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_MANIFEST,
  type ArchiveManifest,
  decodeItem,
  sha256,
  walk,
} from './backup-archive.ts';
import { DATA_FORMAT, ensurePrivateFolder, MANIFEST_FILE, MODES } from './data-folder.ts';
import { lockDataFolder } from './data-lock.ts';
import { startDynalite } from './dynamo-local.ts';

/**
 * `npm run restore`: an archive of backup-archive.ts into an empty data folder. Nothing is written to
 * the folder until the whole archive has been unpacked beside it and every entry matches the SHA-256
 * its manifest records (a damaged or altered archive is refused); the folder's own manifest (mode,
 * format) is written last, so a restore that stopped half-way leaves a folder no server will start.
 */
export class RestoreError extends Error {}

const manifestSchema = z.object({
  archive: z.literal('baocun-backup'),
  archiveFormat: z.number(),
  dataFormat: z.number(),
  mode: z.enum(MODES),
  createdAt: z.string(),
  tables: z.record(z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/)), z.object({ items: z.number() })),
  counts: z.object({ items: z.number() }),
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number() })),
});

export interface RestoreResult {
  dataDir: string;
  manifest: ArchiveManifest;
  items: number;
  files: number;
}

/** A folder has data when it holds anything but a lock file or a socket left behind. */
function hasData(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((name) => name !== 'baocun.pid' && !name.endsWith('.sock'));
}

function refuseNonEmpty(dir: string): void {
  if (hasData(dir)) {
    throw new RestoreError(
      `数据目录 ${dir} 不是空的，不能恢复到这里（恢复不会覆盖已有数据）。请用 DATA_DIR 指定一个新的空目录。\n` +
        `The data folder ${dir} is not empty; a restore never overwrites data. Set DATA_DIR to a new, empty folder.`,
    );
  }
}

function damaged(archive: string, why: string): RestoreError {
  return new RestoreError(
    `备份文件 ${archive} 已损坏或被改动（${why}），未写入任何数据。\n` +
      `The archive ${archive} is damaged or altered (${why}); nothing was written.`,
  );
}

/** Unpacks and checks an archive in `scratch`; returns its manifest. Throws RestoreError when anything is off. */
export async function verifyArchive(archive: string, scratch: string): Promise<ArchiveManifest> {
  try {
    await extract({
      file: archive,
      cwd: scratch,
      strict: true,
      // Files and folders only: a link in a backup could point a restored file anywhere.
      filter: (_path, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    });
  } catch (error) {
    throw damaged(archive, `cannot be unpacked: ${error instanceof Error ? error.message : String(error)}`);
  }
  const manifestPath = join(scratch, ARCHIVE_MANIFEST);
  if (!existsSync(manifestPath)) throw damaged(archive, `no ${ARCHIVE_MANIFEST}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    throw damaged(archive, `${ARCHIVE_MANIFEST} is not JSON`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw damaged(archive, `${ARCHIVE_MANIFEST} is not a Baocun backup manifest`);
  const manifest = parsed as ArchiveManifest;
  if (manifest.archiveFormat > ARCHIVE_FORMAT || manifest.dataFormat > DATA_FORMAT) {
    throw new RestoreError(
      `备份 ${archive} 由更新版本的 Baocun 生成（数据格式 ${manifest.dataFormat}），请先升级 Baocun。\n` +
        `The archive ${archive} was made by a newer Baocun (data format ${manifest.dataFormat}); upgrade Baocun first.`,
    );
  }
  if (!manifest.files[`data/${MANIFEST_FILE}`]) throw damaged(archive, `no data/${MANIFEST_FILE}`);
  for (const table of Object.keys(manifest.tables)) {
    if (!manifest.files[`tables/${table}.jsonl`]) throw damaged(archive, `no tables/${table}.jsonl`);
  }
  const present = new Set<string>();
  for (const path of walk(scratch)) {
    const rel = relative(scratch, path).split(sep).join('/');
    if (rel !== ARCHIVE_MANIFEST) present.add(rel);
  }
  for (const [rel, expected] of Object.entries(manifest.files)) {
    if (!present.delete(rel)) throw damaged(archive, `${rel} is missing`);
    const path = join(scratch, ...rel.split('/'));
    if (statSync(path).size !== expected.bytes || (await sha256(path)) !== expected.sha256) {
      throw damaged(archive, `${rel} does not match its checksum`);
    }
  }
  const extra = [...present];
  if (extra.length) throw damaged(archive, `${extra[0]} is not in the manifest`);
  return manifest;
}

export async function restoreArchive(archivePath: string, dataDirInput: string): Promise<RestoreResult> {
  const archive = resolve(archivePath);
  const dataDir = resolve(dataDirInput);
  if (!existsSync(archive) || !statSync(archive).isFile()) {
    throw new RestoreError(`找不到备份文件 ${archive} / no archive at ${archive}`);
  }
  refuseNonEmpty(dataDir);
  // Unpacked beside the target (same file system: the files are moved in, not copied); mkdtemp makes it 0700.
  mkdirSync(dirname(dataDir), { recursive: true });
  const scratch = mkdtempSync(join(dirname(dataDir), `.${basename(dataDir)}-restore-`));
  try {
    const manifest = await verifyArchive(archive, scratch);
    const unlock = lockDataFolder(dataDir);
    try {
      refuseNonEmpty(dataDir);
      ensurePrivateFolder(dataDir);
      const data = join(scratch, 'data');
      for (const name of existsSync(data) ? readdirSync(data) : []) {
        if (name === MANIFEST_FILE) continue;
        renameSync(join(data, name), join(dataDir, name));
      }
      const files = Object.keys(manifest.files).filter((f) => f.startsWith('data/')).length;
      const items = await loadTables(dataDir, join(scratch, 'tables'), manifest);
      // Last: with its manifest the folder is a Baocun data folder again, in its original mode and format.
      renameSync(join(data, MANIFEST_FILE), join(dataDir, MANIFEST_FILE));
      ensurePrivateFolder(dataDir);
      return { dataDir, manifest, items, files };
    } finally {
      unlock();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function loadTables(dataDir: string, dir: string, manifest: ArchiveManifest): Promise<number> {
  const dynamo = await startDynalite(dataDir);
  const client = new DynamoDBClient({ region: 'local', ...dynamoClientConfig(dynamo.endpoint) });
  let total = 0;
  try {
    for (const [table, { items: expected }] of Object.entries(manifest.tables)) {
      await client.send(new CreateTableCommand(createTableInput(table)));
      let batch: WriteRequest[] = [];
      let loaded = 0;
      const lines = createInterface({
        input: createReadStream(join(dir, `${table}.jsonl`)),
        crlfDelay: Infinity,
      });
      for await (const line of lines) {
        if (!line) continue;
        batch.push({ PutRequest: { Item: decodeItem(JSON.parse(line) as Record<string, unknown>) } });
        if (batch.length === 25) {
          await writeBatch(client, table, batch);
          loaded += batch.length;
          batch = [];
        }
      }
      if (batch.length) {
        await writeBatch(client, table, batch);
        loaded += batch.length;
      }
      // Every line was written (unprocessed items retried until none are left) and the archive's
      // checksums held, so the count written is the count restored: no second read of the table.
      if (loaded !== expected) {
        throw new RestoreError(
          `表 ${table} 恢复了 ${loaded} 条记录，备份中有 ${expected} 条 / table ${table}: ${loaded} items restored, the archive has ${expected}`,
        );
      }
      total += loaded;
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
  return total;
}

async function writeBatch(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    if (attempt > 10) throw new RestoreError(`table ${table}: items left unprocessed after ${attempt} tries`);
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = result.UnprocessedItems?.[table] ?? [];
  }
}
