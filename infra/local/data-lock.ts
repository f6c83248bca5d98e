import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process per data folder. LevelDB would refuse a second opener with a cryptic error; we refuse
 * first, with a message that says which process holds the folder. A lock left by a dead process is
 * taken over.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataFolderLockedError extends Error {}

/** Folders locked by this process: a pid file naming our own pid is only stale if we do not hold it. */
const heldHere = new Set<string>();

export function lockDataFolder(dataDir: string): () => void {
  // Private from the start, whatever the umask of the process that locks it (tests, commands).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'baocun.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      const held =
        holder === process.pid ? heldHere.has(path) : Number.isInteger(holder) && holder > 0 && alive(holder);
      if (held) {
        throw new DataFolderLockedError(
          `数据目录 ${dataDir} 正被另一个 Baocun 进程（PID ${holder}）使用。请先停止它，或用 DATA_DIR 指定另一个目录。\n` +
            `The data folder ${dataDir} is in use by another Baocun process (PID ${holder}). Stop it first, or set DATA_DIR to another folder.`,
        );
      }
      rmSync(path, { force: true }); // stale lock from a process that is gone
    }
  }
  throw new DataFolderLockedError(`could not lock ${dataDir}`);
}
