import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { create as createTar, extract } from 'tar';
import { describe, expect, it } from 'vitest';
import { createAccount } from '../../functions/accounts/service.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { pruneBackups, walk } from '../../infra/local/backup-archive.ts';
import { DATA_FORMAT, DataFolderError, readManifest, writeManifest } from '../../infra/local/data-folder.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/runtime.ts';
import { cleanupAfterEach, uid } from '../support/local-stack.ts';

/**
 * Backups and restores of a data folder (npm run backup / npm run restore), the daily backup, and
 * format upgrades. The commands run as child processes, the way an operator runs them.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

const { defer, folder } = cleanupAfterEach();

/** A data folder in a fresh temporary folder: backups go beside it, never in it. */
function dataFolder(): string {
  return join(folder(), 'data');
}

/** Signs in through POST /auth/token (county mode): the status and the token. */
async function signIn(stack: LocalStack, username: string, password: string) {
  const res = await fetch(`${stack.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

async function stackOn(dataDir: string, options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    scheduler: false,
    log: () => {},
    backupDir: join(dataDir, '..', 'backups'),
    ...options,
  });
  defer(() => stack.stop());
  return stack;
}

/** Runs a command of package.json's scripts (backup, restore) with DATA_DIR; never throws. */
async function command(script: 'backup' | 'restore', dataDir: string, args: string[] = []) {
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  try {
    const { stdout, stderr } = await run(TSX, [`infra/local/${script}.ts`, ...args], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function client(stack: LocalStack, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    /** Every item of a list, following its `next` cursors. */
    async all(path: string): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let next: string | undefined;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const res = await call(
          'GET',
          `${path}${sep}limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`,
        );
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
        items.push(...res.body.items);
        next = res.body.next;
      } while (next);
      return items;
    },
  };
}

/** path → SHA-256 of every file under `dir` (documents, outbox). */
function tree(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const path of walk(dir)) {
    out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

const today = () => beijingDate(new Date());

/** A small county: 2 townships, 4 villages, 8 cadres, a chief and a member per village, a dispatch. */
async function seedCounty(api: ReturnType<typeof client>) {
  const villages: { id: string; cadres: string[] }[] = [];
  for (let t = 0; t < 2; t++) {
    const townshipId = uid('T');
    expect((await api.post('/townships', { id: townshipId, name: `备份乡${t}` })).status).toBe(201);
    for (let v = 0; v < 2; v++) {
      const villageId = uid('V');
      expect(
        (await api.post('/villages', { id: villageId, name: `备份村${t}${v}`, townshipId, category: 'deep' }))
          .status,
      ).toBe(201);
      const cadres: string[] = [];
      for (const role of ['member', 'chief']) {
        const cadreId = uid('C');
        expect(
          (
            await api.post('/cadres', {
              id: cadreId,
              name: `干部${t}${v}${role}`,
              unit: '县水务局',
              rank: 'staff',
            })
          ).status,
        ).toBe(201);
        const a = await api.post('/assignments', { cadreId, villageId, role, from: addDays(today(), -30) });
        expect(a.status, JSON.stringify(a.body)).toBe(201);
        cadres.push(cadreId);
      }
      villages.push({ id: villageId, cadres });
    }
  }
  const dispatch = await api.post('/dispatches', {
    title: '抗旱保苗',
    category: '防汛抗旱',
    description: '清理水窖，保障人畜饮水',
    deadline: addDays(today(), 7),
    assignees: villages.map((v) => ({ cadreId: v.cadres[1], villageId: v.id })),
  });
  expect(dispatch.status, JSON.stringify(dispatch.body)).toBe(201);
  return villages;
}

/**
 * An inspection with 40 problems for the first cadre of the village: one request, written as several
 * BatchWriteItem calls (25 items each), so a snapshot taken between them would hold part of it.
 */
const PROBLEMS_PER_INSPECTION = 40;

function inspection(village: { id: string; cadres: string[] }, n: number) {
  return {
    villageId: village.id,
    date: addDays(today(), -1),
    mode: 'open',
    note: `第${n}次督查`,
    findings: [
      {
        cadreId: village.cadres[0],
        present: false,
        problems: Array.from({ length: PROBLEMS_PER_INSPECTION }, (_, p) => ({
          description: `问题${n}-${p}`,
          severity: 'minor',
        })),
      },
    ],
  };
}

describe('npm run backup and npm run restore', () => {
  it('backs up a running county while writes go on, and restores every list, document, account and key', async () => {
    const dataDir = dataFolder();
    const original = await stackOn(dataDir, { mode: 'county' });
    // The county's first administrator, as `npm run users -- add hq-admin --role admin --password-stdin` makes it.
    const adminPassword = 'Qinglan-backup-2026';
    await createAccount(
      { username: 'hq-admin', role: 'admin', name: '县指挥部', password: adminPassword },
      { actor: 'cli', roles: ['admin'], routeKey: 'CLI users add', requestId: 'backup-test' },
    );
    const first = await signIn(original, 'hq-admin', adminPassword);
    expect(first.status).toBe(200);
    const adminToken = first.token!;
    const api = client(original, adminToken);
    await createAccount(
      { username: 'inspector-1', role: 'inspector', name: '督查一组', password: 'Duchayizu-2026' },
      { actor: 'cli', roles: ['admin'], routeKey: 'CLI users add', requestId: 'backup-test-2' },
    );
    const team = client(original, (await signIn(original, 'inspector-1', 'Duchayizu-2026')).token!);
    const villages = await seedCounty(api);
    for (let n = 0; n < 4; n++) {
      expect((await team.post('/inspections', inspection(villages[n % villages.length]!, n))).status).toBe(
        201,
      );
    }
    const account = await api.post('/accounts', { username: 'zhangsan', role: 'inspector', name: '张三' });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    // Documents and emails as the jobs leave them (binary, in folders).
    mkdirSync(join(dataDir, 'documents', 'bulletins', '2026-W01'), { recursive: true });
    writeFileSync(
      join(dataDir, 'documents', 'bulletins', '2026-W01', 'bulletin.pdf'),
      Buffer.from([0, 1, 2, 255]),
    );
    mkdirSync(join(dataDir, 'outbox'), { recursive: true });
    writeFileSync(join(dataDir, 'outbox', 'reminder.eml'), 'Subject: =?UTF-8?B?5YKs5Yqe?=\r\n\r\nhello\r\n');

    // Inspections keep coming while the backup runs.
    const acknowledgedBefore: string[] = [];
    let writing = true;
    let backupStarted = false;
    let n = 100;
    const writer = (async () => {
      while (writing) {
        const res = await team.post('/inspections', inspection(villages[n % villages.length]!, n++));
        expect(res.status).toBe(201);
        if (!backupStarted) acknowledgedBefore.push(res.body.id);
      }
    })();
    // Let the writer get going, then back up through the running server.
    await expect.poll(() => n, { timeout: 10_000 }).toBeGreaterThan(103);
    backupStarted = true;
    const outDir = join(dataDir, '..', 'out');
    const backup = await command('backup', dataDir, ['--out', outDir]);
    const writesDuring = n;
    writing = false;
    await writer;
    expect(backup.code, backup.stderr).toBe(0);
    const archive = backup.stdout.trim().split('\n').at(-1)!;
    expect(archive).toMatch(/\/baocun-county-\d{8}-\d{6}\.tar\.gz$/);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toContain('by the running server');
    // Writes went on around the backup (they waited, none was refused).
    expect(writesDuring).toBeGreaterThan(104);

    const lists = [
      '/townships',
      '/villages',
      '/cadres',
      '/assignments',
      '/dispatches',
      '/accounts',
      '/audit?actor=hq-admin',
    ];
    const growing = ['/inspections', '/problems', '/audit?actor=inspector-1'];
    const snapshot = async (stack: LocalStack) => {
      const c = client(stack, adminToken);
      const out: Record<string, Record<string, unknown>[]> = {};
      for (const path of [...lists, ...growing]) out[path] = await c.all(path);
      return out;
    };
    const before = await snapshot(original);
    const beforeFiles = {
      documents: tree(join(dataDir, 'documents')),
      outbox: tree(join(dataDir, 'outbox')),
    };
    // An initial password must be changed first: the same answer before and after.
    const inspectorBefore = await signIn(original, 'zhangsan', account.body.initialPassword);
    expect(inspectorBefore.status).toBe(403);
    await original.stop();

    const target = dataFolder();
    const restored = await command('restore', target, [archive]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readManifest(target)).toMatchObject({ mode: 'county', format: DATA_FORMAT });
    expect(statSync(target).mode & 0o777).toBe(0o700);
    for (const path of walk(target)) expect(statSync(path).mode & 0o077, path).toBe(0);

    // Started in its original mode: a county folder refuses to start as a dev folder.
    await expect(
      startLocalStack({ dataDir: target, port: 0, mode: 'dev', scheduler: false }),
    ).rejects.toThrow(DataFolderError);
    const again = await stackOn(target, { mode: 'county' });
    // The same signing key: a token issued by the original server still works.
    expect((await client(again, adminToken).get('/townships')).status).toBe(200);
    const after = await snapshot(again);
    for (const path of lists) expect(after[path], path).toEqual(before[path]);
    // Growing lists: a moment during the writes, every record whole.
    const byId = (items: Record<string, unknown>[]) =>
      new Map(items.map((i) => [String(i.id ?? JSON.stringify(i)), i]));
    for (const path of growing) {
      const all = byId(before[path]!);
      for (const [id, item] of byId(after[path]!)) expect(all.get(id), `${path} ${id}`).toEqual(item);
    }
    const restoredInspections = after['/inspections']!.map((i) => String(i.id));
    for (const id of acknowledgedBefore) expect(restoredInspections).toContain(id);
    expect(restoredInspections.length).toBeLessThan(before['/inspections']!.length);
    for (const id of restoredInspections) {
      expect(
        after['/problems']!.filter((p) => p.inspectionId === id),
        id,
      ).toHaveLength(PROBLEMS_PER_INSPECTION);
    }
    expect(after['/problems']).toHaveLength(restoredInspections.length * PROBLEMS_PER_INSPECTION);
    // Documents: every file in the archive is the original's, byte for byte. Each inspection recorded
    // during the writes has its rectification notice issued at once (and printed a moment later), so
    // the archive holds those of the inspections it holds; every other document is there.
    const restoredFiles = tree(join(target, 'documents'));
    for (const [path, digest] of Object.entries(restoredFiles))
      expect(beforeFiles.documents[path], path).toBe(digest);
    for (const [path, digest] of Object.entries(beforeFiles.documents))
      if (!path.startsWith('rectifications/')) expect(restoredFiles[path], path).toBe(digest);
    expect(tree(join(target, 'outbox'))).toEqual(beforeFiles.outbox);
    // The same accounts with the same passwords.
    expect((await signIn(again, 'hq-admin', adminPassword)).status).toBe(200);
    expect((await signIn(again, 'hq-admin', 'Wrong-password-2026')).status).toBe(401);
    expect((await signIn(again, 'zhangsan', account.body.initialPassword)).status).toBe(
      inspectorBefore.status,
    );
  }, 120_000);

  it('backs up a stopped folder itself, and refuses a folder with no data', async () => {
    const dataDir = dataFolder();
    const stack = await stackOn(dataDir);
    const api = client(stack, await stack.token('hq-admin', 'admin'));
    expect((await api.post('/townships', { id: 'T01', name: '青石乡' })).status).toBe(201);
    // The control socket: the service's user only, and never a browser.
    const socket = join(dataDir, 'control.sock');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const fromPage = await new Promise<number>((done, fail) => {
      request(
        { socketPath: socket, method: 'POST', path: '/backup', headers: { origin: 'http://evil.example' } },
        (res) => done(res.statusCode ?? 0),
      )
        .on('error', fail)
        .end('{}');
    });
    expect(fromPage).toBe(403);
    await stack.stop();
    expect(existsSync(socket)).toBe(false);
    const out = join(dataDir, '..', 'out');
    const backup = await command('backup', dataDir, ['--out', out]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).not.toContain('by the running server');
    expect(backup.stdout.trim().split('\n').at(-1)).toMatch(/baocun-dev-.*\.tar\.gz$/);
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(false);

    const empty = join(folder(), 'nothing');
    const refused = await command('backup', empty, ['--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/没有 Baocun 数据.*holds no Baocun data/s);
    expect(existsSync(empty)).toBe(false);
  }, 60_000);

  it('refuses to restore into a folder that has data, and refuses a damaged or altered archive', async () => {
    const dataDir = dataFolder();
    const stack = await stackOn(dataDir);
    const api = client(stack, await stack.token('hq-admin', 'admin'));
    expect((await api.post('/townships', { id: 'T01', name: '青石乡' })).status).toBe(201);
    const { path: archive } = await stack.backup();
    await stack.stop();

    // Into the folder it came from (it has data): refused, and the data is untouched.
    const keyBefore = readFileSync(join(dataDir, 'local-jwt.key'));
    const intoFull = await command('restore', dataDir, [archive]);
    expect(intoFull.code).toBe(2);
    expect(intoFull.stderr).toMatch(/不是空的.*not empty/s);
    expect(readFileSync(join(dataDir, 'local-jwt.key'))).toEqual(keyBefore);
    // A folder holding any file counts as data.
    const other = join(folder(), 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'x');
    expect((await command('restore', other, [archive])).code).toBe(2);

    // One record altered inside the archive, the manifest left as it was.
    const unpacked = join(folder(), 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: archive, cwd: unpacked });
    const [table] = readdirSync(join(unpacked, 'tables'));
    const dump = join(unpacked, 'tables', table!);
    writeFileSync(dump, readFileSync(dump, 'utf8').replace('青石乡', '黑石乡'));
    const altered = join(unpacked, '..', 'altered.tar.gz');
    await createTar({ gzip: true, cwd: unpacked, file: altered }, readdirSync(unpacked));
    const target = join(folder(), 'target');
    const refused = await command('restore', target, [altered]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/已损坏或被改动.*does not match its checksum/s);
    expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);

    // A truncated archive.
    const truncated = join(unpacked, '..', 'truncated.tar.gz');
    const bytes = readFileSync(archive);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cut = await command('restore', target, [truncated]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/damaged or altered/);
    expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);

    // An extra file slipped into the archive.
    writeFileSync(join(unpacked, 'tables', table!), readFileSync(dump, 'utf8').replace('黑石乡', '青石乡'));
    writeFileSync(join(unpacked, 'data', 'extra.key'), 'x');
    const extra = join(unpacked, '..', 'extra.tar.gz');
    await createTar({ gzip: true, cwd: unpacked, file: extra }, readdirSync(unpacked));
    const slipped = await command('restore', target, [extra]);
    expect(slipped.code).toBe(2);
    expect(slipped.stderr).toMatch(/not in the manifest/);
    expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
  }, 60_000);
});

describe('data format upgrades', () => {
  it('backs up a folder of an older format before upgrading it', async () => {
    const dataDir = dataFolder();
    const first = await stackOn(dataDir);
    const api = client(first, await first.token('hq-admin', 'admin'));
    expect((await api.post('/townships', { id: 'T01', name: '青石乡' })).status).toBe(201);
    await first.stop();
    // A folder from before manifests existed (format 0).
    rmSync(join(dataDir, 'baocun.json'));
    const backupDir = join(dataDir, '..', 'backups');

    const second = await stackOn(dataDir);
    const archives = readdirSync(backupDir).filter((n) => n.endsWith('.tar.gz'));
    expect(archives).toEqual([
      expect.stringMatching(/^baocun-dev-\d{8}-\d{6}-before-upgrade-0-to-1\.tar\.gz$/),
    ]);
    const unpacked = join(folder(), 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: join(backupDir, archives[0]!), cwd: unpacked });
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ dataFormat: 0, mode: 'dev' });
    expect(manifest.counts.items).toBeGreaterThan(0);
    expect(readManifest(dataDir)?.format).toBe(DATA_FORMAT);
    // The data is still there after the upgrade.
    const read = await client(second, await second.token('hq-admin', 'admin')).get('/townships/T01');
    expect(read.body).toMatchObject({ id: 'T01', name: '青石乡' });
    // An upgrade backup is never pruned by the daily backup's rotation.
    expect(pruneBackups(backupDir, 1)).toEqual([]);
  }, 60_000);

  it('refuses a folder written by a newer Baocun, and changes nothing in it', async () => {
    const dataDir = dataFolder();
    const first = await stackOn(dataDir);
    await first.stop();
    const manifest = readManifest(dataDir)!;
    writeManifest(dataDir, { ...manifest, format: DATA_FORMAT + 1 });
    await expect(startLocalStack({ dataDir, port: 0, scheduler: false })).rejects.toThrow(
      /更新版本的 Baocun[\s\S]*written by a newer Baocun/,
    );
    expect(readManifest(dataDir)?.format).toBe(DATA_FORMAT + 1);
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(false);
  });
});

describe('the daily backup', () => {
  it('runs at 02:00 Beijing time and keeps the newest BACKUP_KEEP archives', async () => {
    const dataDir = dataFolder();
    const backupDir = join(dataDir, '..', 'daily');
    mkdirSync(backupDir, { recursive: true });
    // Twenty older daily archives, and one made before an upgrade (never pruned).
    for (let day = 1; day <= 20; day++) {
      writeFileSync(join(backupDir, `baocun-dev-202601${String(day).padStart(2, '0')}-020000.tar.gz`), 'old');
    }
    writeFileSync(join(backupDir, 'baocun-dev-20250101-020000-before-upgrade-0-to-1.tar.gz'), 'keep');
    // 1 ms before 02:00 in Beijing (18:00 UTC the day before): the scheduler fires without real waiting.
    let now = new Date('2026-03-09T17:59:59.999Z');
    const stack = await stackOn(dataDir, {
      scheduler: true,
      clock: () => now,
      backupDir,
      backupKeep: 3,
    });
    expect(stack.mode).toBe('dev');
    now = new Date('2026-03-09T18:00:00.000Z');
    const fresh = 'baocun-dev-20260310-020000.tar.gz';
    await expect
      .poll(
        () =>
          readdirSync(backupDir)
            .filter((n) => !n.startsWith('.'))
            .sort(),
        { timeout: 20_000 },
      )
      .toEqual([
        'baocun-dev-20250101-020000-before-upgrade-0-to-1.tar.gz',
        'baocun-dev-20260119-020000.tar.gz',
        'baocun-dev-20260120-020000.tar.gz',
        fresh,
      ]);
    expect(statSync(join(backupDir, fresh)).size).toBeGreaterThan(100);
  }, 60_000);
});
