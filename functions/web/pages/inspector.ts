import type { PageDef } from '../route.ts';

/** The inspector's pages (mobile first). */
export const inspectorPages: PageDef[] = [];
