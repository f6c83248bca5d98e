import type { PageDef } from '../../route.ts';

/** HQ: 后台任务（导入、导出）. */
export const taskPages: PageDef[] = [];
