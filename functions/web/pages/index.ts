import type { PageDef } from '../route.ts';
import { adminPages } from './admin/index.ts';
import { cadrePages } from './cadre.ts';
import { cadreHandoffPages } from './cadre-handoffs.ts';
import { cadreResourcePages } from './cadre-resources.ts';
import { cadreTalkPages } from './cadre-talks.ts';
import { cadreTeamPages } from './cadre-team.ts';
import { cadreVisitPages } from './cadre-visits.ts';
import { commonPages } from './common.ts';
import { inspectorPages } from './inspector.ts';
import { inspectorViolationPages } from './inspector-violations.ts';
import { signInPages } from './sign-in.ts';
import { uploadPages } from './uploads.ts';

/** Every page of the web front end, served by one Lambda (functions/api/web.ts). */
export const webPages: PageDef[] = [
  ...commonPages,
  ...signInPages,
  ...cadrePages,
  ...cadreVisitPages,
  ...cadreTalkPages,
  ...cadreHandoffPages,
  ...cadreResourcePages,
  ...cadreTeamPages,
  ...inspectorPages,
  ...inspectorViolationPages,
  ...adminPages,
  ...uploadPages,
];
