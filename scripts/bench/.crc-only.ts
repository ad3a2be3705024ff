import { crcRows } from './protocol-bench.js';
for (const r of crcRows()) console.log(r.name, r.value, r.unit);
