import { resolve } from 'node:path';
import { modeFlag } from './data-folder.ts';
import { DataFolderLockedError } from './data-lock.ts';
import { RestoreError, restoreArchive } from './restore-archive.ts';

/**
 * `npm run restore -- <archive>`: a backup archive into DATA_DIR (default .data), which must be empty
 * or absent. The restored folder keeps the mode it was backed up in, its accounts and signing key.
 */
// What this command writes into the data folder (or a backup) is the service user's alone.
process.umask(0o077);
process.env.LOG_LEVEL ??= 'warn';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [archive, ...rest] = process.argv.slice(2);
if (!archive || rest.length) {
  console.error(
    'usage: npm run restore -- <archive.tar.gz>   (into DATA_DIR, default .data, which must be empty)',
  );
  process.exit(2);
}
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
try {
  const started = performance.now();
  const result = await restoreArchive(archive, dataDir);
  console.log(
    `恢复完成 / restored into ${result.dataDir}: ${result.items} records, ${result.files} files, ` +
      `${result.manifest.mode} mode, backed up ${result.manifest.createdAt}, ${Math.round(performance.now() - started)} ms`,
  );
  console.log(`启动 / start it with: DATA_DIR=${result.dataDir} ${modeFlag(result.manifest.mode)}`);
} catch (error) {
  if (error instanceof RestoreError || error instanceof DataFolderLockedError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`恢复失败 / restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
