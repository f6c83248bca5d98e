/** Placeholder until the demo county lands: reports whether any roster exists. */
import { listTownships } from '../../functions/adapters/dynamo/roster.ts';

export async function hasDemoData(): Promise<boolean> {
  return (await listTownships(1)).items.length > 0;
}

export async function seedDemo(): Promise<Record<string, number>> {
  return {};
}
