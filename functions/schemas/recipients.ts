import * as z from 'zod/mini';
import { entityId, freeText, LIMITS, nameText, page, pageQuery } from './common.ts';

/** Who receives the weekly bulletin by email: county-wide, or for one township. */
export const RECIPIENT_SCOPES = ['county', 'township'] as const;

const email = z
  .string()
  .check(
    z.maxLength(254, '邮箱地址不能超过 254 个字符'),
    z.regex(/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/, '邮箱地址格式不正确'),
  );

const scope = z.enum(RECIPIENT_SCOPES, { message: '请选择范围：全县或乡镇' });

function scopeRule(v: { scope: string; townshipId?: string | undefined }, issues: z.core.$RefinementCtx) {
  if (v.scope === 'township' && !v.townshipId) {
    issues.issues.push({
      code: 'custom',
      path: ['townshipId'],
      message: '乡镇范围的接收人须填写乡镇',
      input: v,
      params: { code: 'REQUIRED' },
    });
  }
  if (v.scope === 'county' && v.townshipId) {
    issues.issues.push({
      code: 'custom',
      path: ['townshipId'],
      message: '全县范围的接收人不能填写乡镇',
      input: v,
      params: { code: 'NOT_ALLOWED' },
    });
  }
}

const recipientFields = {
  name: nameText(),
  email,
  title: z.optional(freeText(LIMITS.shortText)),
  scope,
  townshipId: z.optional(entityId),
  active: z._default(z.boolean({ message: '请选择是否启用' }), true),
};

export const createRecipient = z.lazy(() => z.strictObject(recipientFields).check(z.superRefine(scopeRule)));
export const updateRecipient = createRecipient;

export const recipient = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    title: z.optional(z.string()),
    scope,
    townshipId: z.optional(z.string()),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type Recipient = z.infer<typeof recipient>;

export const recipientListQuery = z.lazy(() =>
  z.strictObject({
    scope: z.optional(scope),
    townshipId: z.optional(entityId),
    ...pageQuery,
  }),
);

export const recipientPage = z.lazy(() => page(recipient));
