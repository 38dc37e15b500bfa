// Self-test of fake_server.js: starts it as a child process and walks the
// daemon API (register, claim, start, messages, usage, complete, status), the
// state-machine and auth errors, the claim rules, faults, and the control API.
//   node test/fakes/selftest_fake_server.js     (exit 0 = pass; bounded to 60 s)
'use strict';

const assert = require('node:assert/strict');

const { runSelftest, startListening, request } = require('./lib/selftest_kit');

const TOKEN = 'mul_0123456789abcdef0123456789abcdef01234567';
const NOT_A_UUID = 'not-a-uuid';

async function setUp(port) {
  const ws = (await request(port, 'POST', '/_fake/workspaces', { body: { name: 'Selftest' } })).json.id;
  await request(port, 'POST', '/_fake/tokens', { body: { token: TOKEN, workspace_ids: [ws] } });
  return ws;
}

async function register(port, ws) {
  const r = await request(port, 'POST', '/api/daemon/register', { token: TOKEN, body: {
    workspace_id: ws, daemon_id: 'selftest-host', device_name: 'box', cli_version: 'dev',
    runtimes: [{ type: 'codex', name: 'Codex (box)', version: '0.171.0', status: 'online' }] } });
  assert.equal(r.status, 200, r.text);
  return r.json.runtimes[0].id;
}

async function createTask(port, fields) {
  const r = await request(port, 'POST', '/_fake/tasks', { body: fields });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const daemon = (port, method, path, body) => request(port, method, `/api/daemon${path}`, { token: TOKEN, body });

async function checkAuthAndRouting(kit, port) {
  const health = await request(port, 'GET', '/health');
  assert.equal(health.text, '{"status":"ok"}');
  const missing = await request(port, 'POST', '/api/daemon/heartbeat', { body: {} });
  assert.equal(missing.status, 401);
  assert.equal(missing.text, '{"error":"missing authorization header"}');
  assert.equal(missing.headers['content-type'], 'application/json');
  const format = await request(port, 'POST', '/api/daemon/heartbeat', { headers: { Authorization: 'Token x' }, body: {} });
  assert.equal(format.text, '{"error":"invalid authorization format"}');
  const unknown = await request(port, 'POST', '/api/daemon/heartbeat', { token: 'mul_nope', body: {} });
  assert.equal(unknown.text, '{"error":"invalid token"}');
  const user = await request(port, 'GET', '/api/workspaces');
  assert.equal(user.text, '{"error":"missing authorization"}\n');
  assert.equal(user.headers['content-type'], 'text/plain; charset=utf-8');
  const nowhere = await daemon(port, 'GET', '/nowhere');
  assert.equal(nowhere.status, 404);
  assert.equal(nowhere.text, '404 page not found\n');
  const wrongMethod = await daemon(port, 'GET', '/heartbeat');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.allow, 'POST');
  kit.step('auth errors, router 404/405');
}

async function checkRegistration(kit, port, ws) {
  const early = await request(port, 'POST', '/_fake/tasks', { body: { workspace_id: ws } });
  assert.equal(early.status, 409);
  assert.equal(early.json.error, 'no runtime registered for provider codex in this workspace');
  const runtimeId = await register(port, ws);
  assert.equal(await register(port, ws), runtimeId, 're-registration keeps the runtime id');
  const list = await request(port, 'GET', '/api/workspaces', { token: TOKEN });
  assert.deepEqual(list.json.map((w) => w.id), [ws]);
  const bad = await daemon(port, 'POST', '/register', { workspace_id: ws, runtimes: [] });
  assert.equal(bad.text, '{"error":"daemon_id is required"}\n');
  kit.step('register upsert, workspaces list');
  return runtimeId;
}

async function checkTaskHappyPath(kit, port, ws, runtimeId) {
  const created = await createTask(port, { workspace_id: ws, agent: { name: 'Builder', instructions: 'Fix bugs.',
    custom_env: { CUSTOM_A: '1' }, custom_args: ['--x'] } });
  const claim = await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {});
  const task = claim.json.task;
  assert.equal(task.id, created.task_id);
  assert.equal(task.status, 'dispatched');
  assert.equal(task.workspace_id, ws);
  assert.deepEqual(task.agent, { id: created.agent_id, name: 'Builder', instructions: 'Fix bugs.',
    custom_env: { CUSTOM_A: '1' }, custom_args: ['--x'] });
  assert.equal(task.started_at, null);
  assert.ok(!('repos' in task) && !('prior_session_id' in task) && !('chat_session_id' in task));
  assert.match(task.dispatched_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).text, '{"task":null}\n');

  const early = await daemon(port, 'POST', `/tasks/${task.id}/complete`, { output: 'x' });
  assert.equal(early.status, 400);
  assert.equal(early.text, '{"error":"complete task: no rows in result set"}\n');
  const started = await daemon(port, 'POST', `/tasks/${task.id}/start`, {});
  assert.equal(started.json.status, 'running');
  assert.equal(started.json.workspace_id, '');
  assert.ok(!('agent' in started.json));
  assert.equal((await daemon(port, 'POST', `/tasks/${task.id}/start`, {})).json.error, 'start task: no rows in result set');

  await checkMessagesAndUsage(port, task.id);
  const done = await daemon(port, 'POST', `/tasks/${task.id}/complete`,
    { output: 'all good', session_id: 'sess-1', work_dir: '/w/1' });
  assert.deepEqual(done.json.result, { pr_url: '', output: 'all good', session_id: 'sess-1', work_dir: '/w/1' });
  assert.equal((await daemon(port, 'GET', `/tasks/${task.id}/status`)).json.status, 'completed');
  kit.step('claim -> start -> messages -> usage -> complete -> status');
  return created;
}

async function checkMessagesAndUsage(port, taskId) {
  assert.equal((await daemon(port, 'POST', `/tasks/${NOT_A_UUID}/messages`, { messages: [] })).status, 200);
  const badInput = await daemon(port, 'POST', `/tasks/${taskId}/messages`,
    { messages: [{ seq: 1, type: 'tool_use', input: 'not an object' }] });
  assert.equal(badInput.text, '{"error":"invalid request body"}\n');
  const batch = [{ seq: 1, type: 'text', content: 'hello' }, { seq: 1, type: 'tool_use', tool: 'exec', input: { cmd: 'ls' } }];
  assert.equal((await daemon(port, 'POST', `/tasks/${taskId}/messages`, { messages: batch })).json.status, 'ok');
  const listed = await daemon(port, 'GET', `/tasks/${taskId}/messages?since=0`);
  assert.equal(listed.json.length, 2, 'duplicate seq kept');
  const entry = { provider: 'codex', model: 'm', input_tokens: 10, output_tokens: 2, cache_read_tokens: 1, cache_write_tokens: 0 };
  await daemon(port, 'POST', `/tasks/${taskId}/usage`, { usage: [entry] });
  await daemon(port, 'POST', `/tasks/${taskId}/usage`, { usage: [{ ...entry, input_tokens: 30 }] });
  const state = (await request(port, 'GET', '/_fake/state')).json;
  assert.deepEqual(state.messages[taskId].map((m) => m.type), ['text', 'tool_use']);
  assert.deepEqual(state.usage[taskId].map((u) => u.input_tokens), [30], 'usage replaced, not added');
}

async function checkUnknownIds(kit, port) {
  assert.equal((await daemon(port, 'GET', `/tasks/${NOT_A_UUID}/status`)).text, '{"error":"task not found"}\n');
  assert.equal((await daemon(port, 'POST', `/runtimes/${NOT_A_UUID}/tasks/claim`, {})).json.error, 'runtime not found');
  assert.equal((await daemon(port, 'GET', `/issues/${NOT_A_UUID}/gc-check`)).json.error, 'issue not found');
  kit.step('non-UUID ids are 404');
}

async function checkClaimRules(kit, port, ws, runtimeId, first) {
  const again = await createTask(port, { workspace_id: ws, agent_id: first.agent_id, issue_id: first.issue_id });
  const claimed = (await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).json.task;
  assert.equal(claimed.id, again.task_id);
  assert.equal(claimed.prior_session_id, 'sess-1');
  assert.equal(claimed.prior_work_dir, '/w/1');
  await daemon(port, 'POST', `/tasks/${again.task_id}/start`, {});
  const blocked = await createTask(port, { workspace_id: ws, agent_id: first.agent_id, issue_id: first.issue_id });
  assert.equal((await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).json.task, null,
    'same (agent, issue) is blocked while one is running');
  await daemon(port, 'POST', `/tasks/${again.task_id}/fail`, { error: 'agent failed' });
  assert.equal((await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).json.task.id, blocked.task_id);

  const solo = await createTask(port, { workspace_id: ws, agent: { name: 'Solo', max_concurrent_tasks: 1 } });
  await createTask(port, { workspace_id: ws, agent_id: solo.agent_id });
  assert.equal((await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).json.task.id, solo.task_id);
  assert.equal((await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {})).json.task, null, 'capacity 1');
  kit.step('prior session, (agent, issue) blocking, capacity');
  return solo;
}

async function checkCancelAndDelete(kit, port, ws, solo) {
  await daemon(port, 'POST', `/tasks/${solo.task_id}/start`, {});
  assert.equal((await request(port, 'POST', `/_fake/tasks/${solo.task_id}/cancel`)).json.status, 'cancelled');
  assert.equal((await daemon(port, 'GET', `/tasks/${solo.task_id}/status`)).json.status, 'cancelled');
  assert.equal((await daemon(port, 'POST', `/tasks/${solo.task_id}/complete`, { output: 'x' })).status, 400);
  await request(port, 'DELETE', `/_fake/tasks/${solo.task_id}`);
  assert.equal((await daemon(port, 'GET', `/tasks/${solo.task_id}/status`)).json.error, 'task not found');
  await request(port, 'POST', `/_fake/issues/${solo.issue_id}`, { body: { status: 'done' } });
  assert.equal((await daemon(port, 'GET', `/issues/${solo.issue_id}/gc-check`)).json.status, 'done');
  kit.step('cancel visible via status, delete, gc-check');
}

async function checkFaults(kit, port, ws, runtimeId) {
  await request(port, 'POST', '/_fake/faults', { body: { path: '/heartbeat$', mode: 'status', status: 500, count: 2 } });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await daemon(port, 'POST', '/heartbeat', { runtime_id: runtimeId })).status);
  assert.deepEqual(statuses, [500, 500, 200]);

  const t = await createTask(port, { workspace_id: ws, priority: 4 }); // claimed before older tasks
  await daemon(port, 'POST', `/runtimes/${runtimeId}/tasks/claim`, {});
  await request(port, 'POST', '/_fake/faults', { body: { method: 'POST', path: '/start$', mode: 'close' } });
  await assert.rejects(daemon(port, 'POST', `/tasks/${t.task_id}/start`, {}));
  assert.equal((await daemon(port, 'GET', `/tasks/${t.task_id}/status`)).json.status, 'dispatched', 'close: not performed');
  await request(port, 'POST', '/_fake/faults', { body: { path: '/start$', mode: 'malformed' } });
  const malformed = await daemon(port, 'POST', `/tasks/${t.task_id}/start`, {});
  assert.equal(malformed.status, 200);
  assert.equal(malformed.json, undefined, 'body is not JSON');
  assert.equal((await daemon(port, 'GET', `/tasks/${t.task_id}/status`)).json.status, 'running', 'malformed: performed');

  const ping = (await request(port, 'POST', '/_fake/pings', { body: { runtime_id: runtimeId } })).json.id;
  assert.deepEqual((await daemon(port, 'POST', '/heartbeat', { runtime_id: runtimeId })).json,
    { status: 'ok', pending_ping: { id: ping } });
  assert.deepEqual((await daemon(port, 'POST', '/heartbeat', { runtime_id: runtimeId })).json, { status: 'ok' });
  await daemon(port, 'POST', `/runtimes/${runtimeId}/ping/${ping}/result`, { status: 'completed', output: 'pong', duration_ms: 7 });
  kit.step('faults: status x2, close, malformed; ping handed out once');
}

async function checkCallLog(kit, port) {
  const calls = (await request(port, 'GET', '/_fake/calls')).json;
  assert.ok(calls.length > 20);
  assert.ok(calls.every((c, i) => c.seq === i + 1 && typeof c.at_ms === 'number'));
  const daemonCalls = calls.filter((c) => c.path.startsWith('/api/daemon/') &&
    !(c.method === 'GET' && c.path.endsWith('/messages'))); // the CLI's `issue run-messages` call
  assert.ok(!JSON.stringify(daemonCalls).includes(TOKEN), 'daemon calls never record the token');
  assert.ok(daemonCalls.every((c) => !('headers' in c)));
  const userCall = calls.find((c) => c.path === '/api/workspaces' && c.auth);
  assert.equal(userCall.headers.authorization, `Bearer ${TOKEN}`, 'user API calls record which token was used');
  assert.ok(calls.some((c) => c.auth === false) && calls.some((c) => c.auth === true));
  assert.ok(calls.some((c) => c.path.endsWith('/start') && c.status === 0), 'closed request recorded with 0');
  assert.ok(calls.some((c) => c.path === '/api/daemon/heartbeat' && c.status === 500));
  const register = calls.find((c) => c.path === '/api/daemon/register' && c.status === 200);
  assert.equal(register.body.daemon_id, 'selftest-host');
  const state = (await request(port, 'GET', '/_fake/state')).json;
  for (const key of ['workspaces', 'runtimes', 'tasks', 'messages', 'usage', 'pings', 'updates', 'issues']) {
    assert.ok(key in state, `state has ${key}`);
  }
  assert.deepEqual(state.pings[0], { id: state.pings[0].id, runtime_id: state.runtimes[0].id, status: 'completed',
    output: 'pong', error: null, duration_ms: 7 });
  await request(port, 'POST', '/_fake/reset');
  assert.deepEqual((await request(port, 'GET', '/_fake/state')).json.tasks, []);
  kit.step('calls log and state; reset');
}

runSelftest('selftest_fake_server', async (kit) => {
  const { port } = await startListening(kit, 'fake_server.js');
  const ws = await setUp(port);
  await checkAuthAndRouting(kit, port);
  const runtimeId = await checkRegistration(kit, port, ws);
  const first = await checkTaskHappyPath(kit, port, ws, runtimeId);
  await checkUnknownIds(kit, port);
  const solo = await checkClaimRules(kit, port, ws, runtimeId, first);
  await checkCancelAndDelete(kit, port, ws, solo);
  await checkFaults(kit, port, ws, runtimeId);
  await checkCallLog(kit, port);
});
