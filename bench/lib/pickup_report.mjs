// Report of bench/pickup.sh:
//   node pickup_report.mjs PICKUP.jsonl CANCEL.jsonl MACHINE_JSON LOAD_START LOAD_END
import { readFileSync } from 'node:fs';
import { summary } from './stats.mjs';
import { table, fmt, verdict } from './table.mjs';

const [pickupFile, cancelFile, machineJson, loadStart, loadEnd] = process.argv.slice(2);
const read = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const pickups = read(pickupFile), cancels = read(cancelFile);
const s = (rows, k) => summary(rows.map((r) => r[k]).filter((v) => v !== null && v !== undefined));
const exec = s(pickups, 'exec_ms'), proc = s(pickups, 'process_ms'), rec = s(pickups, 'record_ms');
const gone = s(cancels, 'gone_ms'), cli = s(cancels, 'cli_ms');
const row = (label, x) => [label, x.n, fmt(x.p50, 1), fmt(x.p90, 1), fmt(x.p99, 1), fmt(x.min, 1), fmt(x.max, 1)];
console.log(`\n== Local mode pickup and cancel (fake codex; loads ${loadStart} -> ${loadEnd})\n`);
console.log(table([
  ['from just before `multicad submit` starts (ms)', 'n', 'p50', 'p90', 'p99', 'min', 'max'],
  row('-> agent exec (exec_stamp)', exec),
  row('-> agent process start (start record time_origin_ms)', proc),
  row('-> start record written (at_ms, after Node boot)', rec),
  row('-> submit --wait returned (task done)', s(pickups, 'submit_wait_ms')),
]));
console.log('');
console.log(table([
  ['from just before `multicad tasks cancel` starts (ms)', 'n', 'p50', 'p90', 'p99', 'min', 'max'],
  row('-> agent process gone', gone),
  row('-> the cancel command returned', cli),
]));
const targets = { pickup_p50_le_100ms: proc.p50 <= 100, pickup_p99_le_100ms: proc.p99 <= 100, cancel_within_1s: gone.max <= 1000 };
console.log(`\ntargets: submit -> agent spawned <= 100 ms: p50 ${verdict(targets.pickup_p50_le_100ms)}, p99 ${verdict(targets.pickup_p99_le_100ms)} ` +
  `(process start ${fmt(proc.p50)} / ${fmt(proc.p99)} ms; start record ${fmt(rec.p50)} / ${fmt(rec.p99)} ms); ` +
  `cancel -> gone within 1 s (docs/operations.md): ${verdict(targets.cancel_within_1s)}`);
console.log(JSON.stringify({
  bench: 'pickup', machine: JSON.parse(machineJson), load_start: Number(loadStart), load_end: Number(loadEnd),
  submit_to_exec_ms: exec, submit_to_process_start_ms: proc, submit_to_start_record_ms: rec,
  cancel_to_gone_ms: gone, cancel_cli_ms: cli, targets,
}));
