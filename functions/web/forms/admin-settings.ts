import { issuerSettings } from '../../schemas/issuer-settings.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's settings forms: who signs the county's documents (发文设置). */
export const settingsForms = {
  'settings-issuer': { schema: issuerSettings },
} satisfies FormRegistry;
