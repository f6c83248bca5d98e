import { keys } from './keys.ts';
import { updateItem } from './table.ts';

/**
 * Per-year sequence counters for document numbers (派〔2026〕12号 and later series). One item per
 * (series, year); `ADD` is atomic on the item, so concurrent callers each get a distinct value and
 * no number is ever handed out twice. A caller that crashes after taking a number leaves a gap,
 * which official numbering tolerates; a duplicate it would not.
 */
export async function nextSequence(series: string, year: number): Promise<number> {
  const out = await updateItem<{ seq?: unknown }>({
    Key: keys.counter(series, year),
    UpdateExpression:
      'ADD #seq :one SET #entity = if_not_exists(#entity, :entity), #series = :series, #year = :year',
    ExpressionAttributeNames: { '#seq': 'seq', '#entity': 'entity', '#series': 'series', '#year': 'year' },
    ExpressionAttributeValues: { ':one': 1, ':entity': 'counter', ':series': series, ':year': year },
  });
  const seq = Number(out.seq);
  if (!Number.isInteger(seq) || seq < 1)
    throw new Error(`counter ${series}/${year} returned ${String(out.seq)}`);
  return seq;
}
