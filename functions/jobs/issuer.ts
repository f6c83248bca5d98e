/**
 * The issuer settings in force: as HQ saved them (GET/PUT /settings/issuer), else the first defaults
 * from the deployment's environment (documents/settings.ts). Small on purpose: the routes and the
 * news function load it without the document code.
 */
import { getIssuerSettings } from '../adapters/dynamo/issuer-settings.ts';
import {
  type DocumentSettings,
  documentSettings,
  type IssuerSettings,
  issuerDefaults,
} from '../documents/settings.ts';

export interface CurrentIssuer extends IssuerSettings {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function currentIssuer(env: NodeJS.ProcessEnv = process.env): Promise<CurrentIssuer> {
  const stored = await getIssuerSettings();
  if (stored) return stored;
  return { ...issuerDefaults(env), version: 0, updatedAt: null, updatedBy: null };
}

/** The document settings with the issuer in force. */
export async function currentDocumentSettings(
  env: NodeJS.ProcessEnv = process.env,
): Promise<DocumentSettings> {
  return documentSettings(env, await currentIssuer(env));
}

/** The sender of the county's emails, named as its issuing body: "青岚县脱贫攻坚指挥部 <noreply@…>". */
export function senderAs(name: string, from: string): string {
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return `${name.replace(/["<>\r\n]/g, '')} <${address}>`;
}
