// Measures the codec candidates on this machine: encode+decode of a tiny call, and of a
// 1 MiB Float64Array. Run: node packages/protocol/scripts/codec-bench.mjs
import v8 from 'node:v8';
import { Packr } from 'msgpackr';

const chosen = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false, useBigIntExtension: true });
const plain = new Packr({ useRecords: false });
const candidates = {
  'msgpackr, records + moreTypes (chosen)': [(v) => chosen.pack(v), (b) => chosen.unpack(b)],
  'msgpackr, plain (loses Map/typed arrays)': [(v) => plain.pack(v), (b) => plain.unpack(b)],
  'v8.serialize': [(v) => v8.serialize(v), (b) => v8.deserialize(b)],
  'JSON (loses Map/Set/BigInt/typed arrays)': [(v) => Buffer.from(JSON.stringify(v)), (b) => JSON.parse(b.toString())],
};
const tiny = { type: 'call', id: 12345, service: 'Adder.1', method: 'add', args: [1, 2] };
const big = { type: 'call', id: 1, service: 'Adder.1', method: 'echo', args: [new Float64Array(131_072).fill(Math.PI)] };

function time(fn, n) {
  for (let i = 0; i < Math.min(n, 1000); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n;
}

console.log('| codec | tiny call encode+decode | 1 MiB Float64Array encode+decode |');
console.log('| --- | --- | --- |');
for (const [name, [enc, dec]] of Object.entries(candidates)) {
  const tinyNs = time(() => dec(enc(tiny)), 500_000);
  const bigNs = name.startsWith('JSON') ? NaN : time(() => dec(enc(big)), 200);
  const mibs = 1 / (bigNs / 1e9);
  console.log(`| ${name} | ${(tinyNs / 1000).toFixed(2)} µs | ${Number.isNaN(bigNs) ? 'n/a (array of numbers)' : `${(bigNs / 1000).toFixed(0)} µs (${mibs.toFixed(0)} MiB/s)`} |`);
}
