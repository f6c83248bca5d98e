import { AppError } from '../errors.ts';

/** The sign-in answers, in the API's error shape (one mapping: http/middleware/error-response.ts). */
export class BadCredentialsError extends AppError {
  override readonly status = 401;
  override readonly code = 'BAD_CREDENTIALS';
  constructor() {
    // The same words for an unknown user, a wrong password and a disabled account.
    super('用户名或密码不正确');
  }
}

export class TooManyAttemptsError extends AppError {
  override readonly status = 429;
  override readonly code = 'TOO_MANY_ATTEMPTS';
  constructor(readonly retryAfterSeconds: number) {
    super('登录失败次数过多，请 15 分钟后再试');
  }
}

export class PasswordChangeRequiredError extends AppError {
  override readonly status = 403;
  override readonly code = 'PASSWORD_CHANGE_REQUIRED';
  constructor() {
    super('首次登录须先修改初始密码');
  }
}

/** Accounts exist only in county mode; elsewhere their routes are not there at all. */
export class AccountsNotHereError extends AppError {
  override readonly status = 404;
  override readonly code = 'NOT_FOUND';
  constructor() {
    super('本系统未启用账号管理（仅县级正式模式使用）');
  }
}
