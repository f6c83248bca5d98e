import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A data folder records, in `baocun.json`, the mode it was created in and the format of what it holds.
 * The mode never changes: a county's folder (no demo sign-in, accounts with passwords) is never started
 * as a demo or dev folder, and a demo folder never becomes a county's. Everything in it is readable by
 * the service's user only (folders 0700, files 0600).
 */
export const MODES = ['demo', 'dev', 'county'] as const;
export type Mode = (typeof MODES)[number];

/** Bumped when what a data folder holds changes shape; a newer Baocun upgrades an older folder on start. */
export const DATA_FORMAT = 1;

export const MANIFEST_FILE = 'baocun.json';

export interface DataManifest {
  format: number;
  mode: Mode;
  createdAt: string;
}

export class DataFolderError extends Error {}

const MODE_NAMES: Record<Mode, string> = {
  demo: '演示模式（npm start -- --demo）',
  dev: '开发模式（npm start -- --dev）',
  county: '县级正式模式（npm start）',
};

export function modeFlag(mode: Mode): string {
  return mode === 'county' ? 'npm start' : `npm start -- --${mode}`;
}

export function readManifest(dataDir: string): DataManifest | undefined {
  const path = join(dataDir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DataManifest>;
  if (
    typeof parsed.format !== 'number' ||
    !MODES.includes(parsed.mode as Mode) ||
    typeof parsed.createdAt !== 'string'
  ) {
    throw new DataFolderError(
      `数据目录 ${dataDir} 中的 ${MANIFEST_FILE} 已损坏 / ${MANIFEST_FILE} in ${dataDir} is damaged`,
    );
  }
  return parsed as DataManifest;
}

export function writeManifest(dataDir: string, manifest: DataManifest): void {
  writeFileSync(join(dataDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/** Files that say a folder holds Baocun data even without a manifest (folders made before modes existed). */
function holdsData(dataDir: string): boolean {
  if (!existsSync(dataDir)) return false;
  return readdirSync(dataDir).some((name) => name !== 'baocun.pid' && !name.startsWith('.'));
}

export interface OpenedDataFolder {
  dataDir: string;
  manifest: DataManifest;
  /** True when this call created the folder's manifest (a new folder). */
  created: boolean;
  /** The folder's format is older than this Baocun's: the caller backs it up and upgrades it. */
  needsUpgrade: boolean;
}

/**
 * Opens (or creates) a data folder for a server or a command in `mode`. Refuses, with a message for
 * the operator in Chinese and English, a folder of another mode, a folder written by a newer Baocun,
 * and a folder with data but no manifest opened in county mode (it was made by a demo or dev server).
 */
export function openDataFolder(dataDir: string, mode: Mode, now = new Date()): OpenedDataFolder {
  const dir = resolve(dataDir);
  const existing = readManifest(dir);
  if (!existing) {
    const legacy = holdsData(dir);
    if (legacy && mode === 'county') {
      throw new DataFolderError(
        `数据目录 ${dir} 已有数据，但不是以县级正式模式创建的（可能是演示或开发数据），不能用于正式运行。请用新的空目录（DATA_DIR）。\n` +
          `The data folder ${dir} holds data that was not created in county mode (demo or dev data); a county server needs a new, empty folder (DATA_DIR).`,
      );
    }
    ensurePrivateFolder(dir);
    const manifest: DataManifest = {
      // A folder from before modes existed is format 0: it is upgraded like any older folder.
      format: legacy ? 0 : DATA_FORMAT,
      mode,
      createdAt: now.toISOString(),
    };
    writeManifest(dir, manifest);
    return { dataDir: dir, manifest, created: !legacy, needsUpgrade: legacy };
  }
  if (existing.format > DATA_FORMAT) {
    throw new DataFolderError(
      `数据目录 ${dir} 由更新版本的 Baocun 写入（数据格式 ${existing.format}，本版本支持到 ${DATA_FORMAT}）。请升级 Baocun 后再启动。\n` +
        `The data folder ${dir} was written by a newer Baocun (data format ${existing.format}; this version reads up to ${DATA_FORMAT}). Upgrade Baocun before starting it.`,
    );
  }
  if (existing.mode !== mode) {
    throw new DataFolderError(
      `数据目录 ${dir} 是以${MODE_NAMES[existing.mode]}创建的，不能以${MODE_NAMES[mode]}启动。请用 ${modeFlag(existing.mode)} 启动它，或用 DATA_DIR 指定另一个目录。\n` +
        `The data folder ${dir} was created in ${existing.mode} mode and cannot be started in ${mode} mode. Start it with \`${modeFlag(existing.mode)}\`, or set DATA_DIR to another folder.`,
    );
  }
  ensurePrivateFolder(dir);
  return { dataDir: dir, manifest: existing, created: false, needsUpgrade: existing.format < DATA_FORMAT };
}

/** Creates the folder 0700 and tightens what is already in it: folders 0700, files 0600 (never following links). */
export function ensurePrivateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir);
}

function tighten(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) tighten(join(path, name));
  } else if (stat.isFile() || stat.isSocket()) {
    if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
  }
}

/** Unix sockets must fit in sun_path (108 bytes on Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * Where a data folder's Unix socket lives: inside the folder (so only the service's user can reach
 * it), or, when that path is too long for a socket, in a private folder under the temp folder named
 * by a hash of the data folder, so the server and the commands find the same one.
 */
export function socketPath(dataDir: string | undefined, name: string): string {
  if (dataDir) {
    const inside = join(resolve(dataDir), `${name}.sock`);
    if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
    const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
    const dir = join(tmpdir(), `baocun-${hash}`);
    ensurePrivateFolder(dir);
    return join(dir, `${name}.sock`);
  }
  throw new DataFolderError('socketPath needs a data folder');
}
