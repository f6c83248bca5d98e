import { createInspection } from '../../schemas/inspections.ts';
import { verificationForm } from '../../schemas/problems.ts';
import { verifyViolation } from '../../schemas/resources.ts';
import type { FormRegistry } from './registry.ts';

/** The inspector's forms: one inspection of a village (findings and problems per cadre), a verification. */
export const inspectorForms = {
  inspection: { schema: createInspection },
  /** A violation report checked on the spot: 查证属实 or 查无实据, with what was found (docs/quotas.md). */
  'violation-verify': { schema: verifyViolation },
  // A rejection must say its kind and why (the API alone would take no kind as 虚假整改); a kind or
  // date left chosen after switching to 整改到位 is not sent.
  verification: {
    schema: verificationForm,
    prepare: (entries) => {
      const last = (name: string) => entries.filter(([n]) => n === name).at(-1)?.[1] ?? '';
      const outcome = last('outcome');
      const kind = last('kind');
      return entries.filter(
        ([name]) =>
          !(outcome === 'accepted' && (name === 'kind' || name === 'rectifyBy')) &&
          !(kind !== 'incomplete' && name === 'rectifyBy'),
      );
    },
  },
} satisfies FormRegistry;
