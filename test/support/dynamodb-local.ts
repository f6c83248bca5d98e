import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB Local (AWS's own emulator) for the second run of the integration suites, so dynalite never
 * hides a difference from the real service. The jar ships inside the npm package
 * `amplify-dynamodb-simulator`; only its tarball is fetched (`npm pack`) and unpacked into a cache
 * folder, never installed, so its heavy dependency tree stays out of the product.
 */
export const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator';
/** Pinned: 2.9.30 carries DynamoDB Local 1.25.1. */
export const SIMULATOR_VERSION = '2.9.30';

const execFileAsync = promisify(execFile);

/** DDB_LOCAL_CACHE moves the cache (e.g. to a folder CI keeps between runs). */
export const DEFAULT_CACHE_DIR = resolve(
  process.env.DDB_LOCAL_CACHE || resolve(import.meta.dirname, '../../node_modules/.cache/dynamodb-local'),
);

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 15_000 });
  return probe.error === undefined && probe.status === 0;
}

/** The unpacked `emulator/` folder (DynamoDBLocal.jar + DynamoDBLocal_lib), fetching it once. */
export async function ensureEmulator(cacheDir = DEFAULT_CACHE_DIR): Promise<string> {
  const target = join(cacheDir, SIMULATOR_VERSION);
  const emulator = join(target, 'emulator');
  if (existsSync(join(emulator, 'DynamoDBLocal.jar'))) return emulator;

  mkdirSync(cacheDir, { recursive: true });
  // Unpack into a private folder and rename it into place: two test runs starting at once (CI
  // shards, several terminals) must never see a half-extracted jar.
  const work = mkdtempSync(join(cacheDir, 'fetch-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await execFileAsync(
      npm,
      ['pack', `${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION}`, '--pack-destination', work, '--silent'],
      {
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION} produced no tarball`);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    await execFileAsync('tar', ['-xzf', join(work, tarball), '-C', unpacked, 'package/emulator'], {
      timeout: 120_000,
    });
    if (!existsSync(join(unpacked, 'package/emulator/DynamoDBLocal.jar'))) {
      throw new Error(`${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION} has no emulator/DynamoDBLocal.jar`);
    }
    try {
      renameSync(join(unpacked, 'package'), target);
    } catch (error) {
      // Another run won the race: its copy is complete (rename is atomic), use it.
      if (!existsSync(join(emulator, 'DynamoDBLocal.jar'))) throw error;
    }
    return emulator;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local in memory on a free loopback port and waits until it answers ListTables.
 * `-sharedDb` matters: without it DynamoDB Local keeps one database per access key AND region, and
 * the table created by the runtime's setup client would be invisible to the handlers' client.
 */
export async function startDynamoDbLocal(
  options: { emulatorDir?: string; port?: number; timeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  const emulator = options.emulatorDir ?? (await ensureEmulator());
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // DynamoDB Local writes dynamodb-local-metadata.json into its working folder: keep it out of the repo.
  const cwd = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulator, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { cwd, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const stop = async () => {
    if (exited) return rmSync(cwd, { recursive: true, force: true });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
    rmSync(cwd, { recursive: true, force: true });
  };

  try {
    await waitUntilAnswering(endpoint, child, () => spawnError ?? exited, options.timeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw new Error(
      `DynamoDB Local did not start on ${endpoint}: ${(error as Error).message}\n${output.trim()}`,
    );
  }
  return { endpoint, pid: child.pid, stop };
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  failed: () => unknown,
  timeoutMs: number,
) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const failure = failed();
      if (failure)
        throw new Error(
          `java exited early (${JSON.stringify(failure instanceof Error ? failure.message : failure)})`,
        );
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms (pid ${child.pid})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
