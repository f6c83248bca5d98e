import {
  createSanction,
  decideAllocation,
  decideSanction,
  putResourceKinds,
  rejectSanction,
} from '../../schemas/resources.ts';
import type { FormRegistry } from './registry.ts';

/**
 * HQ's forms for the team leader's powers (docs/quotas.md): deciding an allocation (grant with a
 * quantity, or decline), proposing, approving or rejecting a sanction, and the list of resource kinds (rows
 * `kinds.N.id|name|unit`; spare blank rows are dropped, the version travels in `_version`).
 */
export const resourceForms = {
  'allocation-decide': {
    schema: decideAllocation,
    // 不分配 sends no quantity: a number left typed in the field is not sent.
    prepare: (entries) => {
      const decision = entries.filter(([n]) => n === 'decision').at(-1)?.[1];
      return decision === 'decline' ? entries.filter(([n]) => n !== 'quantity') : entries;
    },
  },
  'sanction-propose': { schema: createSanction },
  'sanction-approve': { schema: decideSanction },
  'sanction-reject': { schema: rejectSanction },
  'resource-kinds': { schema: putResourceKinds },
} satisfies FormRegistry;
