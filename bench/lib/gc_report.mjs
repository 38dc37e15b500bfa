// The report of bench/gc.sh: tables and one {"bench":"gc",...} line.
//   node gc_report.mjs WORKDIR MACHINE_JSON FACTS_JSON
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summary } from './stats.mjs';
import { table, fmt } from './table.mjs';

const [work, machineJson, factsJson] = process.argv.slice(2);
const machine = JSON.parse(machineJson);
const facts = JSON.parse(factsJson);
const lines = (f) => { try { return readFileSync(join(work, f), 'utf8').split('\n').filter((l) => l.trim()); } catch { return []; } };
const field = (line, key) => { const m = line.match(new RegExp(`\\b${key}=("[^"]*"|\\S+)`)); return m ? m[1].replace(/"/g, '') : null; };
const mib = (b) => b / 1048576;

// A pass: its end (the log line's time), duration and walk, from the DEBUG line.
function passes(file) {
  return lines(file).map((l) => ({
    end_ms: Date.parse(l.split(/\s+/)[0]),
    took_ms: Number(field(l, 'took_ms')),
    walk_ms: Number(field(l, 'walk_ms')),
    folders: Number(field(l, 'task_folders')),
    freed_bytes: Number(field(l, 'freed_bytes')),
  }));
}
// Daemon I/O between consecutive samples (the first is taken before pass 1).
function io(file) {
  const s = lines(file).map((l) => JSON.parse(l));
  return s.slice(1).map((b, i) => {
    const a = s[i];
    return { syscr: b.syscr - a.syscr, rchar_mib: mib(b.rchar - a.rchar), read_mib: mib(b.read_bytes - a.read_bytes),
             write_mib: mib(b.write_bytes - a.write_bytes), syscw: b.syscw - a.syscw,
             cpu_ms: ((b.cpu_ticks - a.cpu_ticks) * 1000) / facts.clk_tck };
  });
}
// /health latencies during passes and outside them.
function probes(file, ps) {
  const inPass = [], idle = [];
  let failed = 0;
  for (const l of lines(file)) {
    const [at, secs, code] = l.split(' ');
    if (code !== '200') { failed++; continue; }
    const t = Number(at), ms = Number(secs) * 1000;
    (ps.some((p) => t >= p.end_ms - p.took_ms - 5 && t <= p.end_ms) ? inPass : idle).push(ms);
  }
  return { during: summary(inPass), idle: summary(idle), failed };
}

const steady = passes('steady.passes'), steadyIo = io('steady.jsonl'), steadyProbe = probes('steady.probe', steady);
const art = passes('artifacts.passes').slice(0, 1), artIo = io('artifacts.jsonl'), artProbe = probes('artifacts.probe', art);
const freed = lines('artifacts.freed')[0] || '';

console.log(`\ntree: ${facts.seed.folders} task folders, ${facts.seed.files} files, ${facts.seed.dirs} dirs; ` +
  `du -sxB1: ${fmt(mib(facts.du_bytes))} MiB (disk-usage total ${facts.disk_usage_total === facts.du_bytes ? 'equal' : 'DIFFERS: ' + facts.disk_usage_total})`);
console.log(`page cache dropped before cold runs: ${facts.caches_dropped ? 'yes' : 'no (not permitted here): every figure is warm'}\n`);
console.log(table([
  ['walk of the whole tree', 'ms'],
  [`du -sxB1 (${facts.caches_dropped ? 'cold' : 'first'})`, facts.du_cold_ms],
  ['du -sxB1 (warm)', facts.du_warm_ms],
  ['multicad disk-usage --json (warm, whole process)', facts.disk_usage_ms],
]));
console.log('\n(a) steady state: every folder measured, nothing removed (load ' + facts.load_a + ')\n');
console.log(table([
  ['pass', 'took ms', 'walk ms', 'read syscalls', 'read from storage MiB', 'rchar MiB', 'written MiB', 'daemon CPU ms'],
  ...steady.map((p, i) => [i + 1 + (i === 0 && facts.cold_a ? ' (cold)' : ''), p.took_ms, p.walk_ms,
    steadyIo[i]?.syscr, fmt(steadyIo[i]?.read_mib), fmt(steadyIo[i]?.rchar_mib), fmt(steadyIo[i]?.write_mib, 2), fmt(steadyIo[i]?.cpu_ms, 0)]),
]));
console.log('\n(b) artifact clean-up: the first pass removes every node_modules (load ' + facts.load_b + ')\n');
console.log(table([
  ['pass', 'took ms', 'walk ms', 'freed MiB', 'read syscalls', 'read MiB', 'written MiB', 'daemon CPU ms', 'node_modules left'],
  ...art.map((p, i) => [1, p.took_ms, p.walk_ms, fmt(mib(p.freed_bytes)), artIo[i]?.syscr, fmt(artIo[i]?.read_mib),
    fmt(artIo[i]?.write_mib, 2), fmt(artIo[i]?.cpu_ms, 0), facts.node_modules_left]),
]));
console.log(`baseline: rm -rf of an identical copy of those node_modules: ${facts.rm_rf_ms} ms`);
console.log(`INFO line: ${freed.replace(/^\S+\s+INFO\s+/, '') || '(none)'}`);
console.log('\nGET /health latency (ms) while a pass runs and outside passes: the event loop is not stalled by the walk\n');
const row = (name, s) => [name, s.n, fmt(s.p50, 2), fmt(s.p99, 2), fmt(s.max, 2)];
console.log(table([
  ['window', 'n', 'p50', 'p99', 'max'],
  row('(a) during passes', steadyProbe.during), row('(a) between passes', steadyProbe.idle),
  row('(b) during the clean-up', artProbe.during), row('(b) outside it', artProbe.idle),
]));
if (steadyProbe.failed + artProbe.failed) console.log(`/health requests that failed: ${steadyProbe.failed + artProbe.failed}`);

console.log(JSON.stringify({
  bench: 'gc', machine, facts,
  steady: steady.map((p, i) => ({ ...p, io: steadyIo[i] })),
  artifacts: art.map((p, i) => ({ ...p, io: artIo[i] })),
  health_latency_ms: { steady: steadyProbe, artifacts: artProbe },
}));
