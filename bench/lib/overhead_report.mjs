// Report of bench/overhead.sh: reads its runs (JSON lines) and prints the
// tables and one machine-readable JSON line.
//
//   node overhead_report.mjs RUNS.jsonl MACHINE_JSON LOAD_START LOAD_END
//
// Times: the daemon's from the fake server's call log (epoch ms, arrival of
// each request), the bare client's from its own clock (epoch µs), the exec
// stamps from bench/exec_stamp (epoch µs), and the mock model's request
// arrival times (epoch ms). All are CLOCK_REALTIME on one machine.
import { readFileSync } from 'node:fs';
import { summary } from './stats.mjs';
import { table, fmt, verdict } from './table.mjs';

// --daemon-only RUNS.jsonl: just the daemon's phases (the diagnosis passes).
const daemonOnly = process.argv[2] === '--daemon-only';
const [runsFile, machineJson, loadStart, loadEnd] = process.argv.slice(daemonOnly ? 3 : 2);
const runs = readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => !r.warmup);
const daemon = runs.filter((r) => r.kind === 'daemon' && r.status === 'completed' && r.claim_ms && r.end_ms);
const bare = runs.filter((r) => r.kind === 'bare' && r.turn_status === 'completed' && r.exit_us);
const failed = runs.length - daemon.length - bare.length;

const first = (r) => (r.model_at_ms.length ? r.model_at_ms[0] : null);
const last = (r) => (r.model_at_ms.length ? r.model_at_ms.at(-1) : null);
const execMs = (r) => (r.exec_us ? r.exec_us / 1000 : null);
const callAt = (r, kind, after = 0) => (r.calls.find(([k, at]) => k === kind && at >= after) || [])[1] ?? null;

// Per-run figures, ms.
const d = daemon.map((r) => {
  const exec = execMs(r);
  const afterTurn = r.calls.find(([k, at]) => at >= last(r) && k !== 'messages');  // first non-message call after the last model request
  return {
    i: r.i,
    wall: r.end_ms - r.claim_ms,
    // From the task's creation at the server: adds the wait for the next poll
    // (uniform over the poll interval, since runs start at a random phase of it).
    enqueued: r.created_ms ? r.end_ms - r.created_ms : null,
    pollWait: r.created_ms ? r.claim_ms - r.created_ms : null,
    claimToExec: exec - r.claim_ms,
    claimReplyToExec: r.claim_done_ms ? exec - r.claim_done_ms : null,
    claimToStart: callAt(r, 'start') - r.claim_ms,
    startToProgress: callAt(r, 'progress') - callAt(r, 'start'),
    progressToExec: exec - callAt(r, 'progress'),
    execToModel: first(r) - exec,
    modelSpan: last(r) - first(r),
    lastModelToEnd: r.end_ms - last(r),
    lastModelToAfterTurn: afterTurn ? afterTurn[1] - last(r) : null,
    afterTurnToEnd: afterTurn ? r.end_ms - afterTurn[1] : null,
    calls: r.calls.length,
  };
});
const b = bare.map((r) => {
  const start = r.start_us / 1000, exec = execMs(r);
  return {
    i: r.i,
    wall: (r.exit_us - r.start_us) / 1000,
    toTurnCompleted: (r.turn_completed_us - r.start_us) / 1000,
    startToExec: exec - start,
    execToModel: first(r) - exec,
    modelSpan: last(r) - first(r),
    lastModelToEnd: r.exit_us / 1000 - last(r),
    lastModelToTurnCompleted: r.turn_completed_us / 1000 - last(r),
    turnCompletedToExit: (r.exit_us - r.turn_completed_us) / 1000,
  };
});
const s = (rows, key) => summary(rows.map((x) => x[key]).filter((v) => v !== null && Number.isFinite(v)));

if (daemonOnly) {
  const keys = ['wall', 'claimToExec', 'claimToStart', 'startToProgress', 'progressToExec', 'execToModel', 'lastModelToEnd',
    'lastModelToAfterTurn', 'afterTurnToEnd'];
  console.log(table([['daemon phase (ms)', 'n', 'p50', 'p90', 'max'],
    ...keys.map((k) => { const x = s(d, k); return [k, x.n, fmt(x.p50, 2), fmt(x.p90, 2), fmt(x.max, 2)]; })]));
  const out = {};
  for (const k of keys) out[k] = s(d, k);
  console.log(JSON.stringify({ daemon_phases_ms: out }));
  process.exit(0);
}

const dw = s(d, 'wall'), bw = s(b, 'wall');
const overheadMs = dw.p50 - bw.p50;
const overheadPct = (100 * overheadMs) / bw.p50;
const overheadP90 = dw.p90 - bw.p90;
const c2e = s(d, 'claimToExec');
// Paired: run i of each side ran back to back (order alternating), so the
// difference within a pair cancels most of the machine's and Codex's drift.
const pairs = d.map((x) => [x, b.find((y) => y.i === x.i)]).filter(([, y]) => y);
const pairedDiff = (key) => summary(pairs.map(([x, y]) => x[key] - y[key]).filter((v) => Number.isFinite(v)));
const pairedWall = pairedDiff('wall');
const pairedCodexStart = pairedDiff('execToModel');
// The target's own measure: from the claim's answer leaving the server (not its arrival, which adds the server's work).
const r2e = s(d.filter((x) => x.claimReplyToExec !== null), 'claimReplyToExec');

const row = (label, st) => [label, st.n, fmt(st.p50), fmt(st.p90), fmt(st.min), fmt(st.max)];
console.log(`\n== Overhead over bare Codex (real Codex 0.171.0 + mock model; loads ${loadStart} -> ${loadEnd}; ${failed} failed runs)\n`);
console.log(table([
  ['per-task wall time (ms)', 'n', 'p50', 'p90', 'min', 'max'],
  row('multicad run: claim -> complete (server view)', dw),
  row('multicad run: enqueue -> complete (incl. the poll wait)', s(d, 'enqueued')),
  row('multicad run: enqueue -> claim (the poll wait)', s(d, 'pollWait')),
  row('bare client: fork -> codex exited', bw),
  row('bare client: fork -> turn/completed', s(b, 'toTurnCompleted')),
]));
console.log(`\noverhead (p50 - p50): ${fmt(overheadMs)} ms = ${fmt(overheadPct, 2)} %   (p90 - p90: ${fmt(overheadP90)} ms)`);
// The phases where only the daemon differs (before Codex starts, after the
// model's last answer): Codex's start-up and the turn vary by +-60 ms from
// run to run, which swamps a few ms in the difference of the walls.
const attributable = (c2e.p50 - s(b, 'startToExec').p50) + (s(d, 'lastModelToEnd').p50 - s(b, 'lastModelToEnd').p50);
console.log(`daemon-attributable (claim -> exec, last model request -> end; p50 differences): ${fmt(attributable)} ms`);
console.log(`paired (run i of each side, back to back; n=${pairedWall.n}): wall difference p50 ${fmt(pairedWall.p50)} ms = ` +
  `${fmt((100 * pairedWall.p50) / bw.p50, 2)} % of the bare p50; Codex start-up difference p50 ${fmt(pairedCodexStart.p50)} ms`);
console.log(`claim -> codex exec (daemon side): p50 ${fmt(c2e.p50, 2)} ms, p90 ${fmt(c2e.p90, 2)} ms`);
console.log(`claim answer sent -> codex exec: p50 ${fmt(r2e.p50, 2)} ms, p90 ${fmt(r2e.p90, 2)} ms (n=${r2e.n})\n`);
console.log(table([
  ['phase (ms, p50)', 'multicad', 'bare', 'what'],
  ['claim/fork -> codex exec', fmt(c2e.p50, 2), fmt(s(b, 'startToExec').p50, 2), 'daemon: claim reply, POST start, POST progress, prepare dir, spawn'],
  ['  claim -> start call', fmt(s(d, 'claimToStart').p50, 2), '', ''],
  ['  start -> progress call', fmt(s(d, 'startToProgress').p50, 2), '', ''],
  ['  progress -> exec', fmt(s(d, 'progressToExec').p50, 2), '', 'task directory prepared, env built, fork/exec'],
  ['exec -> 1st model request', fmt(s(d, 'execToModel').p50), fmt(s(b, 'execToModel').p50), 'Codex start-up + handshake (+ account/read for multicad)'],
  ['1st -> last model request', fmt(s(d, 'modelSpan').p50), fmt(s(b, 'modelSpan').p50), 'the turn: model, exec_command in the sandbox, model'],
  ['last model request -> end', fmt(s(d, 'lastModelToEnd').p50), fmt(s(b, 'lastModelToEnd').p50), 'answer, turn/completed, Codex exit; daemon: reports'],
  ['  -> first report call', fmt(s(d, 'lastModelToAfterTurn').p50), '', 'daemon: turn end + Codex exit + final flush'],
  ['  report calls -> complete', fmt(s(d, 'afterTurnToEnd').p50), '', 'progress 2/2, GET status, usage, complete'],
  ['  turn/completed -> exit', '', fmt(s(b, 'turnCompletedToExit').p50), 'Codex exit after stdin EOF'],
]));

const targets = {
  overhead_pct_le_5: overheadPct <= 5,
  overhead_ms_le_30: overheadMs <= 30,
  claim_to_exec_p50_le_3ms: r2e.n > 0 ? r2e.p50 <= 3 : c2e.p50 <= 3,
};
console.log(`\ntargets: overhead <= 5 %: ${verdict(targets.overhead_pct_le_5)}; <= 30 ms: ${verdict(targets.overhead_ms_le_30)}; ` +
  `claim answer -> exec p50 <= 3 ms: ${verdict(targets.claim_to_exec_p50_le_3ms)}`);
const phases = {};
for (const k of ['claimToStart', 'startToProgress', 'progressToExec', 'execToModel', 'modelSpan', 'lastModelToEnd',
  'lastModelToAfterTurn', 'afterTurnToEnd']) phases[k] = s(d, k);
const barePhases = {};
for (const k of ['toTurnCompleted', 'startToExec', 'execToModel', 'modelSpan', 'lastModelToEnd', 'turnCompletedToExit']) barePhases[k] = s(b, k);
console.log(JSON.stringify({
  bench: 'overhead', machine: JSON.parse(machineJson), load_start: Number(loadStart), load_end: Number(loadEnd),
  failed_runs: failed, daemon_wall_ms: dw, daemon_enqueue_to_complete_ms: s(d, 'enqueued'),
  daemon_poll_wait_ms: s(d, 'pollWait'), bare_wall_ms: bw, overhead_ms: +overheadMs.toFixed(2),
  overhead_pct: +overheadPct.toFixed(3), overhead_p90_ms: +overheadP90.toFixed(2),
  attributable_overhead_ms: +attributable.toFixed(2), claim_to_exec_ms: c2e, claim_reply_to_exec_ms: r2e, paired_wall_diff_ms: pairedWall, paired_codex_start_diff_ms: pairedCodexStart,
  daemon_phases_ms: phases, bare_phases_ms: barePhases, targets,
}));
