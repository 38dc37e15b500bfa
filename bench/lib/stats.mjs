// Summary statistics of the numbers on stdin (one per line, blank lines
// ignored): {"n", "min", "p50", "p90", "p99", "max", "mean"}. Percentiles are
// linearly interpolated between order statistics (numpy's default), so p99
// of 20 samples leans on the largest two; the benchmarks say n next to it.
import { readFileSync } from 'node:fs';

export function summary(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const q = (p) => {
    if (!v.length) return null;
    const pos = (v.length - 1) * p;
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    return +(v[lo] + (v[hi] - v[lo]) * (pos - lo)).toFixed(3);
  };
  const mean = v.length ? +(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3) : null;
  return { n: v.length, min: v[0] ?? null, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: v.at(-1) ?? null, mean };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nums = readFileSync(0, 'utf8').split('\n').filter((l) => l.trim()).map(Number);
  process.stdout.write(JSON.stringify(summary(nums)) + '\n');
}
