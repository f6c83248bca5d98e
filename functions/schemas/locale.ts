/**
 * Chinese messages for every zod schema, configured once. Imported for its side effect by
 * schemas/common.ts and http/validation.ts. Schemas use zod/mini (`import * as z from 'zod/mini'`),
 * imported directly in each module: classic zod attaches dozens of methods to every schema instance
 * (~26 ms of Lambda cold start), and re-exporting the namespace from a shared module defeats
 * tree-shaking (+360 KB a bundle).
 */
import { config } from 'zod/mini';
import zhCN from 'zod/v4/locales/zh-CN.js';

config(zhCN());
