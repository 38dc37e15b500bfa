#!/usr/bin/env node
// A protocol tap in front of Codex, to see where a turn's time goes on the
// app-server side: it passes stdin and stdout through unchanged and writes
// one line per JSON-RPC message (epoch ms, its own pid, direction, method or
// reply id; deltas skipped) to $CODEX_TAP_LOG. Codex is $CODEX_TAP_TARGET.
//
//   BENCH_REAL_CODEX=bench/lib/codex_tap.mjs CODEX_TAP_TARGET=.deps/codex/node_modules/.bin/codex \
//     CODEX_TAP_LOG=/tmp/tap.log bench/push_turn.sh
//   node bench/lib/codex_tap.mjs --summary /tmp/tap.log
//
// The summary prints, per app-server process, each request's round trip and
// the turn's milestones in ms since the tap started it. A process behind
// the daemon and one behind bench/bare_client then read side by side: the
// tap adds the same Node hop to both.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

const now = () => (performance.timeOrigin + performance.now()).toFixed(1);

if (process.argv[2] === '--summary') {
  summarize(process.argv[3]);
} else {
  tap(process.argv.slice(2));
}

function tap(args) {
  const log = fs.openSync(process.env.CODEX_TAP_LOG || '/dev/null', 'a');
  const write = (text) => fs.writeSync(log, `${now()} ${process.pid} ${text}\n`);
  const record = (dir, line) => {
    let m = {};
    try {
      m = JSON.parse(line);
    } catch {
      return write(`${dir} (not JSON)`);
    }
    const what = m.method ?? (m.id !== undefined ? `reply#${m.id}` : '?');
    if (what.endsWith('Delta') || what.endsWith('/delta')) return;
    write(`${dir} ${what}${m.method && m.id !== undefined ? `#${m.id}` : ''}`);
  };
  write(`start ${args.join(' ')}`);
  const codex = spawn(process.env.CODEX_TAP_TARGET, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  readline.createInterface({ input: process.stdin })
    .on('line', (l) => { record('>', l); codex.stdin.write(`${l}\n`); })
    .on('close', () => codex.stdin.end());
  readline.createInterface({ input: codex.stdout }).on('line', (l) => { record('<', l); process.stdout.write(`${l}\n`); });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => codex.kill(sig));
  codex.on('exit', (code, signal) => {
    write(`exit ${code ?? signal}`);
    process.exitCode = code ?? 1;
  });
}

function summarize(file) {
  const byPid = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [at, pid, dir, what] = line.split(' ');
    if (!pid) continue;
    if (!byPid.has(pid)) byPid.set(pid, []);
    byPid.get(pid).push({ at: Number(at), dir, what: what ?? '' });
  }
  for (const [pid, rows] of byPid) {
    if (rows[0].dir !== 'start' || !rows[0].what.startsWith('app-server')) continue;
    const t0 = rows[0].at;
    const sent = new Map();
    const out = [];
    for (const r of rows.slice(1)) {
      const ms = Math.round(r.at - t0);
      const id = r.what.split('#')[1];
      if (r.dir === '>' && id !== undefined) sent.set(id, { method: r.what.split('#')[0], at: r.at });
      else if (r.dir === '<' && r.what.startsWith('reply#') && sent.has(id)) {
        const s = sent.get(id);
        out.push(`${s.method} ${Math.round(s.at - t0)}+${Math.round(r.at - s.at)}`);
      } else if (r.dir === 'exit') out.push(`exited ${ms}`);
      else if (['turn/started', 'turn/completed'].includes(r.what)) out.push(`${r.what} ${ms}`);
    }
    console.log(`${pid}: ${out.join(', ')}`);
  }
}
