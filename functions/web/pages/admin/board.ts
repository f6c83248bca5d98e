import type { PageDef } from '../../route.ts';

/** HQ: 红黄绿三色清单. */
export const boardPages: PageDef[] = [];
