// Report of bench/load.sh (see that script for what is counted and how).
//
//   node load_report.mjs WORKDIR PARAMS_JSON
// WORKDIR holds state.json, calls.json (the fake server's), codex.jsonl (the
// fake codexes' FAKE_CODEX_LOG), rss_series.txt and perf.csv.
import { readFileSync, existsSync } from 'node:fs';
import { summary } from './stats.mjs';
import { table, fmt, verdict } from './table.mjs';
import { kindOf, taskIdOf } from './fake_tasks.mjs';

const [dir, paramsJson] = process.argv.slice(2);
const P = JSON.parse(paramsJson);
const state = JSON.parse(readFileSync(`${dir}/state.json`, 'utf8'));
const calls = JSON.parse(readFileSync(`${dir}/calls.json`, 'utf8'));
const codexLog = readFileSync(`${dir}/codex.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

// ---- emitted: the fake codexes' own records ----------------------------------
const taskOfPid = new Map();
for (const r of codexLog) if (r.argv && r.argv[0] === 'app-server' && r.env) taskOfPid.set(r.pid, r.env.MULTICA_TASK_ID);
const emitted = new Map();  // task -> flood record
for (const r of codexLog) if (r.flood) emitted.set(taskOfPid.get(r.flood.pid), r.flood);

// ---- received: what reached /_fake/state -------------------------------------
const STAMP = / @(\d+)/;
const tasks = state.tasks;
const perTask = [];
for (const t of tasks) {
  const msgs = state.messages[t.id] || [];
  const use = new Map(), result = new Map();
  let texts = 0, errors = 0, seqOk = true;
  msgs.forEach((m, i) => {
    if (m.seq !== i + 1) seqOk = false;
    if (m.type === 'tool_use') {
      const idx = ((m.input && m.input.command) || '').match(/echo (\d+) @/);
      if (idx) use.set(idx[1], (use.get(idx[1]) || 0) + 1);
    } else if (m.type === 'tool_result') {
      const idx = (m.output || '').match(/^(\d+) @/);
      if (idx) result.set(idx[1], (result.get(idx[1]) || 0) + 1);
    } else if (m.type === 'text') {
      texts += ((m.content || '').match(/flood message \d+ @\d+/g) || []).length;
    } else if (m.type === 'error') errors++;
  });
  const e = emitted.get(t.id);
  const expected = new Set();
  if (e) for (let i = 1; i < e.items; i += 2) expected.add(String(i));
  const exact = (got) => got.size === expected.size && [...expected].every((i) => got.get(i) === 1);
  perTask.push({
    task: t.id, status: t.status, emitted_commands: e ? e.commands : null, emitted_messages: e ? e.agentMessages : null,
    tool_use: [...use.values()].reduce((a, b) => a + b, 0), tool_result: [...result.values()].reduce((a, b) => a + b, 0),
    text_fragments: texts, error_messages: errors, seq_contiguous: seqOk,
    exact: Boolean(e) && exact(use) && exact(result) && texts === e.agentMessages,
    flood_s: e ? (e.lastMs - e.firstMs) / 1000 : null,
  });
}
const sum = (k) => perTask.reduce((a, r) => a + (r[k] || 0), 0);
const allExact = perTask.length === P.tasks && perTask.every((r) => r.exact && r.seq_contiguous && r.status === 'completed');

// ---- POSTs and latency, from the call log ------------------------------------
const latAll = [], latTool = [], latText = [];
const postsByTask = new Map(), allByTask = new Map();
for (const c of calls) {
  const task = taskIdOf(c);
  if (!task) continue;
  allByTask.set(task, (allByTask.get(task) || 0) + 1);
  if (kindOf(c) !== 'messages' || c.status !== 200 || !c.body) continue;
  postsByTask.set(task, (postsByTask.get(task) || 0) + 1);
  for (const m of c.body.messages || []) {
    if (m.type === 'tool_use' || m.type === 'tool_result') {
      const s = ((m.type === 'tool_use' ? m.input && m.input.command : m.output) || '').match(STAMP);
      if (s) { const l = c.at_ms - Number(s[1]); latAll.push(l); latTool.push(l); }
    } else if (m.type === 'text') {
      for (const f of (m.content || '').matchAll(/flood message \d+ @(\d+)/g)) {
        const l = c.at_ms - Number(f[1]); latAll.push(l); latText.push(l);
      }
    }
  }
}
// POSTs per second of one task: one over the mean spacing of its message
// POSTs, the most in any sliding second, and the smallest gap.
const postTimes = new Map();
for (const c of calls) {
  if (kindOf(c) !== 'messages' || c.status !== 200) continue;
  const t = taskIdOf(c);
  if (!postTimes.has(t)) postTimes.set(t, []);
  postTimes.get(t).push(c.at_ms);
}
const postRates = [], periodicRates = [], windowMax = [], minGaps = [];
for (const times of postTimes.values()) {
  if (times.length < 3) continue;
  postRates.push((times.length - 1) / ((times.at(-1) - times[0]) / 1000));
  // Without the last POST: the final flush at the end of the turn comes on top of the 500 ms rhythm.
  periodicRates.push((times.length - 2) / ((times.at(-2) - times[0]) / 1000));
  let best = 0, lo = 0, gap = Infinity;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
    if (hi > 0) gap = Math.min(gap, times[hi] - times[hi - 1]);
  }
  windowMax.push(best);
  minGaps.push(gap);
}
const allRates = perTask.filter((r) => r.flood_s).map((r) => (allByTask.get(r.task) || 0) / r.flood_s);
const lat = summary(latAll), latT = summary(latTool), latX = summary(latText);
const rate = summary(postRates), rateAll = summary(allRates);
const buckets = [0, 100, 200, 300, 400, 500, 600, 800, 1000, 2000, 5000, Infinity];
const hist = buckets.slice(0, -1).map((lo, i) => {
  const hi = buckets[i + 1];
  const n = latAll.filter((v) => v >= lo && v < hi).length;
  return [`${lo}-${hi === Infinity ? '' : hi} ms`, n, fmt((100 * n) / latAll.length, 1) + ' %'];
});

// ---- CPU and memory ----------------------------------------------------------
const ticks = (s) => s.split(' ').map(Number);
const [du0, ds0, dcu0, dcs0] = ticks(P.daemon_cpu0), [du1, ds1, dcu1, dcs1] = ticks(P.daemon_cpu1);
const [su0, ss0] = ticks(P.server_cpu0), [su1, ss1] = ticks(P.server_cpu1);
const wallS = (P.t1 - P.t0) / 1000;
const cpuS = (a, b) => (b - a) / P.clk_tck;
const daemonCpu = cpuS(du0 + ds0, du1 + ds1), childCpu = cpuS(dcu0 + dcs0, dcu1 + dcs1), serverCpu = cpuS(su0 + ss0, su1 + ss1);
let perf = {};
if (existsSync(`${dir}/perf.csv`)) {
  for (const l of readFileSync(`${dir}/perf.csv`, 'utf8').split('\n')) {
    const f = l.split(',');
    if (f.length > 2 && !l.startsWith('#')) perf[f[2]] = Number(f[0]);
  }
}
// Each second: epoch ms, VmRSS kB, outbox depth.
const seriesRows = existsSync(`${dir}/series.txt`)
  ? readFileSync(`${dir}/series.txt`, 'utf8').split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r[0] >= P.t0 && r[0] <= P.t1) : [];
const series = seriesRows.map((r) => r[1]).filter(Boolean);
const depth = summary(seriesRows.map((r) => r[2]).filter((v) => Number.isFinite(v)));

// The daemon's own view of its requests (/metrics): reports go out one at a
// time, so the summed POST durations over the wall time is how busy that one
// delivery line was.
const requestSeconds = {};
if (existsSync(`${dir}/metrics.txt`)) {
  for (const l of readFileSync(`${dir}/metrics.txt`, 'utf8').split('\n')) {
    const m = l.match(/^multicad_server_request_duration_seconds_(sum|count)\{method="(\w+)",path="([^"]+)"\} (\S+)/);
    if (!m) continue;
    const k = `${m[2]} ${m[3].replace(/.*\/tasks\/[^/]+\//, '.../')}`;
    requestSeconds[k] = requestSeconds[k] || { sum: 0, count: 0 };
    requestSeconds[k][m[1]] += Number(m[4]);
  }
}
const outboxKinds = Object.entries(requestSeconds).filter(([k]) => /(messages|usage|complete|fail)$/.test(k) && k.startsWith('POST'));
const outboxBusyS = outboxKinds.reduce((a, [, v]) => a + v.sum, 0);
const outboxPosts = outboxKinds.reduce((a, [, v]) => a + v.count, 0);

// Latency by when the event was emitted (5 s slices from the first event).
const stamped = [];
for (const c of calls) {
  if (kindOf(c) !== 'messages' || c.status !== 200 || !c.body) continue;
  for (const m of c.body.messages || []) {
    const text = m.type === 'tool_use' ? m.input && m.input.command : m.type === 'tool_result' ? m.output : m.content;
    for (const f of (text || '').matchAll(/@(\d+)/g)) stamped.push([Number(f[1]), c.at_ms - Number(f[1])]);
  }
}
const firstEmit = stamped.reduce((a, x) => Math.min(a, x[0]), Infinity);  // (no spread: 10^5 arguments overflow the stack)
const slices = [];
for (let lo = 0; ; lo += 5) {
  const inSlice = stamped.filter(([t]) => t - firstEmit >= lo * 1000 && t - firstEmit < (lo + 5) * 1000).map((x) => x[1]);
  if (!inSlice.length) break;
  const x = summary(inSlice);
  slices.push([`${lo}-${lo + 5} s`, x.n, fmt(x.p50), fmt(x.p90), fmt(x.p99), fmt(x.max)]);
}
// The ramp: from the last task queued to the last task's start call (tasks
// queued after a poll wait for the next one, up to poll_interval = 3 s).
const starts = calls.filter((c) => kindOf(c) === 'start').map((c) => c.at_ms);
const queuedToLastStart = starts.length ? Math.max(...starts) - P.queued_ms : null;
const startSpread = starts.length ? Math.max(...starts) - Math.min(...starts) : null;
const totalEvents = sum('emitted_commands') + sum('emitted_messages');

console.log(`\n== Load: ${P.tasks} tasks x ${P.rate} events/s x ${P.events / P.rate} s (fake codex, scenario flood; loads ${P.load_start} -> ${P.load_end})` +
  (P.post_delay_ms ? `; the fake server answers message POSTs ${P.post_delay_ms} ms late` : '') + '\n');
console.log(table([
  ['events (all tasks)', 'emitted', 'received', 'exact'],
  ['tool_use (commands)', sum('emitted_commands'), sum('tool_use'), ''],
  ['tool_result (commands)', sum('emitted_commands'), sum('tool_result'), ''],
  ['text fragments (agent messages)', sum('emitted_messages'), sum('text_fragments'), ''],
  ['tasks completed / exact / seq 1..n', P.tasks, `${perTask.filter((r) => r.status === 'completed').length} / ${perTask.filter((r) => r.exact).length} / ${perTask.filter((r) => r.seq_contiguous).length}`, allExact ? 'yes' : 'NO'],
  ['"not forwarded" error messages', 0, sum('error_messages'), ''],
]));
console.log('');
console.log(table([
  ['per task', 'n', 'p50', 'p90', 'p99', 'max'],
  ['message POSTs per s (1 / mean spacing)', rate.n, fmt(rate.p50, 2), fmt(rate.p90, 2), fmt(rate.p99, 2), fmt(rate.max, 2)],
  ['  the same without the final flush', periodicRates.length, ...['p50', 'p90', 'p99', 'max'].map((k) => fmt(summary(periodicRates)[k], 2))],
  ['message POSTs in any 1 s window (max)', windowMax.length, ...['p50', 'p90', 'p99', 'max'].map((k) => fmt(summary(windowMax)[k], 0))],
  ['smallest gap between 2 POSTs ms', minGaps.length, ...['p50', 'p90', 'p99', 'max'].map((k) => fmt(summary(minGaps)[k], 0))],
  ['all requests about the task per s of flood', rateAll.n, fmt(rateAll.p50, 2), fmt(rateAll.p90, 2), fmt(rateAll.p99, 2), fmt(rateAll.max, 2)],
  ['event -> POST latency ms (all)', lat.n, fmt(lat.p50), fmt(lat.p90), fmt(lat.p99), fmt(lat.max)],
  ['  tool_use / tool_result', latT.n, fmt(latT.p50), fmt(latT.p90), fmt(latT.p99), fmt(latT.max)],
  ['  text fragments', latX.n, fmt(latX.p50), fmt(latX.p90), fmt(latX.p99), fmt(latX.max)],
]));
console.log('\nlatency by when the event was emitted (from the first event):');
console.log(table([['emitted', 'events', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], ...slices]));
console.log('\nlatency distribution:');
console.log(table([['bucket', 'events', 'share'], ...hist]));
console.log('');
console.log(table([
  ['CPU over the run', 'seconds', '% of one core', 'what'],
  ['multicad (utime+stime)', fmt(daemonCpu, 2), fmt((100 * daemonCpu) / wallS, 1),
    `${fmt((1e6 * daemonCpu) / totalEvents, 1)} µs per event; perf -i: task-clock ${fmt((perf['task-clock'] || 0) / 1000, 2)} s, ${perf['context-switches'] ?? '-'} context switches`],
  ['fake codexes (reaped children)', fmt(childCpu, 2), fmt((100 * childCpu) / wallS, 1), `${P.tasks} Node processes`],
  ['fake server', fmt(serverCpu, 2), fmt((100 * serverCpu) / wallS, 1), 'Node'],
]));
console.log(`\nwall ${fmt(wallS, 1)} s (first task queued -> all ended, outbox empty); start calls spread over ${fmt(startSpread, 0)} ms, ` +
  `last task queued -> last start ${fmt(queuedToLastStart, 0)} ms (poll interval 3 s)`);
console.log(`multicad peak RSS: VmHWM ${fmt(P.vmhwm_kb / 1024, 1)} MB (VmRSS each second: max ${fmt(Math.max(0, ...series) / 1024, 1)} MB)`);
console.log(`delivery: ${outboxPosts} reports POSTed (up to 4 at once), ${fmt(outboxBusyS, 1)} s waiting on them = ` +
  `${fmt((100 * outboxBusyS) / (4 * wallS), 0)} % of the 4 lanes' time (mean ${fmt((1000 * outboxBusyS) / outboxPosts, 1)} ms each, daemon's view); ` +
  `outbox depth each second: p50 ${fmt(depth.p50, 0)}, max ${fmt(depth.max, 0)}`);
const flushArith = `a flush every 500 ms per task means an event waits U(0, 500) ms for its POST: p50 ~250 ms; ` +
  `p50 <= 100 ms needs a flush at least every 200 ms (5 POSTs/s/task) under a steady stream, against the target of <= 2`;
const targets = {
  events_exact: allExact,
  posts_per_task_per_s_le_2: rate.max <= 2,
  latency_p50_le_100ms: lat.p50 <= 100,
};
console.log(`\ntargets: received == emitted: ${verdict(targets.events_exact)}; POSTs/task/s <= 2: ${verdict(targets.posts_per_task_per_s_le_2)} ` +
  `(max ${fmt(rate.max, 2)}); latency p50 <= 100 ms: ${verdict(targets.latency_p50_le_100ms)} (${fmt(lat.p50)} ms)`);
console.log(`arithmetic: ${flushArith}`);
console.log(JSON.stringify({
  bench: 'load', machine: P.machine, load_start: P.load_start, load_end: P.load_end, tasks: P.tasks, rate: P.rate, events: P.events,
  wall_s: wallS, emitted: { commands: sum('emitted_commands'), agent_messages: sum('emitted_messages') },
  received: { tool_use: sum('tool_use'), tool_result: sum('tool_result'), text_fragments: sum('text_fragments'), error_messages: sum('error_messages') },
  exact: allExact, message_posts_per_task_per_s: rate, all_task_requests_per_task_per_s: rateAll,
  latency_ms: lat, latency_tool_ms: latT, latency_text_ms: latX, latency_histogram: Object.fromEntries(hist.map(([b, n]) => [b, n])),
  cpu_s: { daemon: daemonCpu, fake_codexes: childCpu, fake_server: serverCpu }, daemon_cpu_pct_of_core: (100 * daemonCpu) / wallS,
  message_posts_per_task_per_s_without_final_flush: summary(periodicRates), message_posts_max_in_1s: summary(windowMax), message_post_min_gap_ms: summary(minGaps),
  daemon_cpu_us_per_event: (1e6 * daemonCpu) / totalEvents, perf_no_inherit: perf, daemon_vmhwm_mb: P.vmhwm_kb / 1024,
  start_spread_ms: startSpread, last_queued_to_last_start_ms: queuedToLastStart,
  delivery: { reports: outboxPosts, busy_s: outboxBusyS, busy_pct_of_lanes: (100 * outboxBusyS) / (4 * wallS),
    mean_post_ms: (1000 * outboxBusyS) / outboxPosts, outbox_depth: depth, request_seconds: requestSeconds },
  latency_by_emit_slice: slices, targets,
}));
