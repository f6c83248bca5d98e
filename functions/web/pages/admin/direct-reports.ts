import type { PageDef } from '../../route.ts';

/** HQ: 信息直报与签收. */
export const directReportPages: PageDef[] = [];
