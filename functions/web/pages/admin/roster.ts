import type { PageDef } from '../../route.ts';

/** HQ: 名册（乡镇、村、干部、包村关系，覆盖缺口在前）. */
export const rosterPages: PageDef[] = [];
