import { villageResultsInput } from '../../schemas/assessments.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's assessment forms: a village's results for a period (成效考核, 满意度). */
export const assessmentForms = {
  'assessment-results': { schema: villageResultsInput },
} satisfies FormRegistry;
