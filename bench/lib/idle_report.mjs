// Report of bench/idle.sh: node idle_report.mjs IDLE.jsonl MACHINE_JSON
import { readFileSync } from 'node:fs';
import { table, fmt, verdict } from './table.mjs';

const [file, machineJson] = process.argv.slice(2);
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
console.log('\n== Idle cost (default intervals: poll 3 s, heartbeat 15 s)\n');
console.log(table([
  ['mode', 'window s', 'load', 'VmRSS MB', 'VmHWM MB', 'threads', 'CPU ms (/proc)', 'CPU %', 'CPU ms (perf)', 'wake-ups', 'per s', 'requests'],
  ...rows.map((r) => [r.mode, fmt(r.window_s), r.load, fmt(r.vmrss_mb, 2), fmt(r.vmhwm_mb, 2), r.threads, fmt(r.cpu_ms, 0),
    fmt(r.cpu_pct, 3), fmt(r.perf_task_clock_ms, 1), r.wakeups, fmt(r.wakeups_per_s, 2),
    `${r.requests} ${JSON.stringify(r.requests_by_kind)}`]),
]));
console.log('');
console.log(table([
  ['mode', 'RssAnon MB (own heap, stacks)', 'RssFile MB (binary + shared libraries)', 'Pss MB', 'largest mappings (kB)'],
  ...rows.map((r) => [r.mode, fmt(r.rss_anon_mb, 2), fmt(r.rss_file_mb, 2), fmt(r.pss_mb, 2),
    r.top_mappings_kb.slice(0, 6).map((m) => `${m.mapping.split('/').pop()} ${m.kb}`).join(', ')]),
]));
const targets = {};
for (const r of rows) {
  const cpu = r.perf_cpu_pct ?? r.cpu_pct;
  targets[r.mode] = { rss_le_8mb: r.vmrss_mb <= 8, hwm_le_8mb: r.vmhwm_mb <= 8, cpu_le_0_1_pct: cpu <= 0.1 };
  console.log(`${r.mode}: RSS <= 8 MB: ${verdict(r.vmrss_mb <= 8)} (VmRSS ${fmt(r.vmrss_mb, 2)}; VmHWM ${fmt(r.vmhwm_mb, 2)}: ` +
    `${verdict(r.vmhwm_mb <= 8)}); CPU <= 0.1 %: ${verdict(cpu <= 0.1)} (${fmt(cpu, 4)} %)`);
}
console.log(JSON.stringify({ bench: 'idle', machine: JSON.parse(machineJson), modes: rows, targets }));
