import type { PageDef } from '../../route.ts';

/** HQ: 定时任务（立即运行）. */
export const jobPages: PageDef[] = [];
