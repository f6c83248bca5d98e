import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setSessionCacheTtl } from '../../functions/accounts/sessions.ts';
import { startTestStack, tempDataDir } from '../support/local-stack.ts';

/**
 * `npm run users` against a real data folder: on its own (it opens the database itself) and beside a
 * running county server (it talks to the server's database over the folder's socket), with the
 * refusals a county administrator will meet.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const folders: Array<{ remove(): void }> = [];
afterAll(() => {
  for (const f of folders) f.remove();
});

function users(
  dataDir: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/local/users.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, LOG_SILENT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

const passwordOf = (out: string) => out.trim().split('\n').at(-1)!.trim();

describe('npm run users without a server', () => {
  it('makes a county folder, adds, lists, resets and disables accounts', async () => {
    const folder = tempDataDir();
    folders.push(folder);
    const dir = join(folder.path, 'county');
    const add = await users(dir, ['add', 'Boss', '--role', 'admin', '--name', '县长']);
    expect(add.code, add.err).toBe(0);
    expect(passwordOf(add.out)).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    expect(existsSync(join(dir, 'baocun.json'))).toBe(true);

    const stdin = await users(
      dir,
      ['add', 'ops', '--role', 'inspector', '--password-stdin'],
      'plough-maple-42\n',
    );
    expect(stdin.code, stdin.err).toBe(0);
    expect(stdin.out).not.toContain('plough-maple-42');

    const list = await users(dir, ['list']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('boss\t指挥部\t-\t县长\t需修改初始密码');
    expect(list.out).toContain('ops\t督查组\t-\t-\t正常');

    const reset = await users(dir, ['reset', 'boss']);
    expect(reset.code).toBe(0);
    expect(passwordOf(reset.out)).not.toBe(passwordOf(add.out));
    expect((await users(dir, ['disable', 'ops'])).code).toBe(0);
    expect((await users(dir, ['list'])).out).toContain('ops\t督查组\t-\t-\t已停用');
  });

  it('exits non-zero with a clear message on a bad role, an unknown cadre, a duplicate, an unknown user and a weak password', async () => {
    const folder = tempDataDir();
    folders.push(folder);
    expect((await users(folder.path, ['add', 'boss', '--role', 'admin'])).code).toBe(0);

    const role = await users(folder.path, ['add', 'someone', '--role', 'king']);
    expect(role.code).toBe(1);
    expect(role.err).toContain('请选择角色');
    const cadre = await users(folder.path, ['add', 'c999', '--role', 'cadre', '--cadre', 'C999']);
    expect(cadre.code).toBe(1);
    expect(cadre.err).toContain('花名册中没有这名干部');
    const dup = await users(folder.path, ['add', 'boss', '--role', 'inspector']);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/已被使用[\s\S]*taken/);
    const unknown = await users(folder.path, ['reset', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('nobody');
    const weak = await users(
      folder.path,
      ['add', 'weak', '--role', 'admin', '--password-stdin'],
      '1qaz2wsx3edc',
    );
    expect(weak.code).toBe(1);
    expect(weak.err).toContain('太常见');
    const usage = await users(folder.path, ['frobnicate']);
    expect(usage.code).toBe(64);
    expect(usage.err).toContain('用法');
  });

  it('refuses a demo or dev folder: a county’s accounts never mix with demo data', async () => {
    const folder = tempDataDir();
    folders.push(folder);
    writeFileSync(
      join(folder.path, 'baocun.json'),
      JSON.stringify({ format: 1, mode: 'demo', createdAt: new Date().toISOString() }),
    );
    const res = await users(folder.path, ['add', 'boss', '--role', 'admin']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('县级正式模式');
  });
});

describe('npm run users beside a running server', () => {
  it('works on the server’s database, and a disable ends the user’s sessions within the cache window', async () => {
    const folder = tempDataDir();
    folders.push(folder);
    const t = await startTestStack({ mode: 'county', dataDir: folder.path, tableName: 'baocun' });
    setSessionCacheTtl(1_000);
    try {
      const add = await users(
        folder.path,
        ['add', 'ops', '--role', 'inspector', '--password-stdin'],
        'plough-maple-42',
      );
      expect(add.code, add.err).toBe(0);
      const signIn = await fetch(`${t.url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ops', password: 'plough-maple-42' }),
      });
      expect(signIn.status).toBe(200);
      const { token } = (await signIn.json()) as { token: string };
      const read = () => fetch(`${t.url}/townships`, { headers: { authorization: `Bearer ${token}` } });
      expect((await read()).status).toBe(200);

      const disable = await users(folder.path, ['disable', 'ops']);
      expect(disable.code, disable.err).toBe(0);
      // Another process changed the account: this server notices when its cached entry expires.
      await expect.poll(async () => (await read()).status, { timeout: 10_000, interval: 100 }).toBe(401);
      expect((await users(folder.path, ['list'])).out).toContain('ops\t督查组\t-\t-\t已停用');
    } finally {
      setSessionCacheTtl(undefined);
      await t.stop();
    }
  });
});
