import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountRecord } from '../adapters/dynamo/accounts.ts';
import * as store from '../adapters/dynamo/accounts.ts';
import { writeAudit } from '../adapters/dynamo/audit.ts';
import { getCadres, getTownship } from '../adapters/dynamo/roster.ts';
import { ConditionFailed } from '../adapters/dynamo/table.ts';
import {
  generatePassword,
  isValidUsername,
  normalizeUsername,
  PASSWORD_MESSAGES,
  passwordProblem,
} from '../core/passwords.ts';
import type { Role } from '../core/roles.ts';
import { ConcurrentUpdateError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { parseOrThrow } from '../http/validation.ts';
import type { AccountView } from '../schemas/accounts.ts';
import { createAccountBody } from '../schemas/accounts.ts';
import { BadCredentialsError, PasswordChangeRequiredError, TooManyAttemptsError } from './errors.ts';
import { dummyHash, hashPassword, verifyPassword } from './hashing.ts';
import { forgetSession } from './sessions.ts';
import { issueAccountToken } from './tokens.ts';

/**
 * County-mode accounts: create, reset, disable, list, sign in, change password. Used by the admin
 * routes (functions/routes/accounts.ts), the sign-in routes of the local gateway
 * (infra/local/accounts/auth-routes.ts), the sign-in pages and `npm run users`, so all four apply the
 * same rules and leave the same audit trail (entity `account`, id = user name; never a hash or a
 * password in it).
 */
export interface AuditContext {
  /** Who acts: a user name, `cli:<os user>`, or the user signing in. */
  actor: string;
  roles: string[];
  routeKey: string;
  requestId: string;
}

/** Lockout: 5 failures for one user name within 15 minutes lock it for 15 minutes. */
export const USER_FAILURE_LIMIT = 5;
/** And 30 failures from one client address (a script trying many names) lock that address. */
export const ADDRESS_FAILURE_LIMIT = 30;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

export function accountView(a: AccountRecord): AccountView {
  return {
    username: a.username,
    role: a.role,
    ...(a.cadreId ? { cadreId: a.cadreId } : {}),
    ...(a.townshipId ? { townshipId: a.townshipId } : {}),
    ...(a.name ? { name: a.name } : {}),
    state: a.disabled ? 'disabled' : a.mustChange ? 'must-change' : 'active',
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    ...(a.passwordChangedAt ? { passwordChangedAt: a.passwordChangedAt } : {}),
  };
}

/** What the audit trail keeps of an account: everything but the hash. */
function auditable(a: AccountRecord | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  const { passwordHash: _hash, version: _version, ...rest } = a;
  return rest;
}

async function audit(
  ctx: AuditContext,
  username: string,
  action: string,
  changes: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await writeAudit({
    entityType: 'account',
    entityId: username,
    action,
    changes,
    at: now.toISOString(),
    actor: ctx.actor,
    roles: ctx.roles,
    routeKey: ctx.routeKey,
    requestId: ctx.requestId,
  });
}

function initialPassword(username: string): string {
  for (;;) {
    const candidate = generatePassword((n) => randomBytes(n));
    if (!passwordProblem(candidate, username)) return candidate;
  }
}

function policyError(path: string, problem: keyof typeof PASSWORD_MESSAGES): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path, code: problem, message: PASSWORD_MESSAGES[problem] }],
  });
}

export interface NewAccount {
  username: string;
  /** Checked here (the command line passes what was typed). */
  role: Role | string;
  cadreId?: string | undefined;
  /** A township's staff account: the township (required for role `township`, refused otherwise). */
  townshipId?: string | undefined;
  name?: string | undefined;
  /** A password the caller chose (`--password-stdin`): final, no change at first sign-in. */
  password?: string | undefined;
}

/**
 * Creates an account. A generated initial password is returned once (and must be changed at first
 * sign-in); only its hash is kept. A repeat of the same create finds the name taken (409), so a retry
 * never makes a second account or silently changes a password.
 */
export async function createAccount(
  input: NewAccount,
  ctx: AuditContext,
  now = new Date(),
): Promise<{ account: AccountView; initialPassword?: string }> {
  const { password, ...fields } = input;
  const body = parseOrThrow(
    createAccountBody,
    Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    'body',
  );
  let name = body.name;
  const invalid = (path: string, code: string, message: string) =>
    new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
  if (body.role === 'township') {
    if (!body.townshipId) throw invalid('body.townshipId', 'REQUIRED', '乡镇账号须指定所在乡镇');
    const township = await getTownship(body.townshipId);
    if (!township) throw invalid('body.townshipId', 'UNKNOWN_TOWNSHIP', '名册中没有这个乡镇');
    name ??= `${township.name}工作人员`;
  } else if (body.townshipId) {
    throw invalid('body.townshipId', 'NOT_A_TOWNSHIP_ACCOUNT', '只有乡镇账号才指定乡镇');
  }
  if (body.role === 'cadre' || body.role === 'leader') {
    if (!body.cadreId) {
      throw invalid(
        'body.cadreId',
        'REQUIRED',
        body.role === 'leader' ? '县级领导账号须指定花名册中的干部' : '包村干部账号须指定花名册中的干部',
      );
    }
    const cadre = (await getCadres([body.cadreId])).get(body.cadreId);
    if (!cadre) {
      throw new ValidationError('请求内容有误，请按提示修改', {
        fields: [{ path: 'body.cadreId', code: 'UNKNOWN_CADRE', message: '花名册中没有这名干部' }],
      });
    }
    name ??= cadre.name;
  } else if (body.cadreId) {
    throw new ValidationError('请求内容有误，请按提示修改', {
      fields: [
        { path: 'body.cadreId', code: 'NOT_A_CADRE', message: '只有包村干部或县级领导账号才关联干部' },
      ],
    });
  }
  if (password !== undefined) {
    const problem = passwordProblem(password, body.username);
    if (problem) throw policyError('body.password', problem);
  }
  const secret = password ?? initialPassword(body.username);
  const at = now.toISOString();
  const record: AccountRecord = {
    username: body.username,
    role: body.role,
    ...(body.cadreId ? { cadreId: body.cadreId } : {}),
    ...(body.townshipId ? { townshipId: body.townshipId } : {}),
    ...(name ? { name } : {}),
    passwordHash: await hashPassword(secret),
    mustChange: password === undefined,
    disabled: false,
    sessionVersion: 1,
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: ctx.actor,
  };
  if (!(await store.createAccount(record))) {
    throw new ConflictError('DUPLICATE_USERNAME', `用户名 ${body.username} 已被使用`, {
      fields: [{ path: 'body.username', code: 'DUPLICATE_USERNAME', message: '该用户名已被使用' }],
    });
  }
  await audit(ctx, record.username, 'create', { after: auditable(record) }, now);
  return {
    account: accountView(record),
    ...(password === undefined ? { initialPassword: secret } : {}),
  };
}

async function mustFind(username: string): Promise<AccountRecord> {
  const found = isValidUsername(username) ? await store.getAccount(username) : undefined;
  if (!found) throw new NotFoundError(`没有用户名为 ${username} 的账号`);
  return found;
}

/** Writes a changed account if nobody else changed it meanwhile; audits before and after. */
async function update(
  before: AccountRecord,
  after: AccountRecord,
  action: string,
  ctx: AuditContext,
  now: Date,
): Promise<void> {
  try {
    await store.replaceAccount(after, before.version);
  } catch (error) {
    if (error instanceof ConditionFailed) throw new ConcurrentUpdateError('账号刚被他人修改，请刷新后重试');
    throw error;
  }
  forgetSession(after.username);
  await audit(ctx, after.username, action, { before: auditable(before), after: auditable(after) }, now);
}

/** A new initial password (shown once); ends the account's sessions and enables it again if disabled. */
export async function resetAccount(
  rawUsername: string,
  ctx: AuditContext,
  now = new Date(),
): Promise<{ account: AccountView; initialPassword: string }> {
  const before = await mustFind(normalizeUsername(rawUsername));
  const secret = initialPassword(before.username);
  const after: AccountRecord = {
    ...before,
    passwordHash: await hashPassword(secret),
    mustChange: true,
    disabled: false,
    sessionVersion: before.sessionVersion + 1,
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  await update(before, after, 'reset', ctx, now);
  return { account: accountView(after), initialPassword: secret };
}

/** Disables an account and ends its sessions. Disabling a disabled account changes nothing. */
export async function disableAccount(
  rawUsername: string,
  ctx: AuditContext,
  now = new Date(),
): Promise<AccountView> {
  const username = normalizeUsername(rawUsername);
  if (username === ctx.actor) {
    throw new ConflictError('CANNOT_DISABLE_SELF', '不能停用自己正在使用的账号');
  }
  const before = await mustFind(username);
  if (before.disabled) return accountView(before);
  const after: AccountRecord = {
    ...before,
    disabled: true,
    sessionVersion: before.sessionVersion + 1,
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  await update(before, after, 'disable', ctx, now);
  return accountView(after);
}

export async function listAccounts(): Promise<AccountView[]> {
  return (await store.listAllAccounts()).map(accountView);
}

export interface BatchOutcome {
  created: Array<{ account: AccountView; initialPassword: string }>;
  skipped: Array<{
    cadreId: string;
    code: 'UNKNOWN_CADRE' | 'HAS_ACCOUNT' | 'USERNAME_TAKEN' | 'INVALID_USERNAME';
    message: string;
  }>;
}

/**
 * Accounts for many roster cadres at once, each named after the cadre id in lower case (C001 → c001).
 * Cadres that already have an account are skipped, so a repeat creates nothing twice.
 */
export async function createCadreAccounts(
  cadreIds: string[],
  ctx: AuditContext,
  now = new Date(),
): Promise<BatchOutcome> {
  const unique = [...new Set(cadreIds)];
  const [cadres, existing] = await Promise.all([getCadres(unique), store.listAllAccounts()]);
  const withAccount = new Set(existing.filter((a) => a.cadreId).map((a) => a.cadreId));
  const outcome: BatchOutcome = { created: [], skipped: [] };
  const todo: string[] = [];
  for (const cadreId of unique) {
    if (!cadres.has(cadreId)) {
      outcome.skipped.push({ cadreId, code: 'UNKNOWN_CADRE', message: '花名册中没有这名干部' });
    } else if (withAccount.has(cadreId)) {
      outcome.skipped.push({ cadreId, code: 'HAS_ACCOUNT', message: '已有账号' });
    } else if (!isValidUsername(normalizeUsername(cadreId))) {
      outcome.skipped.push({
        cadreId,
        code: 'INVALID_USERNAME',
        message: '干部编号不能用作用户名，请单独开通',
      });
    } else {
      todo.push(cadreId);
    }
  }
  // Hashing is the slow part (scrypt runs on libuv's 4 threads): four at a time.
  let next = 0;
  const results = new Map<string, BatchOutcome['created'][number] | BatchOutcome['skipped'][number]>();
  const worker = async () => {
    while (next < todo.length) {
      const cadreId = todo[next++]!;
      try {
        const made = await createAccount(
          { username: normalizeUsername(cadreId), role: 'cadre', cadreId },
          ctx,
          now,
        );
        results.set(cadreId, { account: made.account, initialPassword: made.initialPassword! });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        results.set(cadreId, {
          cadreId,
          code: 'USERNAME_TAKEN',
          message: '用户名已被其他账号使用，请单独开通',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, todo.length) }, worker));
  for (const cadreId of todo) {
    const r = results.get(cadreId)!;
    if ('account' in r) outcome.created.push(r);
    else outcome.skipped.push(r);
  }
  return outcome;
}

// --- signing in -------------------------------------------------------------------------------

async function lockRemaining(username: string, sourceIp: string, now: number): Promise<number> {
  const [user, address] = await Promise.all([
    store.getThrottle('USER', username),
    store.getThrottle('ADDR', sourceIp),
  ]);
  return Math.max(user.lockedUntil, address.lockedUntil) - now;
}

/** Counts a failure; true when this failure started a lock. Retried when a concurrent failure wins. */
async function recordFailure(
  kind: 'USER' | 'ADDR',
  id: string,
  limit: number,
  now: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await store.getThrottle(kind, id);
    const recent = [...current.failures.filter((t) => now - t < FAILURE_WINDOW_MS), now];
    const lock = recent.length >= limit && current.lockedUntil <= now;
    try {
      await store.putThrottle(
        kind,
        id,
        {
          failures: lock ? [] : recent.slice(-limit),
          lockedUntil: lock ? now + LOCK_MS : current.lockedUntil,
        },
        current.version,
        Math.ceil((now + FAILURE_WINDOW_MS + LOCK_MS) / 1000),
      );
      return lock;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
    }
  }
  return false;
}

export interface SignInRequest {
  username: string;
  password: string;
  sourceIp: string;
  /** `api` (POST /auth/token) or `web` (the sign-in page), for the audit trail. */
  via: 'api' | 'web';
  requestId?: string;
}

function signInContext(req: SignInRequest, actor: string, routeKey: string): AuditContext {
  return { actor, roles: [], routeKey, requestId: req.requestId ?? randomUUID() };
}

/**
 * Checks a user name and password. Refuses with 429 while the name or the address is locked (even
 * for the right password), 401 BAD_CREDENTIALS for an unknown name, a wrong password or a disabled
 * account alike (after the same scrypt work), 403 PASSWORD_CHANGE_REQUIRED for a right initial password.
 */
async function checkCredentials(req: SignInRequest, routeKey: string, now: Date): Promise<AccountRecord> {
  const username = normalizeUsername(req.username);
  const remaining = await lockRemaining(username, req.sourceIp, now.getTime());
  if (remaining > 0) throw new TooManyAttemptsError(Math.ceil(remaining / 1000));
  const account = isValidUsername(username) ? await store.getAccount(username) : undefined;
  const matches = await verifyPassword(req.password, account?.passwordHash ?? (await dummyHash()));
  if (account && matches && !account.disabled) return account;

  const reason = !account ? 'unknown-user' : account.disabled && matches ? 'disabled' : 'wrong-password';
  const [userLocked, addressLocked] = await Promise.all([
    recordFailure('USER', username, USER_FAILURE_LIMIT, now.getTime()),
    recordFailure('ADDR', req.sourceIp, ADDRESS_FAILURE_LIMIT, now.getTime()),
  ]);
  const ctx = signInContext(req, 'anonymous', routeKey);
  // Audited under the name tried (bounded by the address limit), so HQ sees attacks on an account.
  await audit(ctx, username, 'sign-in-failed', { reason, sourceIp: req.sourceIp, via: req.via }, now);
  if (userLocked || addressLocked) {
    await audit(
      ctx,
      username,
      'locked',
      {
        sourceIp: req.sourceIp,
        ...(userLocked ? { userLockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() } : {}),
        ...(addressLocked ? { addressLockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() } : {}),
      },
      now,
    );
  }
  throw new BadCredentialsError();
}

export interface IssuedToken {
  token: string;
  expiresAt: string;
  account: AccountView;
}

export async function signIn(
  req: SignInRequest,
  lifetimeSeconds: number,
  now = new Date(),
): Promise<IssuedToken> {
  const routeKey = req.via === 'api' ? 'POST /auth/token' : 'POST /app/login';
  const account = await checkCredentials(req, routeKey, now);
  if (account.mustChange) throw new PasswordChangeRequiredError();
  await store.clearThrottle('USER', account.username);
  await audit(
    signInContext(req, account.username, routeKey),
    account.username,
    'sign-in',
    { sourceIp: req.sourceIp, via: req.via },
    now,
  );
  return { ...(await issueAccountToken(account, lifetimeSeconds, now)), account: accountView(account) };
}

/**
 * Changes a password with the current one (also the way out of an initial password). The new one must
 * meet the policy and differ from the old; every other session of the account ends.
 */
export async function changePassword(
  req: SignInRequest & { newPassword: string },
  lifetimeSeconds: number,
  now = new Date(),
): Promise<IssuedToken> {
  const routeKey = req.via === 'api' ? 'POST /auth/password' : 'POST /app/login/password';
  // The new password is checked first: that says nothing about the account, and a typo in it is not
  // a failed sign-in.
  const problem = passwordProblem(req.newPassword, req.username);
  if (problem) throw policyError('body.newPassword', problem);
  if (req.newPassword === req.password) {
    throw new ValidationError('请求内容有误，请按提示修改', {
      fields: [{ path: 'body.newPassword', code: 'SAME_PASSWORD', message: '新密码不能与原密码相同' }],
    });
  }
  const before = await checkCredentials(req, routeKey, now);
  const after: AccountRecord = {
    ...before,
    passwordHash: await hashPassword(req.newPassword),
    mustChange: false,
    sessionVersion: before.sessionVersion + 1,
    version: before.version + 1,
    updatedAt: now.toISOString(),
    passwordChangedAt: now.toISOString(),
  };
  await update(before, after, 'password-change', signInContext(req, before.username, routeKey), now);
  await store.clearThrottle('USER', before.username);
  return { ...(await issueAccountToken(after, lifetimeSeconds, now)), account: accountView(after) };
}
