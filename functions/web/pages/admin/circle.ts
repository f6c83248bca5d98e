import type { PageDef } from '../../route.ts';

/** HQ: 进退严圈. */
export const circlePages: PageDef[] = [];
