/**
 * Chinese messages for every zod schema, configured once. Imported for its side effect by
 * schemas/common.ts and http/validation.ts. Schemas import zod as `import * as z from 'zod'`
 * directly: re-exporting the namespace from a shared module defeats tree-shaking (+360 KB a bundle).
 */
import { config } from 'zod';
import zhCN from 'zod/v4/locales/zh-CN.js';

config(zhCN());
