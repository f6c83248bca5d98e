import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLE_LABELS as CORE_ROLE_LABELS } from '../../functions/core/roles.ts';
import { AppError } from '../../functions/errors.ts';
import { DataFolderError, openDataFolder, readManifest, socketPath } from './data-folder.ts';
import { DataFolderLockedError, lockDataFolder } from './data-lock.ts';
import { DYNAMO_SOCKET, ensureTable, startDynalite } from './dynamo-local.ts';

/**
 * `npm run users -- add|list|reset|disable …`: a county's accounts from the command line, with or
 * without a server running on the data folder (DATA_DIR, default .data). With a server running (its
 * lock is held by a live process) the command talks to that server's database over its Unix socket;
 * otherwise it locks the folder, opens the database itself, works, and lets go. Same rules, same audit
 * trail as HQ's accounts page (functions/accounts/service.ts); the actor is `cli:<os user>`.
 *
 * Exit codes: 0 done, 1 refused (bad role, unknown cadre, duplicate or unknown user, weak password),
 * 2 wrong data folder (not county mode, newer format), 64 usage.
 */
// What this command writes into the data folder (or a backup) is the service user's alone.
process.umask(0o077);
const USAGE = `用法 / usage:
  npm run users -- add <用户名> --role admin|inspector|township|leader|cadre [--cadre <干部编号>] [--township <乡镇编号>] [--name <姓名>] [--password-stdin]
  npm run users -- list
  npm run users -- reset <用户名>
  npm run users -- disable <用户名>

  add      开通账号，打印初始密码（首次登录须修改）；--password-stdin 从标准输入读取密码（不再要求修改）
           乡镇账号（township）须用 --township 指定所在乡镇；县级领导（leader）和包村干部（cadre）须用 --cadre 指定花名册中的干部
  list     列出全部账号
  reset    重置密码，打印新的初始密码（结束该账号的所有登录；已停用的账号恢复启用）
  disable  停用账号（一分钟内结束该账号的所有登录）
  数据目录由 DATA_DIR 指定（默认 .data）。`;

class UsageError extends Error {}

const TABLE_NAME = 'baocun';

interface Parsed {
  command: 'add' | 'list' | 'reset' | 'disable';
  username?: string;
  role?: string;
  cadre?: string;
  township?: string;
  name?: string;
  passwordStdin: boolean;
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      cadre: { type: 'string' },
      township: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const [command, username, ...rest] = positionals;
  if (!command || !['add', 'list', 'reset', 'disable'].includes(command)) {
    throw new UsageError(command ? `不认识的命令 / unknown command: ${command}` : '');
  }
  if (rest.length) throw new UsageError(`多余的参数 / unexpected arguments: ${rest.join(' ')}`);
  if (command !== 'list' && !username) throw new UsageError(`请给出用户名 / ${command} needs a user name`);
  if (command === 'add' && !values.role) throw new UsageError('请用 --role 指定角色 / add needs --role');
  return {
    command: command as Parsed['command'],
    ...(username ? { username } : {}),
    ...(values.role ? { role: values.role } : {}),
    ...(values.cadre ? { cadre: values.cadre } : {}),
    ...(values.township ? { township: values.township } : {}),
    ...(values.name ? { name: values.name } : {}),
    passwordStdin: values['password-stdin'] === true,
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: a trailing newline (echo, a here-string) is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Points the data-access modules at the folder's database: the running server's, or our own. */
async function openDatabase(dataDir: string): Promise<{ close(): Promise<void>; running: boolean }> {
  const { resetConfig } = await import('../../functions/config.ts');
  const { resetDocumentClient } = await import('../../functions/adapters/dynamo/client.ts');
  const { unixEndpoint } = await import('../../functions/adapters/dynamo/endpoint.ts');
  const use = (endpoint: string) => {
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.TABLE_NAME = TABLE_NAME;
    process.env.AWS_REGION ??= 'cn-northwest-1';
    resetConfig();
    resetDocumentClient();
  };
  let unlock: () => void;
  try {
    unlock = lockDataFolder(dataDir);
  } catch (error) {
    if (!(error instanceof DataFolderLockedError)) throw error;
    // A server runs on the folder: its database answers on the folder's socket.
    const manifest = readManifest(dataDir);
    if (manifest?.mode !== 'county') throw notCounty(dataDir, manifest?.mode);
    use(unixEndpoint(socketPath(dataDir, DYNAMO_SOCKET)));
    return { running: true, close: async () => resetDocumentClient() };
  }
  try {
    const manifest = readManifest(dataDir);
    if (manifest && manifest.mode !== 'county') throw notCounty(dataDir, manifest.mode);
    // A new folder becomes a county folder (accounts exist in county mode only).
    openDataFolder(dataDir, 'county');
    const dynamo = await startDynalite(dataDir);
    await ensureTable(dynamo.endpoint, TABLE_NAME);
    use(dynamo.endpoint);
    return {
      running: false,
      close: async () => {
        resetDocumentClient();
        await dynamo.stop();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

function notCounty(dataDir: string, mode: string | undefined): DataFolderError {
  return new DataFolderError(
    `数据目录 ${dataDir} 是${mode === 'demo' ? '演示' : mode === 'dev' ? '开发' : '非县级正式'}模式的，账号只在县级正式模式（npm start）中使用。请用 DATA_DIR 指定县里的数据目录。\n` +
      `The data folder ${dataDir} is in ${mode ?? 'an unknown'} mode; accounts exist only in county mode (\`npm start\`). Set DATA_DIR to the county's data folder.`,
  );
}

const STATE_LABELS: Record<string, string> = {
  'must-change': '需修改初始密码',
  active: '正常',
  disabled: '已停用',
};
const ROLE_LABELS: Record<string, string> = CORE_ROLE_LABELS;

/** A refusal in Chinese, then English, one line per field. */
function describeRefusal(error: AppError): string {
  const english: Record<string, string> = {
    DUPLICATE_USERNAME: 'the user name is taken',
    UNKNOWN_CADRE: 'no such cadre on the roster',
    NOT_FOUND: 'no such user',
    VALIDATION_FAILED: 'invalid input',
    CANNOT_DISABLE_SELF: 'cannot disable your own account',
    INVALID_VALUE: 'role must be admin, inspector, township, leader or cadre',
    INVALID_FORMAT: 'user names are 3–32 of a-z 0-9 . _ -',
    TOO_SHORT: 'at least 10 characters',
    COMMON_PASSWORD: 'too common a password',
    CONTAINS_USERNAME: 'the password contains the user name',
    REPETITIVE: 'a repeated pattern',
    REQUIRED: 'township accounts need --township <township id>; leader and cadre accounts --cadre <cadre id>',
    NOT_A_CADRE: 'only leader and cadre accounts take --cadre',
    UNKNOWN_TOWNSHIP: 'no such township on the roster',
    NOT_A_TOWNSHIP_ACCOUNT: 'only township accounts take --township',
  };
  const lines = [`错误 / error: ${error.message}`];
  for (const f of error.fields ?? []) {
    const field = f.path.replace(/^body\./, '');
    lines.push(`  ${field}: ${f.message} (${english[f.code] ?? f.code})`);
  }
  if (!error.fields?.length && english[error.code]) lines.push(`  (${english[error.code]})`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message) console.error(message);
    console.error(USAGE);
    return error instanceof UsageError && !message ? 0 : 64;
  }
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  process.env.LOG_LEVEL ??= 'warn';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(dataDir);
  } catch (error) {
    if (error instanceof DataFolderError || error instanceof DataFolderLockedError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const service = await import('../../functions/accounts/service.ts');
  const { randomUUID } = await import('node:crypto');
  const ctx = {
    actor: `cli:${userInfo().username}`,
    roles: ['admin'],
    routeKey: `CLI users ${parsed.command}`,
    requestId: randomUUID(),
  };
  try {
    switch (parsed.command) {
      case 'add': {
        const password = parsed.passwordStdin ? await readStdin() : undefined;
        const made = await service.createAccount(
          {
            username: parsed.username!,
            role: parsed.role!,
            cadreId: parsed.cadre,
            townshipId: parsed.township,
            name: parsed.name,
            password,
          },
          ctx,
        );
        console.log(
          `已开通账号 / created: ${made.account.username}（${ROLE_LABELS[made.account.role]}${made.account.name ? `，${made.account.name}` : ''}）`,
        );
        if (made.initialPassword) {
          console.log(
            '初始密码（只显示这一次，首次登录须修改） / initial password (shown once, to be changed at first sign-in):',
          );
          console.log(made.initialPassword);
        }
        break;
      }
      case 'list': {
        const accounts = await service.listAccounts();
        if (!accounts.length) console.log('还没有账号 / no accounts yet');
        for (const a of accounts) {
          console.log(
            [
              a.username,
              ROLE_LABELS[a.role],
              a.cadreId ?? a.townshipId ?? '-',
              a.name ?? '-',
              STATE_LABELS[a.state],
            ].join('\t'),
          );
        }
        break;
      }
      case 'reset': {
        const reset = await service.resetAccount(parsed.username!, ctx);
        console.log(`已重置 / reset: ${reset.account.username}`);
        console.log('新的初始密码（只显示这一次，首次登录须修改） / new initial password (shown once):');
        console.log(reset.initialPassword);
        break;
      }
      case 'disable': {
        const account = await service.disableAccount(parsed.username!, ctx);
        console.log(
          `已停用 / disabled: ${account.username}${db.running ? '（一分钟内结束其所有登录 / its sessions end within a minute）' : ''}`,
        );
        break;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      console.error(describeRefusal(error));
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(70);
    },
  );
}
