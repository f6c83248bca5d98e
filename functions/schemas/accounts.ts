import * as z from 'zod/mini';
import {
  normalizeUsername,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MESSAGES,
  passwordProblem,
  USERNAME_PATTERN,
} from '../core/passwords.ts';
import { ROLES } from '../core/roles.ts';
import { built, entityId, nameText } from './common.ts';

/**
 * County-mode accounts (local runtime only; on AWS Cognito keeps the users): the admin routes under
 * /accounts and the sign-in routes /auth/token and /auth/password (infra/local/accounts).
 */
export const USERNAME_MESSAGE = '用户名为 3–32 个字符：小写字母、数字、点、下划线或连字符，以字母或数字开头';

export const username = z.lazy(() =>
  z.pipe(
    z.pipe(z.string().check(z.maxLength(64, USERNAME_MESSAGE)), z.transform(normalizeUsername)),
    z.string().check(z.regex(USERNAME_PATTERN, USERNAME_MESSAGE)),
  ),
);

export const roleField = z.enum(ROLES, {
  message: '请选择角色：指挥部、督查组、乡镇、县级领导或包村干部',
});

/** A new password that meets the policy (length, not common, not the user name). */
export const newPassword = z.string().check(
  z.maxLength(PASSWORD_MAX_LENGTH * 2, PASSWORD_MESSAGES.TOO_LONG),
  z.superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem)
      ctx.addIssue({ code: 'custom', message: PASSWORD_MESSAGES[problem], params: { code: problem } });
  }),
);

export const createAccountBody = z.lazy(() =>
  z.strictObject({
    username,
    role: roleField,
    cadreId: z.optional(entityId).check(z.describe('包村干部或县级领导账号：花名册中的干部')),
    townshipId: z.optional(entityId).check(z.describe('乡镇账号：所在乡镇')),
    name: z.optional(nameText()),
  }),
);

export const accountParams = z.lazy(() => z.strictObject({ username }));

export const BATCH_MAX = 200;
export const batchAccountsBody = z.lazy(() =>
  z.strictObject({
    cadreIds: z
      .array(entityId)
      .check(
        z.minLength(1, '请至少选择一名干部'),
        z.maxLength(BATCH_MAX, `一次最多开通 ${BATCH_MAX} 个账号`),
      ),
  }),
);

export const ACCOUNT_STATES = ['must-change', 'active', 'disabled'] as const;

export const account = z.lazy(() =>
  z.object({
    username: z.string(),
    role: z.enum(ROLES),
    cadreId: z.optional(z.string()),
    townshipId: z.optional(z.string()),
    name: z.optional(z.string()),
    state: z
      .enum(ACCOUNT_STATES)
      .check(z.describe('must-change: 须修改初始密码; active: 正常; disabled: 已停用')),
    createdAt: z.string(),
    updatedAt: z.string(),
    passwordChangedAt: z.optional(z.string()),
  }),
);
export type AccountView = z.infer<typeof account>;

export const accountList = z.lazy(() => z.object({ items: z.array(account) }));

export const issuedAccount = z.lazy(() =>
  z.object({
    account,
    initialPassword: z.string().check(z.describe('初始密码，只显示这一次；首次登录须修改')),
  }),
);

export const batchResult = z.lazy(() =>
  z.object({
    created: z.array(issuedAccount),
    skipped: z.array(
      z.object({
        cadreId: z.string(),
        code: z.enum(['UNKNOWN_CADRE', 'HAS_ACCOUNT', 'USERNAME_TAKEN', 'INVALID_USERNAME']),
        message: z.string(),
      }),
    ),
  }),
);

/** Sign-in: only the shape is checked here; a malformed user name is just a wrong one (401). */
export const signInBody = z.lazy(() =>
  z.strictObject({
    username: z.string().check(z.minLength(1, '请填写用户名'), z.maxLength(64, '用户名或密码不正确')),
    password: z
      .string()
      .check(z.minLength(1, '请填写密码'), z.maxLength(PASSWORD_MAX_LENGTH * 2, '用户名或密码不正确')),
  }),
);

export const changePasswordBody = z.lazy(() =>
  z.strictObject({
    ...built(signInBody).shape,
    newPassword,
  }),
);

export const tokenResponse = z.lazy(() =>
  z.object({
    token: z.string(),
    expiresAt: z.string(),
  }),
);
