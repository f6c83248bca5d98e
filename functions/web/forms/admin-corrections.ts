import { voidInspectionBody } from '../../schemas/inspections.ts';
import { createExtension } from '../../schemas/problems.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's corrections: voiding an inspection (作废), extending a problem's deadline (延期). */
export const correctionForms = {
  'inspection-void': { schema: voidInspectionBody },
  'problem-extension': { schema: createExtension },
} satisfies FormRegistry;
