import { median } from './stats.ts';

/**
 * Where one request's time goes, from the DynamoDB calls it made: the stretch before the first call
 * (gateway, JWT check, middleware, JSON parse, zod validation), then phases of calls that overlap
 * (sent in parallel), the handler's own work between phases, and the stretch after the last call
 * (building and sending the response).
 */
export interface Call {
  name: string;
  start: number;
  end: number;
}

export interface RequestTrace {
  start: number;
  end: number;
  calls: Call[];
}

interface Phase {
  signature: string;
  start: number;
  end: number;
}

function phases(calls: Call[]): Phase[] {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const out: { names: string[]; start: number; end: number }[] = [];
  for (const call of sorted) {
    const last = out.at(-1);
    if (last && call.start < last.end) {
      last.names.push(call.name);
      last.end = Math.max(last.end, call.end);
    } else out.push({ names: [call.name], start: call.start, end: call.end });
  }
  return out.map((p) => ({ signature: signature(p.names), start: p.start, end: p.end }));
}

function signature(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([n, k]) => (k > 1 ? `${n}×${k}` : n))
    .join(' ‖ ');
}

export interface TimelineStep {
  label: string;
  medianMs: number;
}

/** Median of each step over the traces that share the most common phase count. */
export function timeline(traces: RequestTrace[]): { steps: TimelineStep[]; totalMs: number; sample: number } {
  const analysed = traces.filter((t) => t.calls.length > 0).map((t) => ({ t, p: phases(t.calls) }));
  if (analysed.length === 0) return { steps: [], totalMs: Number.NaN, sample: 0 };
  const byCount = new Map<number, typeof analysed>();
  for (const a of analysed) byCount.set(a.p.length, [...(byCount.get(a.p.length) ?? []), a]);
  const group = [...byCount.values()].sort((a, b) => b.length - a.length)[0]!;
  const n = group[0]!.p.length;
  const steps: TimelineStep[] = [
    {
      label: 'before the first DynamoDB call (gateway, JWT, middleware, parse, validation)',
      medianMs: median(group.map((a) => a.p[0]!.start - a.t.start)),
    },
  ];
  for (let i = 0; i < n; i++) {
    const labels = new Map<string, number>();
    for (const a of group) labels.set(a.p[i]!.signature, (labels.get(a.p[i]!.signature) ?? 0) + 1);
    const label = [...labels]
      .sort((a, b) => b[1] - a[1])
      .map(([s]) => s)
      .join(' or ');
    steps.push({
      label: `DynamoDB phase ${i + 1}: ${label}`,
      medianMs: median(group.map((a) => a.p[i]!.end - a.p[i]!.start)),
    });
    if (i < n - 1)
      steps.push({
        label: '  handler work between phases',
        medianMs: median(group.map((a) => a.p[i + 1]!.start - a.p[i]!.end)),
      });
  }
  steps.push({
    label: 'after the last DynamoDB call (response, HTTP)',
    medianMs: median(group.map((a) => a.t.end - a.p[n - 1]!.end)),
  });
  return { steps, totalMs: median(group.map((a) => a.t.end - a.t.start)), sample: group.length };
}
