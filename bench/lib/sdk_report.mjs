// Report of bench/sdk_runner.sh (see that script for what each number includes).
//
//   node sdk_report.mjs RUNS.jsonl CODEX_RSS.json DAEMON_HWM_KB DAEMON_RSS_KB MACHINE_JSON LOAD_START LOAD_END SDK_VERSION
import { readFileSync } from 'node:fs';
import { summary } from './stats.mjs';
import { table, fmt, verdict } from './table.mjs';

const [runsFile, rssFile, hwm, rss, machineJson, loadStart, loadEnd, sdkVersion] = process.argv.slice(2);
const runs = readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => !r.warmup);
const codexRss = JSON.parse(readFileSync(rssFile, 'utf8'));
const daemon = runs.filter((r) => r.kind === 'daemon' && r.status === 'completed');
const sdk = runs.filter((r) => r.kind === 'sdk' && !r.error && r.answer);
const failed = runs.length - daemon.length - sdk.length;

const mb = (kb) => (kb === null || kb === undefined ? null : kb / 1024);
const codexOf = (task) => codexRss.groups[task] || null;
// Codex's memory per task: the largest sum of Pss over its processes in one
// sample (shared pages split, so forked children are not counted twice).
const codexPss = (rows) => summary(rows.map((r) => codexOf(r.task)).filter(Boolean).map((g) => g.peak_sum_pss_kb / 1024));
const codexAtOnce = (rows) => summary(rows.map((r) => codexOf(r.task)).filter(Boolean).map((g) => g.peak_sum_rss_kb / 1024));
// The largest Codex processes of one task (peak VmHWM), by name.
const procsOf = (rows) => {
  const g = rows.map((r) => codexOf(r.task)).find(Boolean);
  if (!g) return '-';
  return [...g.processes].sort((a, b) => b.peak_hwm_kb - a.peak_hwm_kb).slice(0, 3)
    .map((p) => `${p.comm} ${fmt(p.peak_hwm_kb / 1024)}`).join(', ') + ` (+${Math.max(0, g.processes.length - 3)} small)`;
};

const dWall = summary(daemon.map((r) => r.end_ms - r.claim_ms));
const dEnqueued = summary(daemon.filter((r) => r.created_ms).map((r) => r.end_ms - r.created_ms));
const sWall = summary(sdk.map((r) => r.wall_ms));
// Like for like with the daemon's claim -> complete (a daemon that is already
// running): the runner from its SDK import done to the answer, i.e. without
// Node's start and the import, which a script pays per task and the daemon once.
const sAfterImport = summary(sdk.filter((r) => r.done_ms && r.imported_ms !== undefined).map((r) => r.done_ms - r.imported_ms));
const timeV = summary(sdk.map((r) => mb(r.time_v_max_rss_kb)));
const self = summary(sdk.map((r) => mb(r.self_max_rss_kb)));
const daemonHwm = mb(Number(hwm)), daemonRss = mb(Number(rss));
// Like for like is the daemon's own process against the runner's own
// process: neither counts Codex. time -v reports the largest of the runner
// and its waited-for children, which is Codex, so that ratio compares the
// daemon without Codex to Codex; it is shown, but the target is judged on the other.
const ratioTimeV = daemonHwm / timeV.p50, ratioSelf = daemonHwm / self.p50;

console.log(`\n== multicad vs an @openai/codex-sdk@${sdkVersion} runner (real Codex 0.171.0 + mock model; loads ${loadStart} -> ${loadEnd}; ${failed} failed runs)\n`);
console.log(table([
  ['', 'n', 'wall p50 ms', 'wall p90 ms', 'own peak RSS MB', 'Codex peak Pss MB/task (p50)', 'largest Codex processes (VmHWM MB, one task)'],
  ['multicad run (server mode)', daemon.length, fmt(dWall.p50), fmt(dWall.p90), `${fmt(daemonHwm)} (VmHWM; VmRSS now ${fmt(daemonRss)})`,
    fmt(codexPss(daemon).p50), procsOf(daemon)],
  ['SDK runner (node index.mjs)', sdk.length, fmt(sWall.p50), fmt(sWall.p90),
    `${fmt(self.p50)} (own) / ${fmt(timeV.p50)} (time -v, = Codex)`, fmt(codexPss(sdk).p50), procsOf(sdk)],
]));
console.log(`\nwall time like for like (p50 / p90 ms): daemon claim -> complete ${fmt(dWall.p50)} / ${fmt(dWall.p90)}; ` +
  `runner SDK imported -> answer ${fmt(sAfterImport.p50)} / ${fmt(sAfterImport.p90)} (its whole run, ${fmt(sWall.p50)}, adds Node's start ` +
  `and the import); daemon enqueue -> complete ${fmt(dEnqueued.p50)} / ${fmt(dEnqueued.p90)} (adds the wait for the next poll)`);
console.log(`daemon RSS / runner RSS, like for like (each process alone, no Codex): ${fmt(ratioSelf, 3)}; ` +
  `against /usr/bin/time -v (the runner's children included, i.e. Codex; not like for like): ${fmt(ratioTimeV, 3)}`);
console.log(`Codex per task, largest sum of VmRSS in one sample (shared pages counted per process): multicad ${fmt(codexAtOnce(daemon).p50)} MB, SDK ${fmt(codexAtOnce(sdk).p50)} MB`);
const targets = { daemon_rss_le_quarter_of_runner_self: ratioSelf <= 0.25 };
console.log(`target daemon RSS <= 0.25 x runner, like for like: ${verdict(targets.daemon_rss_le_quarter_of_runner_self)}`);
console.log(JSON.stringify({
  bench: 'sdk_runner', machine: JSON.parse(machineJson), load_start: Number(loadStart), load_end: Number(loadEnd),
  sdk_version: sdkVersion, failed_runs: failed, daemon_wall_ms: dWall, daemon_enqueue_to_complete_ms: dEnqueued,
  sdk_wall_ms: sWall, sdk_after_import_ms: sAfterImport,
  daemon_vmhwm_mb: +daemonHwm.toFixed(2), daemon_vmrss_mb: +daemonRss.toFixed(2), runner_time_v_max_rss_mb: timeV,
  runner_self_max_rss_mb: self, codex_peak_pss_mb_per_task: { daemon: codexPss(daemon), sdk: codexPss(sdk) },
  codex_at_once_mb_per_task: { daemon: codexAtOnce(daemon), sdk: codexAtOnce(sdk) },
  ratio_daemon_to_runner_time_v: +ratioTimeV.toFixed(4), ratio_daemon_to_runner_self: +ratioSelf.toFixed(4), targets,
}));
