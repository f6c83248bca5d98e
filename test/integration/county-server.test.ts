import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../functions/jobs/registry.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/runtime.ts';
import { waitForRun } from '../support/jobs.ts';
import { cleanupAfterEach } from '../support/local-stack.ts';
import { raw, setCookies } from '../support/raw-http.ts';
import { freePort, startServerProcess, waitFor } from '../support/server-process.ts';
import { selfSignedCertificate } from '../support/tls.ts';

/**
 * A county's own server: only its own host names are answered (DNS rebinding), /local/token takes no
 * cross-site posts, bodies are refused before they are read, the scheme comes from the listener (a
 * phone on the LAN over plain http signs in and out), https straight from the gateway, the modes of
 * `npm start`, private files, and a graceful stop.
 */
const { defer, folder } = cleanupAfterEach();

const LAN = 'baocun.lan';

/** A non-loopback address of this machine, if it has one (CI containers do). */
const machineIp = Object.values(networkInterfaces())
  .flat()
  .find((e) => e && e.family === 'IPv4' && !e.internal)?.address;

describe('the local gateway on plain http', () => {
  let stack: LocalStack;
  let port: string;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: undefined, port: 0, allowedHosts: `${LAN}, other.lan:8080` });
    port = new URL(stack.url).port;
  });
  afterAll(() => stack?.stop());

  describe('answers only its own host names', () => {
    it('refuses another Host with 421 before any handler, fallback or authorizer runs', async () => {
      const token = await stack.token('hq-admin', 'admin');
      for (const [method, path, headers] of [
        ['GET', '/healthz', {}],
        ['GET', '/app/login', {}],
        ['GET', '/nowhere', {}],
        ['POST', '/local/token', { 'content-type': 'application/json' }],
        ['GET', '/townships', { authorization: `Bearer ${token}` }],
      ] as const) {
        const res = await raw(stack.url, {
          method,
          path,
          headers: { ...headers, host: `attacker.example:${port}` },
          ...(method === 'POST' ? { body: '{"sub":"hq-admin","role":"admin"}' } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(421);
        expect(res.text).not.toContain('token');
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      // A rebinding name that only starts like ours, and no Host at all (HTTP/1.0 style).
      expect(
        (await raw(stack.url, { path: '/healthz', headers: { host: `localhost.attacker.example` } })).status,
      ).toBe(421);
      const { connect } = await import('node:net');
      const noHost = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET /healthz HTTP/1.0\r\n\r\n'));
        let text = '';
        socket.on('data', (c: Buffer) => {
          text += c.toString();
        });
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(noHost).toMatch(/^HTTP\/1\.[01] 421/);
    });

    it('answers loopback names, the machine’s own addresses and ALLOWED_HOSTS, whatever the port', async () => {
      const hosts = [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        `${LAN}:${port}`,
        `${LAN}`,
        `OTHER.lan:9999`,
        ...(machineIp ? [`${machineIp}:${port}`] : []),
      ];
      for (const host of hosts) {
        const res = await raw(stack.url, { path: '/healthz', headers: { host } });
        expect(res.status, host).toBe(200);
      }
    });
  });

  describe('/local/token (dev and demo only)', () => {
    const origin = () => `http://${LAN}:${port}`;
    const form = 'sub=hq-admin&role=admin';

    it('refuses a sign-in form posted from another site, and a token asked for by another site’s script', async () => {
      for (const headers of [
        { origin: 'http://attacker.example', 'content-type': 'application/x-www-form-urlencoded' },
        { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
        { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
        {
          'sec-fetch-site': 'same-site',
          origin: origin(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        // https://… is not this listener's origin: it serves plain http.
        { origin: `https://${LAN}:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
      ]) {
        const res = await raw(stack.url, {
          method: 'POST',
          path: '/local/token',
          headers: { host: `${LAN}:${port}`, ...headers },
          body: form,
        });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      const script = await raw(stack.url, {
        method: 'POST',
        path: '/local/token',
        headers: { host: `${LAN}:${port}`, origin: 'http://attacker.example', 'content-type': 'text/plain' },
        body: '{"sub":"hq-admin","role":"admin"}',
      });
      expect(script.status).toBe(403);
      expect(script.text).not.toContain('"token"');
    });

    it('signs in from its own page (same origin) and from programs (no Origin)', async () => {
      const page = await raw(stack.url, {
        method: 'POST',
        path: '/local/token',
        headers: {
          host: `${LAN}:${port}`,
          origin: origin(),
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form,
      });
      expect(page.status).toBe(303);
      const program = await raw(stack.url, {
        method: 'POST',
        path: '/local/token',
        headers: { 'content-type': 'application/json' },
        body: '{"sub":"hq-admin","role":"admin"}',
      });
      expect(program.status).toBe(200);
      expect(JSON.parse(program.text).token).toMatch(/^ey/);
    });
  });

  describe('reads no body it is going to refuse', () => {
    const TEN_MB = String(10 * 1024 * 1024);

    it('answers 401 to an unauthenticated request before its body is sent', async () => {
      const res = await raw(stack.url, {
        method: 'POST',
        path: '/townships',
        headers: { 'content-type': 'application/json', 'content-length': TEN_MB },
        withholdBody: true,
        timeoutMs: 5000,
      });
      expect(res.status).toBe(401);
      expect(res.headers.connection).toBe('close');
    });

    it('answers 413 (the API’s error) to a declared Content-Length over the route’s limit, before reading it', async () => {
      const res = await raw(stack.url, {
        method: 'POST',
        path: '/townships',
        headers: {
          authorization: `Bearer ${await stack.token('hq-admin', 'admin')}`,
          'content-type': 'application/json',
          'content-length': TEN_MB,
        },
        withholdBody: true,
        timeoutMs: 5000,
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(JSON.parse(res.text).error.message).toContain('请求内容过大');
    });

    it('answers 413 to a streamed (chunked) body as soon as it passes the limit', async () => {
      const { request } = await import('node:http');
      const token = await stack.token('hq-admin', 'admin');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${stack.url}/townships`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          agent: false,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        // Keeps sending until the server answers: it must not wait for the end of the body.
        const pump = () => {
          if (req.destroyed) return;
          if (req.write(chunk)) setImmediate(pump);
          else req.once('drain', pump);
        };
        pump();
      });
      expect(status).toBe(413);
    });

    it('gives no "100 Continue" to a request it refuses: the client never sends the body', async () => {
      const { request } = await import('node:http');
      const outcome = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
        let continued = false;
        const req = request(`${stack.url}/townships`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': TEN_MB, expect: '100-continue' },
        });
        req.on('continue', () => {
          continued = true;
        });
        req.on('response', (res) => {
          res.resume();
          resolve({ continued, status: res.statusCode ?? 0 });
          req.destroy();
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      expect(outcome).toEqual({ continued: false, status: 401 });
    });

    it('holds an anonymous page post to the default page limit, also on the upload page', async () => {
      for (const path of ['/app/login', '/app/admin/tasks/import', '/app/nowhere']) {
        const res = await raw(stack.url, {
          method: 'POST',
          path,
          headers: {
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(5 * 1024 * 1024),
          },
          withholdBody: true,
          timeoutMs: 5000,
        });
        expect(res.status, path).toBe(413);
      }
    });
  });

  describe('takes its scheme from the listener', () => {
    async function signIn(host: string, extra: Record<string, string> = {}) {
      const res = await raw(stack.url, {
        method: 'POST',
        path: '/local/token',
        headers: {
          host,
          origin: `http://${host}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...extra,
        },
        body: 'sub=hq-admin&role=admin',
      });
      expect(res.status).toBe(303);
      const cookie = setCookies(res.headers).get('bc_session')!;
      return { line: cookie, cookie: cookie.split(';')[0]! };
    }

    it('on a LAN name over http: cookies without Secure, forms checked against http://<host>, sign-out really signs out', async () => {
      const host = `${LAN}:${port}`;
      // A client claiming https does not make it https.
      const session = await signIn(host, { 'x-forwarded-proto': 'https' });
      expect(session.line).not.toMatch(/;\s*Secure/i);
      const id = `T${randomUUID().slice(0, 8).toUpperCase()}`;
      const post = (origin: string) =>
        raw(stack.url, {
          method: 'POST',
          path: '/app/admin/roster/townships',
          headers: {
            host,
            origin,
            cookie: session.cookie,
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-proto': 'https',
          },
          body: new URLSearchParams({ _key: randomUUID(), id, name: '局域网乡' }).toString(),
        });
      expect((await post(`https://${host}`)).status).toBe(403);
      const created = await post(`http://${host}`);
      expect(created.status, created.text.slice(0, 300)).toBe(303);
      const out = await raw(stack.url, { path: '/app/logout', headers: { host, cookie: session.cookie } });
      expect(out.status).toBe(302);
      const cleared = setCookies(out.headers).get('bc_session')!;
      expect(cleared).toMatch(/Max-Age=0/);
      // A cookie with Secure would be ignored by the browser over http: the phone would stay signed in.
      expect(cleared).not.toMatch(/;\s*Secure/i);
    });
  });
});

describe('https from the gateway (TLS_CERT, TLS_KEY)', () => {
  it('serves https, and its cookies, sign-in and sign-out carry Secure', async () => {
    const cert = selfSignedCertificate(folder(), { dns: [LAN, 'localhost'], ips: ['127.0.0.1'] });
    const stack = await startLocalStack({
      dataDir: undefined,
      port: 0,
      tls: { cert: cert.cert, key: cert.key },
      allowedHosts: LAN,
    });
    defer(() => stack.stop());
    expect(stack.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const host = `${LAN}:${new URL(stack.url).port}`;
    expect((await raw(stack.url, { path: '/healthz', headers: { host } })).status).toBe(200);
    const signIn = await raw(stack.url, {
      method: 'POST',
      path: '/local/token',
      headers: { host, origin: `https://${host}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sub=hq-admin&role=admin',
    });
    expect(signIn.status).toBe(303);
    const line = setCookies(signIn.headers).get('bc_session')!;
    expect(line).toMatch(/;\s*Secure/i);
    const out = await raw(stack.url, { path: '/app/logout', headers: { host, cookie: line.split(';')[0]! } });
    expect(setCookies(out.headers).get('bc_session')).toMatch(/;\s*Secure/i);
    // Plain http to the https port is not served.
    await expect(raw(stack.url.replace('https:', 'http:'), { path: '/healthz' })).rejects.toThrow();
  });
});

describe('behind a reverse proxy (TRUST_PROXY=1)', () => {
  it('takes the scheme and host the proxy reports, and checks that host against the allow-list', async () => {
    const stack = await startLocalStack({
      dataDir: undefined,
      port: 0,
      trustProxy: true,
      allowedHosts: 'baocun.example.cn',
    });
    defer(() => stack.stop());
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'baocun.example.cn' };
    const signIn = await raw(stack.url, {
      method: 'POST',
      path: '/local/token',
      headers: {
        ...proxied,
        origin: 'https://baocun.example.cn',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'sub=hq-admin&role=admin',
    });
    expect(signIn.status).toBe(303);
    expect(setCookies(signIn.headers).get('bc_session')).toMatch(/;\s*Secure/i);
    const forged = await raw(stack.url, {
      path: '/healthz',
      headers: { 'x-forwarded-host': 'attacker.example' },
    });
    expect(forged.status).toBe(421);
  });
});

describe('a job running when the server stops', () => {
  it('gives up its lease: the run is recorded as interrupted, and the next start can run it again', async () => {
    const dataDir = folder();
    const original = JOBS['daily-sweep'].run;
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    JOBS['daily-sweep'].run = async () => {
      started();
      return new Promise(() => {}); // never finishes on its own
    };
    defer(() => {
      JOBS['daily-sweep'].run = original;
    });
    const first = await startLocalStack({ dataDir, port: 0, scheduler: false });
    const token = await first.token('hq-admin', 'admin');
    const call = fetch(`${first.url}/jobs/daily-sweep`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => undefined);
    await running;
    await first.stop({ graceMs: 200 });
    await call;
    JOBS['daily-sweep'].run = original;

    const second = await startLocalStack({ dataDir, port: 0, scheduler: false });
    defer(() => second.stop());
    const res = await fetch(`${second.url}/jobs/daily-sweep/runs`, {
      headers: { authorization: `Bearer ${await second.token('hq-admin', 'admin')}` },
    });
    const runs = (await res.json()) as { items: { status: string; error?: string }[] };
    expect(runs.items[0]).toMatchObject({ status: 'failed' });
    expect(runs.items[0]?.error).toContain('interrupted');
  });
});

describe('npm start and its modes', () => {
  it('county mode (no flag): no /local/token, no demo users, the banner says how to make the first admin', async () => {
    const dataDir = folder();
    const server = startServerProcess([], { DATA_DIR: dataDir, PORT: '0' });
    defer(async () => {
      server.signal('SIGKILL');
      await server.exited;
    });
    const url = await server.url();
    const banner = server.output();
    expect(banner).toContain('county mode');
    expect(banner).toContain('npm run users -- add <username> --role admin');
    expect(banner).not.toContain('/local/token');
    expect(banner).not.toContain('hq-admin');
    const token = await fetch(`${url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"hq-admin","role":"admin"}',
    });
    expect(token.status).toBe(404);
    const login = await (await fetch(`${url}/app/login`)).text();
    expect(login).not.toContain('hq-admin');
    expect(login).not.toContain('inspector-1');
    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);

    // The same folder in demo mode: refused, a clear message, no stack trace, exit 2.
    const demo = startServerProcess(['--demo'], { DATA_DIR: dataDir, PORT: '0' });
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toContain('县级正式模式');
    expect(demo.output()).toContain('cannot be started in demo mode');
    expect(demo.output()).not.toMatch(/^\s+at /m);
    expect(demo.output()).not.toMatch(/running at/);

    // Nor may the demo seeder write into it.
    const seed = startServerProcess(
      [],
      { DATA_DIR: dataDir, PORT: String(await freePort()) },
      'infra/local/seed-demo.ts',
    );
    expect(await seed.exited).toBe(2);
    expect(seed.output()).toContain('不能写入演示数据');
    expect(seed.output()).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('dev mode (--dev): one-tap sign-in and /local/token, no demo data; the folder is refused in county mode', async () => {
    const dataDir = folder();
    const server = startServerProcess(['--dev'], { DATA_DIR: dataDir, PORT: '0' });
    defer(async () => {
      server.signal('SIGKILL');
      await server.exited;
    });
    const url = await server.url();
    expect(server.output()).toContain('/local/token');
    const token = await fetch(`${url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"hq-admin","role":"admin"}',
    });
    expect(token.status).toBe(200);
    const { token: bearer } = (await token.json()) as { token: string };
    const cadres = await fetch(`${url}/cadres`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(((await cadres.json()) as { items: unknown[] }).items).toEqual([]);
    expect(await (await fetch(`${url}/app/login`)).text()).toContain('hq-admin');
    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);

    const county = startServerProcess([], { DATA_DIR: dataDir, PORT: '0' });
    expect(await county.exited).toBe(2);
    expect(county.output()).toContain('cannot be started in county mode');
    expect(county.output()).not.toMatch(/^\s+at /m);
  }, 120_000);
});

describe('npm run job', () => {
  it('opens the folder in the mode it was made in (a county folder stays a county folder)', async () => {
    const dataDir = folder();
    const made = await startLocalStack({ dataDir, port: 0, mode: 'county', scheduler: false });
    await made.stop();
    const job = startServerProcess(['daily-sweep'], { DATA_DIR: dataDir }, 'infra/local/run-job.ts');
    expect(await job.exited, job.output()).toBe(0);
    expect(job.output()).toContain('"status": "succeeded"');
    const { readManifest } = await import('../../infra/local/data-folder.ts');
    expect(readManifest(dataDir)?.mode).toBe('county');
  }, 120_000);
});

describe('the data folder of a running server', () => {
  it('is 0700 and everything in it 0600 (database, key, manifest, documents, outbox)', async () => {
    const dataDir = folder();
    const server = startServerProcess(['--dev'], { DATA_DIR: dataDir, PORT: '0' });
    defer(async () => {
      server.signal('SIGKILL');
      await server.exited;
    });
    const url = await server.url();
    const tokenRes = await fetch(`${url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"hq-admin","role":"admin"}',
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/townships', { id: 'TPERM', name: '权限乡' })).status).toBe(201);
    expect(
      (
        await post('/recipients', {
          name: '李县长',
          title: '副县长',
          email: 'li@example.cn',
          scope: 'county',
        })
      ).status,
    ).toBe(201);
    // The bulletin writes a document and emails the recipient into the outbox.
    const job = await post('/jobs/weekly-bulletin', {});
    expect(job.status, await job.clone().text()).toBe(202);
    const { runId } = (await job.json()) as { runId: string };
    const run = await waitForRun(async (path) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    }, runId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(existsSync(join(dataDir, 'documents'))).toBe(true);
    expect(existsSync(join(dataDir, 'outbox'))).toBe(true);

    const loose: string[] = [];
    const files: string[] = [];
    const walk = (path: string) => {
      const stat = lstatSync(path);
      const mode = stat.mode & 0o777;
      if (stat.isDirectory()) {
        if (mode !== 0o700) loose.push(`${path} ${mode.toString(8)}`);
        for (const name of readdirSync(path)) walk(join(path, name));
      } else if (!stat.isSymbolicLink()) {
        files.push(path.slice(dataDir.length + 1));
        if (mode & 0o077) loose.push(`${path} ${mode.toString(8)}`);
      }
    };
    walk(dataDir);
    expect(loose).toEqual([]);
    for (const expected of ['local-jwt.key', 'baocun.json', 'baocun.pid']) expect(files).toContain(expected);
    expect(files.some((f) => f.startsWith('documents/'))).toBe(true);
    expect(files.some((f) => f.startsWith('outbox/'))).toBe(true);
    expect(files.filter((f) => /\.(ldb|log)$|CURRENT|MANIFEST/.test(f)).length).toBeGreaterThan(2);
  }, 180_000);
});

describe('a graceful stop (SIGTERM)', () => {
  it('lets the request under way finish with 2xx, refuses new connections, exits 0 and unlocks the folder', async () => {
    const dataDir = folder();
    const server = startServerProcess(['--dev'], { DATA_DIR: dataDir, PORT: '0' });
    defer(async () => {
      server.signal('SIGKILL');
      await server.exited;
    });
    const url = await server.url();
    const tokenRes = await fetch(`${url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"hq-admin","role":"admin"}',
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const { request } = await import('node:http');
    const body = Buffer.from(JSON.stringify({ id: 'TSTOP', name: '停机乡' }));
    // A slow client: the body follows only after the signal. `Expect: 100-continue` makes the server
    // say when it has taken the request (its "100 Continue"), so the signal surely comes mid-request.
    const req = request(`${url}/townships`, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(body.length),
        expect: '100-continue',
      },
    });
    const taken = new Promise<void>((resolve) => req.once('continue', () => resolve()));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    await taken;
    server.signal('SIGTERM');
    await waitFor('the server to say it is stopping', () => /stopping/.test(server.output()), 10_000);
    await waitFor(
      'new connections to be refused',
      () =>
        fetch(`${url}/healthz`).then(
          () => false,
          () => true,
        ),
      10_000,
    );
    req.end(body);
    const res = await answer;
    expect(res.status, res.text).toBe(201);
    expect(await server.exited).toBe(0);
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(false);
  }, 120_000);
});
