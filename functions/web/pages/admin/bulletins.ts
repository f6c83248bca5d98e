import type { PageDef } from '../../route.ts';

/** HQ: 周通报（按周，含图表）. */
export const bulletinPages: PageDef[] = [];
