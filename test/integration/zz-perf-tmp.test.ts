import { afterAll, beforeAll, it } from 'vitest';
import { batchPut, putIfAbsent } from '../../functions/adapters/dynamo/table.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
let t: TestStack;
beforeAll(async () => { t = await startTestStack(); });
afterAll(async () => { await t.stop(); });
const item = (p: string, i: number, idx: boolean) => ({ PK: `${p}#${i}`, SK: 'A', a: 'x'.repeat(200), ...(idx ? { GSI1PK: 'L', GSI1SK: `${p}${i}`, GSI2PK: 'M', GSI2SK: `${i}`, GSI3PK: 'O', GSI3SK: `${i}` } : {}) });
it('perf', async () => {
  for (const idx of [false, true]) {
    let t0 = Date.now();
    await batchPut(Array.from({ length: 500 }, (_, i) => item(`B${idx}`, i, idx)));
    console.log('batch', idx, Date.now() - t0); t0 = Date.now();
    for (let i = 0; i < 100; i++) await putIfAbsent(item(`S${idx}`, i, idx));
    console.log('seq100', idx, Date.now() - t0); t0 = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => putIfAbsent(item(`P${idx}`, i, idx))));
    console.log('par100', idx, Date.now() - t0);
  }
}, 120000);
