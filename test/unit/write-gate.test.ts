import { describe, expect, it } from 'vitest';
import { createWriteGate } from '../../infra/local/write-gate.ts';

/** A promise and the function that settles it: the tests decide when each writer finishes. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('the write gate', () => {
  it('waits for writers under way, holds new ones while paused, then lets them go', async () => {
    const gate = createWriteGate();
    const events: string[] = [];
    const first = deferred();
    const running = gate.run(async () => {
      events.push('writer 1 starts');
      await first.promise;
      events.push('writer 1 ends');
    });
    const snapshotTaken = deferred();
    const pause = gate.paused(async () => {
      events.push('snapshot');
      await snapshotTaken.promise;
      return 'done';
    });
    // The pause waits for writer 1; writer 2, arriving meanwhile, waits for the pause.
    const second = gate.run(async () => {
      events.push('writer 2');
    });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['writer 1 starts']);
    first.resolve();
    await running;
    await expect.poll(() => events).toContain('snapshot');
    expect(events).toEqual(['writer 1 starts', 'writer 1 ends', 'snapshot']);
    snapshotTaken.resolve();
    expect(await pause).toBe('done');
    await second;
    expect(events.at(-1)).toBe('writer 2');
    expect(gate.inFlight()).toBe(0);
  });

  it('counts a write inside a writer as part of it, and background work it started as separate writes', async () => {
    const gate = createWriteGate();
    let background: Promise<string> | undefined;
    const release = deferred();
    const reachedGate = deferred();
    await gate.run(async () => {
      // Inside the writer: no second entry (a pause would otherwise wait for the writer's own call).
      expect(await gate.runWrite(async () => gate.inFlight())).toBe(1);
      // Started by the writer, finishing after it: it inherits the async context, not the ticket.
      background = (async () => {
        await release.promise;
        const write = gate.runWrite(async () => `in flight ${gate.inFlight()}`);
        reachedGate.resolve();
        return write;
      })();
    });
    const pause = gate.paused(async () => {
      release.resolve();
      // The background write has reached the gate: it waits for the pause instead of passing as part
      // of the finished writer.
      await reachedGate.promise;
      return gate.inFlight();
    });
    expect(await pause).toBe(0);
    expect(await background).toBe('in flight 1');
  });

  it('runs pauses one after another and refuses a pause from inside a writer', async () => {
    const gate = createWriteGate();
    const order: string[] = [];
    const aHeld = deferred();
    const a = gate.paused(async () => {
      order.push('a start');
      await aHeld.promise;
      order.push('a end');
    });
    const b = gate.paused(async () => {
      order.push('b');
    });
    await expect.poll(() => order).toContain('a start');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a start']);
    aHeld.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b']);
    await expect(gate.run(() => gate.paused(async () => 1))).rejects.toThrow(/cannot pause/);
  });
});

describe('the write gate, nested', () => {
  it('lets a writer inside a writer through while a pause waits (no deadlock)', async () => {
    const gate = createWriteGate();
    const inner = deferred();
    const outer = gate.run(async () => {
      await inner.promise;
      return gate.run(async () => 'nested');
    });
    const pause = gate.paused(async () => 'paused');
    inner.resolve();
    expect(await outer).toBe('nested');
    expect(await pause).toBe('paused');
  });
});
