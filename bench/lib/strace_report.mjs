// Where the daemon's own time goes in a task, from
//   strace -f --seccomp-bpf -ttt -T -e trace=fsync,fdatasync,clone,clone3,execve,sendmsg,sendto,write -o FILE multicad run
// (only the listed syscalls stop the tracee, so the daemon runs near full
// speed) and the runs of bench/overhead.sh's diagnosis pass.
//
//   node strace_report.mjs STRACE_FILE RUNS.jsonl
//
// Per task, with the claim's arrival at the fake server as time 0:
//   claim -> fork       the daemon's work before it spawns Codex, and inside it
//                       the number and total duration of fsync/fdatasync calls
//                       made by daemon threads (task directory files, SQLite)
//   fork -> execve      the child's set-up (fd closing, chdir, setpgid)
//   codex exit -> next daemon send   post-exit work before the first report
// Daemon threads: the pid that exec'd multicad and the threads it made.
import { readFileSync } from 'node:fs';
import { summary } from './stats.mjs';
import { table, fmt } from './table.mjs';

const [straceFile, runsFile] = process.argv.slice(2);
const lines = readFileSync(straceFile, 'utf8').split('\n');
const runs = readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .filter((r) => r.kind === 'daemon' && r.status === 'completed' && r.exec_us && !r.warmup);

const events = [];  // {pid, t (ms), name, dur (ms), ret, text}
const pending = new Map();  // pid -> {name, t}
const execPids = new Set();
const exits = new Map();  // pid -> t
for (const line of lines) {
  const m = line.match(/^(\d+)\s+(\d+\.\d+)\s+(.*)$/);
  if (!m) continue;
  const pid = Number(m[1]), t = Number(m[2]) * 1000, rest = m[3];
  let ex;
  if ((ex = rest.match(/^\+\+\+ (exited|killed)/))) { exits.set(pid, t); continue; }
  if ((ex = rest.match(/^(\w+)\(.*<unfinished \.\.\.>$/))) { pending.set(pid, { name: ex[1], t }); continue; }
  if ((ex = rest.match(/^<\.\.\. (\w+) resumed>.*= (-?\d+).*<(\d+\.\d+)>$/))) {
    const p = pending.get(pid);
    pending.delete(pid);
    events.push({ pid, t: p ? p.t : t, name: ex[1], ret: Number(ex[2]), dur: Number(ex[3]) * 1000, text: rest });
    if (ex[1] === 'execve') execPids.add(pid);
    continue;
  }
  if ((ex = rest.match(/^(\w+)\(.*= (-?\d+).*<(\d+\.\d+)>$/))) {
    events.push({ pid, t, name: ex[1], ret: Number(ex[2]), dur: Number(ex[3]) * 1000, text: rest });
    if (ex[1] === 'execve') execPids.add(pid);
  }
}
// The daemon: the pid that exec'd multicad, and the threads it and they made.
const daemonPids = new Set();
for (const e of events) {
  if (e.name === 'execve' && e.ret === 0 && /multicad"/.test(e.text) && !daemonPids.size) daemonPids.add(e.pid);
  else if (daemonPids.has(e.pid) && /^clone3?$/.test(e.name) && e.ret > 0 && e.text.includes('CLONE_THREAD')) daemonPids.add(e.ret);
}
const daemonEvent = (e) => daemonPids.has(e.pid);

const rows = [];
for (const r of runs) {
  const claim = r.claim_ms, exec = r.exec_us / 1000;
  // The fork that made this task's Codex: the last daemon clone before the exec stamp.
  const fork = events.filter((e) => daemonEvent(e) && /^clone3?$/.test(e.name) && e.ret > 0 && !e.text.includes('CLONE_THREAD') && e.t <= exec && e.t >= claim).at(-1);
  const child = fork ? fork.ret : null;
  const childExec = child ? events.find((e) => e.pid === child && e.name === 'execve') : null;
  const syncs = events.filter((e) => daemonEvent(e) && /^f(data)?sync$/.test(e.name) && e.t >= claim && e.t <= (fork ? fork.t : exec));
  const exitAt = child ? exits.get(child) : undefined;
  const nextSend = exitAt ? events.find((e) => daemonEvent(e) && /^send(msg|to)$/.test(e.name) && e.t > exitAt) : null;
  rows.push({
    claimToFork: fork ? fork.t - claim : null,
    fsyncs: syncs.length,
    fsyncMs: syncs.reduce((a, e) => a + e.dur, 0),
    fsyncMaxMs: syncs.reduce((a, e) => Math.max(a, e.dur), 0),
    forkToExecve: childExec ? childExec.t - fork.t : null,
    execveToStamp: childExec ? exec - childExec.t : null,
    claimToExec: exec - claim,
    exitToSend: nextSend ? nextSend.t - exitAt : null,
  });
}
const s = (k) => summary(rows.map((x) => x[k]).filter((v) => v !== null));
console.log(table([
  ['per task (ms unless a count)', 'n', 'p50', 'p90', 'max'],
  ...['claimToExec', 'claimToFork', 'fsyncs', 'fsyncMs', 'fsyncMaxMs', 'forkToExecve', 'execveToStamp', 'exitToSend']
    .map((k) => { const x = s(k); return [k, x.n, fmt(x.p50, 2), fmt(x.p90, 2), fmt(x.max, 2)]; }),
]));
const out = {};
for (const k of Object.keys(rows[0] || {})) out[k] = s(k);
console.log(JSON.stringify({ strace: out }));
