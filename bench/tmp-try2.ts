import { naiveBaseline } from './baseline.js';

const t = Date.now();
const r = await naiveBaseline({
  size: 10000,
  seed: 7,
  sample: Number(process.argv[2]),
  warp: Number(process.argv[3]),
  workers: 8,
  latency: { ms: 30, jitterMs: 50 },
});
console.log(JSON.stringify(r, null, 1));
console.log('total', (Date.now() - t) / 1000);
