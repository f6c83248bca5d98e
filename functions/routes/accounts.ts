import { AccountsNotHereError } from '../accounts/errors.ts';
import {
  type AuditContext,
  createAccount,
  createCadreAccounts,
  disableAccount,
  listAccounts,
  resetAccount,
} from '../accounts/service.ts';
import { countyMode } from '../accounts/sessions.ts';
import type { RequestContext } from '../http/route.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import {
  accountList,
  accountParams,
  account as accountSchema,
  batchAccountsBody,
  batchResult,
  createAccountBody,
  issuedAccount,
} from '../schemas/accounts.ts';
import { errorBody } from '../schemas/common.ts';

/**
 * HQ's account administration for a county running Baocun on its own server (county mode). On AWS
 * Cognito manages the users, so this group is local-only (RouteGroup.localOnly: not in the CDK stack),
 * and outside county mode every route answers 404 after the role check.
 *
 * Answers that carry an initial password are never kept by the idempotency store (`secret`): a
 * password must not sit in the table for a day. These writes are safe to repeat without it: a repeated
 * create finds the name taken (409), a repeated batch skips the cadres that now have an account, and a
 * repeated reset issues another password (the last one shown is the one that works).
 */
const TAGS = ['accounts'];

function requireCounty(): void {
  if (!countyMode()) throw new AccountsNotHereError();
}

function auditContext(ctx: RequestContext): AuditContext {
  return { actor: ctx.actor.sub, roles: ctx.actor.roles, routeKey: ctx.routeKey, requestId: ctx.requestId };
}

export const accountsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/accounts',
    summary: '账号列表（县级正式模式；全部账号，按用户名排序）',
    tags: TAGS,
    roles: ['admin'],
    responses: { 200: accountList, 404: errorBody },
    async handle() {
      requireCounty();
      return ok({ items: await listAccounts() });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts',
    summary: '开通账号（生成初始密码，只返回这一次；首次登录须修改）',
    tags: TAGS,
    roles: ['admin'],
    secret: true,
    body: createAccountBody,
    responses: { 201: issuedAccount, 400: errorBody, 404: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      requireCounty();
      const made = await createAccount(body, auditContext(ctx), ctx.now);
      return created({ account: made.account, initialPassword: made.initialPassword ?? '' });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts/batch',
    summary: '为花名册干部批量开通账号（已有账号的干部跳过）',
    tags: TAGS,
    roles: ['admin'],
    secret: true,
    body: batchAccountsBody,
    responses: { 200: batchResult, 400: errorBody, 404: errorBody },
    async handle({ body }, ctx) {
      requireCounty();
      return ok(await createCadreAccounts(body.cadreIds, auditContext(ctx), ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts/{username}/reset',
    summary: '重置密码（新的初始密码只返回这一次；结束该账号的所有登录，已停用的账号恢复启用）',
    tags: TAGS,
    roles: ['admin'],
    secret: true,
    params: accountParams,
    responses: { 200: issuedAccount, 404: errorBody, 409: errorBody },
    async handle({ params }, ctx) {
      requireCounty();
      return ok(await resetAccount(params.username, auditContext(ctx), ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/accounts/{username}/disable',
    summary: '停用账号（结束该账号的所有登录）',
    tags: TAGS,
    roles: ['admin'],
    params: accountParams,
    responses: { 200: accountSchema, 404: errorBody, 409: errorBody },
    async handle({ params }, ctx) {
      requireCounty();
      return ok(await disableAccount(params.username, auditContext(ctx), ctx.now));
    },
  }),
];
