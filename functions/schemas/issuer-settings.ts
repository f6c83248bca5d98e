import * as z from 'zod/mini';
import { nameText, requiredText } from './common.ts';

/**
 * Who signs the county's documents (GET/PUT /settings/issuer): data HQ edits on its settings page,
 * never environment variables (those are read only once, as the first defaults: docs/documents.md).
 * The 机关代字 prefixes every document number: 青脱指 + 谈 → 青脱指谈〔2026〕4号.
 */
export const issuerSettings = z.lazy(() =>
  z.strictObject({
    countyName: nameText(20).check(z.describe('县名，如“青岚县”')),
    issuingBody: nameText(40).check(
      z.describe('发文机关全称，如“青岚县脱贫攻坚指挥部”：文书署名、邮件发件人均用此名'),
    ),
    agencyCode: nameText(10).check(
      z.regex(/^[\u4e00-\u9fff]+$/, '机关代字只能是汉字，如“青脱指”'),
      z.describe('机关代字，冠于每个文号之前，如“青脱指”（青脱指谈〔2026〕4号）'),
    ),
    cc: requiredText(200).check(z.describe('抄送机关，如“县委办公室，县政府办公室”')),
    signerTitle: nameText(30).check(z.describe('签发人职务，如“指挥长”')),
    rulesDocumentName: nameText(60).check(
      z.regex(/^[^《》]+$/, '规则文件名称不用加书名号'),
      z.describe('问责规则文件名称（不加书名号），文书引用时写作“根据《…》第X条”'),
    ),
  }),
);

export const issuerSettingsView = z.lazy(() =>
  z.object({
    countyName: z.string(),
    issuingBody: z.string(),
    agencyCode: z.string(),
    cc: z.string(),
    signerTitle: z.string(),
    rulesDocumentName: z.string(),
    /** 0 until HQ first saves (the defaults from the deployment's environment); then 1, 2, … */
    version: z.number(),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
);

export type IssuerSettingsInput = z.output<typeof issuerSettings>;
export type IssuerSettingsView = z.output<typeof issuerSettingsView>;
