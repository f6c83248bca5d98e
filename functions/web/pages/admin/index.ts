import type { PageDef } from '../../route.ts';
import { accountabilityPages } from './accountability.ts';
import { accountPages } from './accounts.ts';
import { assessmentPages } from './assessments.ts';
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
import { resourcePages } from './resources.ts';
import { rosterPages } from './roster.ts';
import { rosterEditPages } from './roster-edit.ts';
import { settingsPages } from './settings.ts';
import { talkPages } from './talks.ts';
import { visitPages } from './visits.ts';

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
  ...assessmentPages,
  ...resourcePages,
  ...bulletinPages,
  ...noticePages,
  ...jobPages,
  ...taskPages,
  ...accountPages,
  ...settingsPages,
  ...visitPages,
];
