/**
 * Typed errors. Each carries its HTTP status and a stable code for programs; `message` is Chinese for
 * people. One error mapping in functions/http turns them into responses; anything else is a 500 with a
 * fallback message.
 */
import type { FieldIssue } from './core/field-issue.ts';

// The core builds field issues without importing this module (it imports only the core).
export type { FieldIssue };

export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = 'INTERNAL';
  readonly fields?: FieldIssue[];
  constructor(message: string, options?: { cause?: unknown; fields?: FieldIssue[] }) {
    super(message, options);
    this.name = new.target.name;
    if (options?.fields) this.fields = options.fields;
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = 'VALIDATION_FAILED';
}
export class BadRequestError extends AppError {
  override readonly status = 400;
  constructor(
    override readonly code: string,
    message: string,
    options?: { cause?: unknown; fields?: FieldIssue[] },
  ) {
    super(message, options);
  }
}
export class UnauthorizedError extends AppError {
  override readonly status = 401;
  override readonly code = 'UNAUTHORIZED';
}
export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = 'FORBIDDEN';
}
/** A 403 with a code of its own, for a refusal a program tells apart (e.g. NOT_YOUR_TEAM). */
export class ForbiddenCodeError extends AppError {
  override readonly status = 403;
  constructor(
    override readonly code: string,
    message: string,
    options?: { cause?: unknown; fields?: FieldIssue[] },
  ) {
    super(message, options);
  }
}
export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = 'NOT_FOUND';
}
export class ConflictError extends AppError {
  override readonly status = 409;
  constructor(
    override readonly code: string,
    message: string,
    options?: { cause?: unknown; fields?: FieldIssue[] },
  ) {
    super(message, options);
  }
}
export class PayloadTooLargeError extends AppError {
  override readonly status = 413;
  override readonly code = 'PAYLOAD_TOO_LARGE';
}
export class UnsupportedMediaTypeError extends AppError {
  override readonly status = 415;
  override readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}
export class IdempotencyMismatchError extends AppError {
  override readonly status = 422;
  override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}
export class IdempotencyInProgressError extends AppError {
  override readonly status = 409;
  override readonly code = 'IDEMPOTENCY_IN_PROGRESS';
}
/** A write to a versioned record sent without If-Match (the version the caller read). */
export class PreconditionRequiredError extends AppError {
  override readonly status = 428;
  override readonly code = 'PRECONDITION_REQUIRED';
}
/** If-Match names a version that is no longer the record's: someone else changed it since. */
export class VersionConflictError extends AppError {
  override readonly status = 412;
  override readonly code = 'VERSION_CONFLICT';
  constructor(
    readonly current: number,
    message: string,
    options?: { cause?: unknown; fields?: FieldIssue[] },
  ) {
    super(message, options);
  }
}
/** A conditional write lost to a concurrent writer; the request may be retried. */
export class ConcurrentUpdateError extends AppError {
  override readonly status = 409;
  override readonly code = 'CONCURRENT_UPDATE';
}
/**
 * The document store refused or failed (S3 access denied, throttled, unreachable). Never a "not
 * found": a missing file is `undefined` from the store, so a permission error cannot pass for one.
 * A 500 to the client; the message (S3 code, HTTP status, request id) and `cause` are for the log.
 */
export class DocumentStoreError extends AppError {
  override readonly code = 'DOCUMENT_STORE_FAILED';
}
