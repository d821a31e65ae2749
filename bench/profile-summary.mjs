// Summarises a .cpuprofile written with BENCH_PROFILE=1: self time per function and per package,
// so that "where does the time go" has a number. Usage: node bench/profile-summary.mjs <file> [top]
import fs from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
// Samples x interval: each sample is attributed to the node on top of the stack.
const deltas = profile.timeDeltas ?? [];
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '');
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (/\/work\/main\/([^/]+)\//.test(url)) return /\/work\/main\/((?:libraries\/)?[^/]+)\//.exec(url)[1];
  if (url.startsWith('node:') || url === '') return cf.functionName.startsWith('(') ? cf.functionName : 'node internals';
  return url;
};
const fnKey = (cf) =>
  `${cf.functionName || '(anonymous)'} ${cf.url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace('/work/main/', '')}:${cf.lineNumber + 1}`;
const perFn = new Map();
const perPkg = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  perFn.set(fnKey(n.callFrame), (perFn.get(fnKey(n.callFrame)) ?? 0) + t);
  perPkg.set(where(n.callFrame), (perPkg.get(where(n.callFrame)) ?? 0) + t);
}
// Inclusive time per function: a node's time plus its descendants', counted once per stack.
const inclusive = new Map();
const walk = (node, onStack) => {
  let sum = self.get(node.id) ?? 0;
  const key = fnKey(node.callFrame);
  const first = !onStack.has(key);
  if (first) onStack.add(key);
  for (const c of node.children ?? []) sum += walk(byId.get(c), onStack);
  if (first) {
    onStack.delete(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
  }
  return sum;
};
walk(profile.nodes[0], new Set());

const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(t)}  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package', perPkg, 20);
show('self time by function', perFn, top);
show('inclusive time by function', inclusive, top);
