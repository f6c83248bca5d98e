import { createBackup } from './backup-archive.ts';
import { DATA_FORMAT, DataFolderError, readManifest, writeManifest } from './data-folder.ts';

/**
 * Upgrades of a data folder's format, one step per format number. A newer Baocun starting on an older
 * folder first backs it up (an archive labelled before-upgrade-<from>-to-<to>, never pruned), then
 * runs each step and records the new format after each one, so an upgrade stopped half-way resumes
 * at the step it stopped in. An older Baocun refuses a newer folder (data-folder.ts).
 */
export interface UpgradeContext {
  dataDir: string;
  /** The folder's database, already running. */
  dynamoEndpoint: string;
  log: (line: Record<string, unknown>) => void;
}

export interface UpgradeStep {
  /** Upgrades a folder of format `from` to `from + 1`. */
  from: number;
  description: string;
  run(context: UpgradeContext): Promise<void>;
}

export const UPGRADES: readonly UpgradeStep[] = [
  {
    from: 0,
    // Folders from before modes existed: openDataFolder has already written their manifest (format 0,
    // the mode they were opened in); their table and files need no change.
    description: 'record the mode and format in baocun.json',
    run: async () => {},
  },
];

export interface UpgradeResult {
  from: number;
  to: number;
  backup: string;
  steps: string[];
}

export async function upgradeDataFolder(
  context: UpgradeContext & { backupDir: string; now?: () => Date },
): Promise<UpgradeResult> {
  const manifest = readManifest(context.dataDir);
  if (!manifest) throw new DataFolderError(`no ${context.dataDir}/baocun.json to upgrade`);
  const from = manifest.format;
  const backup = await createBackup({
    dataDir: context.dataDir,
    dynamoEndpoint: context.dynamoEndpoint,
    outDir: context.backupDir,
    label: `before-upgrade-${from}-to-${DATA_FORMAT}`,
    ...(context.now ? { now: context.now } : {}),
  });
  context.log({
    level: 'warn',
    msg: 'data folder backed up before its upgrade',
    from,
    to: DATA_FORMAT,
    backup: backup.path,
  });
  const steps: string[] = [];
  for (let format = from; format < DATA_FORMAT; format++) {
    const step = UPGRADES.find((s) => s.from === format);
    if (!step) throw new DataFolderError(`no upgrade step from data format ${format}`);
    await step.run(context);
    writeManifest(context.dataDir, { ...manifest, format: format + 1 });
    steps.push(`${format}→${format + 1}: ${step.description}`);
  }
  context.log({ level: 'warn', msg: 'data folder upgraded', from, to: DATA_FORMAT, steps });
  return { from, to: DATA_FORMAT, backup: backup.path, steps };
}
