import * as accounts from './accounts.ts';
import * as assessments from './assessments.ts';
import * as assignments from './assignments.ts';
import * as audit from './audit.ts';
import * as background from './background.ts';
import * as bulletins from './bulletins.ts';
import * as common from './common.ts';
import * as directReports from './direct-reports.ts';
import * as dispatches from './dispatches.ts';
import * as inspections from './inspections.ts';
import * as issuerSettings from './issuer-settings.ts';
import * as jobs from './jobs.ts';
import * as location from './location.ts';
import * as majorFailures from './major-failures.ts';
import * as notices from './notices.ts';
import * as notifications from './notifications.ts';
import * as organisation from './organisation.ts';
import * as photos from './photos.ts';
import * as problemRecord from './problem-record.ts';
import * as problemTerms from './problem-terms.ts';
import * as problems from './problems.ts';
import * as recipients from './recipients.ts';
import * as records from './records.ts';
import * as resources from './resources.ts';
import * as roster from './roster.ts';
import * as rules from './rules.ts';
import * as search from './search.ts';
import * as selfCriticism from './self-criticism.ts';
import * as talks from './talks.ts';
import * as teams from './teams.ts';
import * as trainings from './trainings.ts';
import * as villageColors from './village-colors.ts';
import * as visits from './visits.ts';

/**
 * Every schema module, for the OpenAPI document: an exported schema becomes a named component there
 * (`townshipPage` → `TownshipPage`). test/unit/openapi.test.ts checks that no module is left out.
 * Common first, so that a building block keeps its own name.
 */
export const schemaModules: Record<string, Record<string, unknown>> = {
  common,
  accounts,
  assignments,
  audit,
  bulletins,
  'direct-reports': directReports,
  dispatches,
  inspections,
  'issuer-settings': issuerSettings,
  jobs,
  'major-failures': majorFailures,
  notices,
  notifications,
  photos,
  problems,
  'problem-record': problemRecord,
  'problem-terms': problemTerms,
  recipients,
  records,
  resources,
  search,
  roster,
  location,
  rules,
  visits,
  'self-criticism': selfCriticism,
  trainings,
  organisation,
  teams,
  talks,
  assessments,
  background,
  'village-colors': villageColors,
};

const isSchema = (value: unknown) => typeof value === 'object' && value !== null && '_zod' in value;

/** Every schema the modules export, by export name; two different schemas may not share a name. */
export function namedSchemas(): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  for (const [file, module] of Object.entries(schemaModules)) {
    for (const [name, value] of Object.entries(module)) {
      if (!isSchema(value)) continue;
      if (name in named && named[name] !== value)
        throw new Error(
          `schemas/${file}.ts exports a schema named ${name} that another module already names`,
        );
      named[name] ??= value;
    }
  }
  return named;
}
