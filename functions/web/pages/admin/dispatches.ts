import type { PageDef } from '../../route.ts';

/** HQ: 派遣单（下发、列表、详情）. */
export const dispatchPages: PageDef[] = [];
