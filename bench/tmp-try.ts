import { fullScan } from './scenario-full-scan.js';

const [size, strategy, warp] = process.argv.slice(2);
const t = Date.now();
const r = await fullScan({
  size: Number(size),
  seed: 7,
  strategy: strategy as 'by-sender',
  warp: Number(warp),
  latency: { ms: 30, jitterMs: 50 },
});
console.log(JSON.stringify(r, null, 1));
console.log('total', (Date.now() - t) / 1000);
