import { ChromiumPdfRenderer } from './functions/adapters/documents/chromium.ts';
import { readFileSync } from 'node:fs';
const r = new ChromiumPdfRenderer('/usr/bin/chromium', 1000);
const t = Date.now();
await r.toPdf(readFileSync('/tmp/d-try.html','utf8'));
console.log('rendered', Date.now()-t);
process.on('exit', () => console.log('exit after', Date.now()-t));
