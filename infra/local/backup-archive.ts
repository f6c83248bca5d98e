import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  type AttributeValue,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { create as createTar } from 'tar';
import { dynamoClientConfig } from '../../functions/adapters/dynamo/endpoint.ts';
import { type DataManifest, ensurePrivateFolder, readManifest } from './data-folder.ts';
import type { LocalJob } from './scheduler.ts';
import type { WriteGate } from './write-gate.ts';

/**
 * One archive (.tar.gz) of everything a data folder holds: every item of every table (dumped through
 * the DynamoDB API, not LevelDB's files, which are only consistent while closed), the rendered
 * documents, the email outbox, the signing key, the folder's manifest (mode, format) and any other
 * file in the folder. Inside, `manifest.json` names the format, mode, counts and a SHA-256 of every
 * other entry, so `npm run restore` can refuse a damaged archive before writing anything.
 *
 * Consistency: the table dump and the file copies are taken while the write gate is paused (writers
 * wait, none is refused), into a private staging folder beside the archive; checksums and compression
 * happen after writes have resumed.
 */
export const ARCHIVE_FORMAT = 1;
export const ARCHIVE_MANIFEST = 'manifest.json';
/** Folder entries (relative to the data folder) that are never copied as files. */
const NOT_FILES = new Set(['dynamodb', 'baocun.pid']);

/** Archives the daily backup makes and prunes; archives with a label (before an upgrade) are kept. */
export const SCHEDULED_ARCHIVE = /^baocun-(demo|dev|county)-\d{8}-\d{6}(-\d+)?\.tar\.gz$/;

export interface ArchiveManifest {
  archive: 'baocun-backup';
  archiveFormat: number;
  /** The data folder's format and mode (its baocun.json), restored as they were. */
  dataFormat: number;
  mode: DataManifest['mode'];
  createdAt: string;
  tables: Record<string, { items: number }>;
  counts: { items: number; files: number; documents: number; outbox: number; bytes: number };
  /** Every entry of the archive but this manifest, by path: SHA-256 (hex) and size. */
  files: Record<string, { sha256: string; bytes: number }>;
}

export interface BackupResult {
  path: string;
  manifest: ArchiveManifest;
  /** How long writes were held. */
  pauseMs: number;
  totalMs: number;
  bytes: number;
}

export interface BackupOptions {
  dataDir: string;
  /** The DynamoDB API holding the folder's tables (the running dynalite). */
  dynamoEndpoint: string;
  /** Folder for the archive (created 0700). */
  outDir: string;
  /** Paused while the snapshot is taken; absent when nothing else writes (the CLI holds the folder's lock). */
  gate?: WriteGate;
  /** Appended to the file name (e.g. before-upgrade-0-1); such archives are never pruned. */
  label?: string;
  now?: () => Date;
}

/** Default BACKUP_DIR: beside the data folder (`.data` → `.data-backups`), never inside what it backs up. */
export function defaultBackupDir(dataDir: string): string {
  return `${resolve(dataDir)}-backups`;
}

export function backupDirFromEnv(dataDir: string, env = process.env): string {
  return env.BACKUP_DIR ? resolve(env.BACKUP_DIR) : defaultBackupDir(dataDir);
}

/** Beijing wall-clock time as YYYYMMDD-HHmmss (the county reads the file names). */
export function archiveStamp(at: Date): string {
  const iso = new Date(at.getTime() + 8 * 3_600_000).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

let serial: Promise<unknown> = Promise.resolve();

/** Backups of one process run one at a time (a scheduled one and a requested one may meet). */
export function createBackup(options: BackupOptions): Promise<BackupResult> {
  const turn = serial.then(() => backupNow(options));
  serial = turn.catch(() => {});
  return turn;
}

async function backupNow(options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(options.dataDir);
  const outDir = resolve(options.outDir);
  const folder = readManifest(dataDir);
  if (!folder)
    throw new Error(`数据目录 ${dataDir} 中没有 Baocun 数据 / ${dataDir} holds no Baocun data folder`);
  ensurePrivateFolder(outDir);
  const staging = stagingFolder(dataDir, outDir);
  let partial: string | undefined;
  try {
    const client = new DynamoDBClient({ region: 'local', ...dynamoClientConfig(options.dynamoEndpoint) });
    let pauseMs = 0;
    let tables: Record<string, { items: number }> = {};
    try {
      const snapshot = async () => {
        const pausedAt = performance.now();
        tables = await dumpTables(client, join(staging, 'tables'));
        copyFolder(dataDir, join(staging, 'data'), outDir);
        pauseMs = performance.now() - pausedAt;
      };
      await (options.gate ? options.gate.paused(snapshot) : snapshot());
    } finally {
      client.destroy();
    }

    const files: ArchiveManifest['files'] = {};
    let bytes = 0;
    for (const path of walk(staging)) {
      const rel = relative(staging, path).split(sep).join('/');
      const size = statSync(path).size;
      files[rel] = { sha256: await sha256(path), bytes: size };
      bytes += size;
    }
    const names = Object.keys(files);
    const manifest: ArchiveManifest = {
      archive: 'baocun-backup',
      archiveFormat: ARCHIVE_FORMAT,
      dataFormat: folder.format,
      mode: folder.mode,
      createdAt: now().toISOString(),
      tables,
      counts: {
        items: Object.values(tables).reduce((sum, t) => sum + t.items, 0),
        files: names.filter((n) => n.startsWith('data/')).length,
        documents: names.filter((n) => n.startsWith('data/documents/')).length,
        outbox: names.filter((n) => n.startsWith('data/outbox/')).length,
        bytes,
      },
      files,
    };
    writePrivate(join(staging, ARCHIVE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

    const name = archiveName(outDir, folder.mode, now(), options.label);
    // Written under a hidden name and renamed when complete: a half-written archive never looks like a backup.
    partial = join(outDir, `.${name}.partial`);
    closeSync(openSync(partial, 'w', 0o600));
    const entries = [
      ARCHIVE_MANIFEST,
      ...readdirSync(staging)
        .filter((n) => n !== ARCHIVE_MANIFEST)
        .sort(),
    ];
    await createTar({ gzip: true, cwd: staging, file: partial, portable: true }, entries);
    chmodSync(partial, 0o600);
    const path = join(outDir, name);
    renameSync(partial, path);
    partial = undefined;
    return {
      path,
      manifest,
      pauseMs: Math.round(pauseMs),
      totalMs: Math.round(performance.now() - started),
      bytes: statSync(path).size,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (partial) rmSync(partial, { force: true });
  }
}

/**
 * The snapshot is copied beside the data folder (same file system: quick copies or clones while writes
 * are held, even when the archive goes to a slow network share), else into the archive's folder.
 * mkdtemp makes it 0700.
 */
function stagingFolder(dataDir: string, outDir: string): string {
  try {
    return mkdtempSync(join(dirname(dataDir), `.${basename(dataDir)}-backup-`));
  } catch {
    return mkdtempSync(join(outDir, '.baocun-backup-'));
  }
}

function archiveName(outDir: string, mode: string, at: Date, label: string | undefined): string {
  const stem = `baocun-${mode}-${archiveStamp(at)}${label ? `-${label}` : ''}`;
  for (let n = 1; ; n++) {
    const name = `${stem}${n > 1 ? `-${n}` : ''}.tar.gz`;
    if (!existsSync(join(outDir, name))) return name;
  }
}

/** Every table of the database, one JSON line per item in DynamoDB's own attribute-value form. */
async function dumpTables(client: DynamoDBClient, dir: string): Promise<Record<string, { items: number }>> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  const tables: Record<string, { items: number }> = {};
  for (const table of names) {
    const fd = openSync(join(dir, `${table}.jsonl`), 'wx', 0o600);
    let items = 0;
    try {
      let key: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: key }),
        );
        const lines = (page.Items ?? []).map((item) => `${JSON.stringify(encodeItem(item))}\n`);
        if (lines.length) writeSync(fd, lines.join(''));
        items += lines.length;
        key = page.LastEvaluatedKey;
      } while (key);
    } finally {
      closeSync(fd);
    }
    tables[table] = { items };
  }
  return tables;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Binary attributes (B, BS) as base64, so the line is plain JSON; decodeItem reverses it. */
export function encodeItem(item: Record<string, AttributeValue>): Record<string, Json> {
  const encode = (value: AttributeValue): Json => {
    if (value.B) return { B: Buffer.from(value.B).toString('base64') };
    if (value.BS) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
    if (value.M) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, encode(v)])) };
    if (value.L) return { L: value.L.map(encode) };
    return value as unknown as Json;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, encode(v)]));
}

export function decodeItem(item: Record<string, unknown>): Record<string, AttributeValue> {
  const decode = (value: Record<string, unknown>): AttributeValue => {
    if (typeof value.B === 'string') return { B: Buffer.from(value.B, 'base64') };
    if (Array.isArray(value.BS)) return { BS: value.BS.map((b: string) => Buffer.from(b, 'base64')) };
    if (value.M && typeof value.M === 'object') {
      return {
        M: Object.fromEntries(
          Object.entries(value.M as Record<string, Record<string, unknown>>).map(([k, v]) => [k, decode(v)]),
        ),
      };
    }
    if (Array.isArray(value.L)) return { L: value.L.map((v: Record<string, unknown>) => decode(v)) };
    return value as unknown as AttributeValue;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, decode(v as Record<string, unknown>)]));
}

/**
 * Copies the data folder's files (not the database's own files, not the lock, sockets or temporary
 * files of a write in progress, not `skip` when the backups are kept inside it).
 */
function copyFolder(from: string, to: string, skip: string, top = true): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (top && NOT_FILES.has(name)) continue;
    if (source === skip || name.endsWith('.tmp') || name.endsWith('.sock')) continue;
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(source);
    } catch {
      continue; // renamed away between the listing and now (a document being replaced)
    }
    if (stat.isDirectory()) copyFolder(source, join(to, name), skip, false);
    else if (stat.isFile()) {
      try {
        // A copy-on-write clone where the file system has them (the pause is shorter), else a copy.
        copyFileSync(source, join(to, name), constants.COPYFILE_FICLONE);
        chmodSync(join(to, name), 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}

export function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) yield* walk(path);
    else if (stat.isFile()) yield path;
  }
}

export function sha256(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolvePromise(hash.digest('hex')))
      .on('error', reject);
  });
}

function writePrivate(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Keeps the newest `keep` scheduled archives in `dir`; returns the names removed. */
export function pruneBackups(dir: string, keep: number): string[] {
  if (!existsSync(dir)) return [];
  const archives = readdirSync(dir)
    .filter((name) => SCHEDULED_ARCHIVE.test(name))
    .sort(byStamp);
  const removed = archives.slice(0, Math.max(0, archives.length - keep));
  for (const name of removed) rmSync(join(dir, name), { force: true });
  return removed;
}

/** Oldest first: by the time in the name, then by the -2, -3 … of archives made in the same second. */
function byStamp(a: string, b: string): number {
  const key = (name: string) => {
    const m = /-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$/.exec(name);
    return `${m?.[1] ?? ''}-${(m?.[2] ?? '1').padStart(6, '0')}`;
  };
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

export function backupKeepFromEnv(env = process.env): number {
  const keep = Number(env.BACKUP_KEEP ?? 14);
  return Number.isInteger(keep) && keep >= 1 ? keep : 14;
}

/** The daily backup of the local scheduler: 02:00 Beijing, into `dir`, keeping the newest `keep`. */
export function dailyBackupJob(options: {
  backup: (outDir: string) => Promise<BackupResult>;
  dir: string;
  keep: number;
  log: (line: Record<string, unknown>) => void;
}): LocalJob {
  return {
    name: 'daily-backup',
    schedule: { hour: 2, minute: 0 },
    async run(scheduledFor) {
      try {
        const result = await options.backup(options.dir);
        const pruned = pruneBackups(options.dir, options.keep);
        const summary = {
          path: result.path,
          items: result.manifest.counts.items,
          files: result.manifest.counts.files,
          bytes: result.bytes,
          pauseMs: result.pauseMs,
          totalMs: result.totalMs,
          pruned,
        };
        options.log({ level: 'info', msg: 'daily backup written', ...summary });
        return summary;
      } catch (error) {
        // Loud: an operator who reads nothing else must still see that last night's backup is missing.
        const message = error instanceof Error ? error.message : String(error);
        console.error(
          `\n!!! 每日备份失败 / THE DAILY BACKUP FAILED (${scheduledFor.toISOString()}) into ${options.dir}: ${message}\n`,
        );
        options.log({ level: 'error', msg: 'daily backup failed', dir: options.dir, error: message });
        throw error;
      }
    },
  };
}
