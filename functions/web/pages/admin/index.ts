import type { PageDef } from '../../route.ts';
import { accountabilityPages } from './accountability.ts';
import { accountPages } from './accounts.ts';
import { taskPages } from './background.ts';
import { boardPages } from './board.ts';
import { bulletinPages } from './bulletins.ts';
import { circlePages } from './circle.ts';
import { correctionPages } from './corrections.ts';
import { directReportPages } from './direct-reports.ts';
import { dispatchPages } from './dispatches.ts';
import { homePages } from './home.ts';
import { jobPages } from './jobs.ts';
import { noticePages } from './notices.ts';
import { organisationPages } from './organisation.ts';
import { recordPages } from './records.ts';
import { rosterPages } from './roster.ts';
import { rosterEditPages } from './roster-edit.ts';
import { talkPages } from './talks.ts';

/** HQ's pages (desktop), one module per area. */
export const adminPages: PageDef[] = [
  ...homePages,
  ...rosterPages,
  ...rosterEditPages,
  ...organisationPages,
  ...dispatchPages,
  ...directReportPages,
  ...talkPages,
  ...recordPages,
  ...correctionPages,
  ...boardPages,
  ...circlePages,
  ...accountabilityPages,
  ...bulletinPages,
  ...noticePages,
  ...jobPages,
  ...taskPages,
  ...accountPages,
];
