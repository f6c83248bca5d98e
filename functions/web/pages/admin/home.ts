import type { PageDef } from '../../route.ts';

/** HQ: 总览. */
export const homePages: PageDef[] = [];
