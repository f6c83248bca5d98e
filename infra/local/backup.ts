import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BackupResult, backupDirFromEnv, createBackup } from './backup-archive.ts';
import { ControlError, callControl } from './control.ts';
import { DataFolderError, readManifest } from './data-folder.ts';
import { DataFolderLockedError, lockDataFolder } from './data-lock.ts';
import { startDynalite } from './dynamo-local.ts';

/**
 * `npm run backup [-- --out DIR]`: one archive of the data folder (DATA_DIR, default .data) into DIR
 * (default BACKUP_DIR, else beside the data folder). When a server runs on the folder, it takes the
 * backup itself (through the control socket), pausing writes for the moment of the snapshot; otherwise
 * this command locks the folder and reads it directly. The archive's path is the last line printed.
 */
function usage(message: string): never {
  console.error(`${message}\nusage: npm run backup [-- --out DIR]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let out: string | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--out') out = args[++i] ?? usage('--out needs a folder');
  else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
  else usage(`unknown argument: ${arg}`);
}
// What this command writes into the data folder (or a backup) is the service user's alone.
process.umask(0o077);
process.env.LOG_LEVEL ??= 'warn';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const outDir = out ? resolve(out) : backupDirFromEnv(dataDir);

type Summary = Pick<BackupResult, 'path' | 'pauseMs' | 'totalMs' | 'bytes'> & {
  counts: BackupResult['manifest']['counts'];
};

function noData(): DataFolderError {
  return new DataFolderError(
    `数据目录 ${dataDir} 中没有 Baocun 数据，无可备份。/ ${dataDir} holds no Baocun data to back up (set DATA_DIR).`,
  );
}

async function offline(): Promise<Summary> {
  // Checked before locking, which would create the folder.
  if (!existsSync(dataDir) || !readManifest(dataDir)) throw noData();
  const unlock = lockDataFolder(dataDir);
  try {
    const dynamo = await startDynalite(dataDir);
    try {
      const result = await createBackup({ dataDir, dynamoEndpoint: dynamo.endpoint, outDir });
      return { ...result, counts: result.manifest.counts };
    } finally {
      await dynamo.stop();
    }
  } finally {
    unlock();
  }
}

try {
  const running = await callControl<Summary>(dataDir, 'POST', '/backup', { out: outDir });
  const result = running ?? (await offline());
  const c = result.counts;
  console.log(
    `备份完成 / backup written${running ? ' by the running server' : ''}: ${c.items} records, ${c.files} files ` +
      `(${c.documents} documents, ${c.outbox} emails), ${(result.bytes / 1024).toFixed(0)} KB, ` +
      `writes paused ${result.pauseMs} ms, ${result.totalMs} ms in all`,
  );
  console.log(result.path);
} catch (error) {
  if (
    error instanceof DataFolderLockedError ||
    error instanceof DataFolderError ||
    error instanceof ControlError
  ) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`备份失败 / backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
