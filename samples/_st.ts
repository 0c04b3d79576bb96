import { generate } from './generate.ts';
const n = Number(process.argv[2]); const dir = process.argv[3];
const r = await generate({ events: n, outDir: dir, name: 'x' });
console.log(JSON.stringify(r.stats, null, 1));
