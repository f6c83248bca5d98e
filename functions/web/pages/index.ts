import type { PageDef } from '../route.ts';
import { adminPages } from './admin/index.ts';
import { cadrePages } from './cadre.ts';
import { commonPages } from './common.ts';
import { inspectorPages } from './inspector.ts';

/** Every page of the web front end, served by one Lambda (functions/api/web.ts). */
export const webPages: PageDef[] = [...commonPages, ...cadrePages, ...inspectorPages, ...adminPages];
