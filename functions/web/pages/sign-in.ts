import {
  BadCredentialsError,
  PasswordChangeRequiredError,
  TooManyAttemptsError,
} from '../../accounts/errors.ts';
import { changePassword, signIn } from '../../accounts/service.ts';
import { countyMode } from '../../accounts/sessions.ts';
import { BROWSER_SESSION_SECONDS } from '../../accounts/tokens.ts';
import { type FieldMessage, type FormEntries, fieldMessages } from '../../client/form-data.ts';
import { normalizeUsername, PASSWORD_MIN_LENGTH } from '../../core/passwords.ts';
import type { Role } from '../../core/roles.ts';
import { ValidationError } from '../../errors.ts';
import { type FormState, field, formView, freshForm, refusedForm } from '../forms/state.ts';
import { definePage, type PageContext, type PageInput, type PageResult, page } from '../route.ts';
import { homeOf, SESSION_COOKIE, safeNext, serializeCookie } from '../session.ts';

/**
 * County mode's sign-in (functions/accounts has the rules): a user name and password form at
 * /app/login, and the password change at /app/login/password, which is also where a person lands
 * after signing in with an initial password. Plain forms (no script needed), posted same-origin only
 * (the page handler refuses cross-site posts). Passwords are never written back into a form, and the
 * pages are never stored by the browser. Outside county mode these pages do not exist.
 */
const LOGIN = '/app/login';
const CHANGE = '/app/login/password';

const formValue = (form: FormEntries, name: string) => form.find(([n]) => n === name)?.[1] ?? '';

/** A password field never shows what was typed. */
const secretField = (state: FormState, name: string) => ({ ...field(state, name), value: '' });

export function countyLoginPage(
  next: string | undefined,
  state: FormState = freshForm(),
  status = 200,
): PageResult {
  return page(
    'login',
    '登录',
    {
      local: false,
      county: true,
      next: next ?? '',
      form: formView(state),
      username: field(state, 'username'),
      password: secretField(state, 'password'),
      changeHref: CHANGE,
    },
    { status, offline: false, noStore: true },
  );
}

function changePage(
  next: string | undefined,
  state: FormState,
  options: { firstSignIn: boolean; status?: number },
): PageResult {
  return page(
    'password',
    options.firstSignIn ? '修改初始密码' : '修改密码',
    {
      firstSignIn: options.firstSignIn,
      next: next ?? '',
      form: formView(state),
      username: field(state, 'username'),
      password: secretField(state, 'password'),
      newPassword: secretField(state, 'newPassword'),
      repeat: secretField(state, 'repeat'),
      minLength: PASSWORD_MIN_LENGTH,
    },
    { status: options.status ?? 200, offline: false, noStore: true },
  );
}

function notHere(): PageResult {
  return page(
    'error',
    '页面不存在',
    { status: 404, code: 'NOT_FOUND', message: '页面不存在', isNotFound: true, isForbidden: false },
    { status: 404, offline: false },
  );
}

/** The session cookie and the way home (or to the page the person was sent away from). */
function signedIn(
  ctx: PageContext,
  issued: { token: string; account: { role: Role } },
  next: string,
): PageResult {
  return {
    type: 'redirect',
    status: 303,
    location: safeNext(next) ?? homeOf(issued.account.role),
    cookies: [
      serializeCookie(SESSION_COOKIE, issued.token, {
        secure: ctx.origin.startsWith('https:'),
        maxAgeSeconds: BROWSER_SESSION_SECONDS,
      }),
    ],
  };
}

/** The form again, keeping the user name (never the passwords), with a message for the whole form. */
function refused(input: PageInput, code: string, message: string, fields: FieldMessage[] = []): FormState {
  return refusedForm(
    input.form.filter(([name]) => name === 'username'),
    fields,
    { code, message },
  );
}

const LOCKED_MESSAGE = '登录失败次数过多，账号已暂时锁定，请 15 分钟后再试';
const BAD_MESSAGE = '用户名或密码不正确';

export const signInPages = [
  definePage({
    method: 'POST',
    path: LOGIN,
    roles: 'public',
    async handle(input, ctx) {
      if (!countyMode()) return notHere();
      const next = formValue(input.form, 'next');
      const username = formValue(input.form, 'username').trim();
      const password = formValue(input.form, 'password');
      const missing: FieldMessage[] = [
        ...(username ? [] : [{ name: 'username', code: 'REQUIRED', message: '请填写用户名' }]),
        ...(password ? [] : [{ name: 'password', code: 'REQUIRED', message: '请填写密码' }]),
      ];
      if (missing.length) {
        return countyLoginPage(next, refused(input, 'VALIDATION_FAILED', '请填写用户名和密码', missing), 400);
      }
      try {
        const issued = await signIn(
          { username, password, sourceIp: ctx.sourceIp, via: 'web', requestId: ctx.requestId },
          BROWSER_SESSION_SECONDS,
        );
        return signedIn(ctx, issued, next);
      } catch (error) {
        if (error instanceof PasswordChangeRequiredError) {
          return changePage(next, freshForm({ username: normalizeUsername(username) }), {
            firstSignIn: true,
          });
        }
        if (error instanceof TooManyAttemptsError) {
          return countyLoginPage(next, refused(input, error.code, LOCKED_MESSAGE), 429);
        }
        if (error instanceof BadCredentialsError) {
          return countyLoginPage(next, refused(input, error.code, BAD_MESSAGE), 401);
        }
        throw error;
      }
    },
  }),
  definePage({
    method: 'GET',
    path: CHANGE,
    roles: 'public',
    async handle(input, ctx) {
      if (!countyMode()) return notHere();
      const username = input.query.get('username') ?? ctx.session?.sub ?? '';
      return changePage(safeNext(input.query.get('next')), freshForm({ username }), { firstSignIn: false });
    },
  }),
  definePage({
    method: 'POST',
    path: CHANGE,
    roles: 'public',
    async handle(input, ctx) {
      if (!countyMode()) return notHere();
      const next = formValue(input.form, 'next');
      const firstSignIn = formValue(input.form, 'first') === '1';
      const username = formValue(input.form, 'username').trim();
      const password = formValue(input.form, 'password');
      const newPassword = formValue(input.form, 'newPassword');
      const repeat = formValue(input.form, 'repeat');
      const again = (status: number, code: string, message: string, fields: FieldMessage[] = []) =>
        changePage(next, refused(input, code, message, fields), { firstSignIn, status });
      const missing: FieldMessage[] = [
        ...(username ? [] : [{ name: 'username', code: 'REQUIRED', message: '请填写用户名' }]),
        ...(password ? [] : [{ name: 'password', code: 'REQUIRED', message: '请填写当前密码' }]),
        ...(newPassword ? [] : [{ name: 'newPassword', code: 'REQUIRED', message: '请填写新密码' }]),
        ...(newPassword && repeat !== newPassword
          ? [{ name: 'repeat', code: 'MISMATCH', message: '两次输入的新密码不一致' }]
          : []),
      ];
      if (missing.length) return again(400, 'VALIDATION_FAILED', '请按提示修改后再提交。', missing);
      try {
        const issued = await changePassword(
          { username, password, newPassword, sourceIp: ctx.sourceIp, via: 'web', requestId: ctx.requestId },
          BROWSER_SESSION_SECONDS,
        );
        return signedIn(ctx, issued, next);
      } catch (error) {
        if (error instanceof ValidationError) {
          const fields = fieldMessages(error.fields ?? [], new Map([['newPassword', 'newPassword']]));
          return again(400, error.code, '请按提示修改后再提交。', fields);
        }
        if (error instanceof TooManyAttemptsError) return again(429, error.code, LOCKED_MESSAGE);
        if (error instanceof BadCredentialsError) return again(401, error.code, '用户名或当前密码不正确');
        throw error;
      }
    },
  }),
];
