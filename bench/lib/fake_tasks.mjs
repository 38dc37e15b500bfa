// Server-mode task helpers on the fake Multica server's control API
// (test/fakes/README.md), for the benchmarks. Library and CLI:
//
//   node fake_tasks.mjs run URL WORKSPACE [AGENT_JSON] [TIMEOUT_S]
//       clears the call log, queues one task, waits until it is completed,
//       failed or cancelled, and prints its timeline (see timeline()).
//
// The fake server records every daemon request with its arrival time
// (`at_ms`, epoch ms) in /_fake/calls; that is the server's view of a task.

export async function control(url, method, path, body) {
  const r = await fetch(url + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// What a daemon request was about, from its path.
export function kindOf(call) {
  const p = call.path;
  if (p.endsWith('/tasks/claim')) return 'claim';
  const m = p.match(/\/api\/daemon\/tasks\/[^/]+\/([a-z_]+)$/);
  if (m) return call.method === 'GET' ? `GET ${m[1]}` : m[1];
  if (p.endsWith('/heartbeat')) return 'heartbeat';
  return `${call.method} ${p}`;
}

export function taskIdOf(call) {
  const m = call.path.match(/\/api\/daemon\/tasks\/([^/]+)\//);
  return m ? m[1] : null;
}

// The server's view of one task from the call log: the claim that returned
// it is the last claim before its start call (tasks run one at a time here).
export function timeline(calls, task) {
  const mine = calls.filter((c) => taskIdOf(c) === task.id);
  const start = mine.find((c) => kindOf(c) === 'start');
  const claim = start ? calls.filter((c) => kindOf(c) === 'claim' && c.seq < start.seq).at(-1) : undefined;
  const end = mine.find((c) => kindOf(c) === 'complete' || kindOf(c) === 'fail');
  return {
    task: task.id, status: task.status, error: task.error || null,
    claim_ms: claim ? claim.at_ms : null, claim_done_ms: claim && claim.done_ms ? claim.done_ms : null,
    end_ms: end ? end.at_ms : null, end_done_ms: end && end.done_ms ? end.done_ms : null,
    calls: mine.map((c) => [kindOf(c), c.at_ms]),
  };
}

export async function waitTerminal(url, taskId, timeoutS, pollMs = 250) {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const state = await control(url, 'GET', '/_fake/state');
    const t = state.tasks.find((x) => x.id === taskId);
    if (!t) throw new Error(`task ${taskId} is gone`);
    if (['completed', 'failed', 'cancelled'].includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${t.status} after ${timeoutS} s`);
    await sleep(pollMs);
  }
}

export async function runTask(url, workspace, agent, timeoutS) {
  await control(url, 'DELETE', '/_fake/calls');
  const created_ms = Date.now();
  const { task_id } = await control(url, 'POST', '/_fake/tasks', { workspace_id: workspace, agent });
  // After the claim every call we wait for arrives within the task's own run.
  const t = await waitTerminal(url, task_id, timeoutS);
  await sleep(300);  // the complete call's reply and anything after it
  const calls = await control(url, 'GET', '/_fake/calls');
  return { created_ms, ...timeline(calls, t) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, url, workspace, agentJson, timeoutS] = process.argv.slice(2);
  if (cmd !== 'run') {
    process.stderr.write('usage: fake_tasks.mjs run URL WORKSPACE [AGENT_JSON] [TIMEOUT_S]\n');
    process.exit(2);
  }
  const agent = agentJson ? JSON.parse(agentJson) : { name: 'Bench', instructions: 'Be brief.' };
  runTask(url, workspace, agent, Number(timeoutS || 120)).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e) => { process.stderr.write(`fake_tasks: ${e.message}\n`); process.exit(1); });
}
