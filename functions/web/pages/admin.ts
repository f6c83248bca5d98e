import type { PageDef } from '../route.ts';

/** HQ's pages (desktop). */
export const adminPages: PageDef[] = [];
