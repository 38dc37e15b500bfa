// Self-test of the fake server's user API, issue side (spec agent-toolbox.md
// §3.3-3.5, §4, §5.1-5.11): issue references, get/list/create/update with
// their error strings and task side effects, comments (paging, parents,
// delete), task runs and run messages, and what /_fake/state records.
//   node test/fakes/selftest_user_issues.js     (exit 0 = pass; bounded to 60 s)
'use strict';

const assert = require('node:assert/strict');

const { runSelftest, request } = require('./lib/selftest_kit');
const {
  MEMBER_TOKEN, ISSUE_KEYS, COMMENT_KEYS, TASK_RUN_KEYS, control, startWorld, cli, state, assertHandlerError,
} = require('./lib/user_fixture');

async function checkIssueReferences(kit, w) {
  const api = cli(w);
  const one = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, title: 'Fix <login>',
    description: 'It & breaks', priority: 'high' });
  assert.equal(one.identifier, 'MUL-1');
  const byKey = await api('GET', '/api/issues/MUL-1');
  assert.equal(byKey.status, 200);
  assert.deepEqual(Object.keys(byKey.json), ISSUE_KEYS, 'no reactions/attachments keys while empty');
  assert.ok(byKey.text.includes('Fix \\u003clogin\\u003e') && byKey.text.endsWith('}\n'), 'Go encoding');
  assert.equal(byKey.json.description, 'It & breaks');
  assert.match(byKey.json.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await api('GET', `/api/issues/${one.id}`)).json.number, 1);
  assert.equal((await api('GET', '/api/issues/ANY-1')).json.id, one.id, 'the prefix text is ignored');
  const two = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, title: 'Second' });
  assert.equal((await api('GET', '/api/issues/00000000-0000-0000-0000-000000000002')).json.id, two.id,
    'a UUID whose last group is digits resolves as a number (§12.8)');
  assertHandlerError(await api('GET', '/api/issues/MUL-99'), 404, 'issue not found');
  assertHandlerError(await api('GET', '/api/issues/nonsense'), 404, 'issue not found');
  const foreign = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.otherWs, title: 'Theirs' });
  assertHandlerError(await api('GET', `/api/issues/${foreign.id}`), 404, 'issue not found');
  kit.step('issue get: KEY-n, UUID, prefix ignored, digit-UUID quirk, 404s');
  return { one, two };
}

async function checkList(kit, w) {
  const api = cli(w);
  await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, title: 'Pinned', position: -1,
    status: 'in_progress' });
  const all = (await api('GET', `/api/issues?workspace_id=${w.ws}`)).json;
  assert.equal(all.total, 3);
  assert.deepEqual(all.issues.map((i) => i.title), ['Pinned', 'Second', 'Fix <login>'],
    'position ASC, then newest first');
  assert.ok(all.issues.every((i) => i.description === null), 'lists never carry descriptions');
  const page = (await api('GET', '/api/issues?limit=1&offset=1')).json;
  assert.deepEqual([page.issues.map((i) => i.title), page.total], [['Second'], 3]);
  assert.equal((await api('GET', '/api/issues?limit=abc')).json.issues.length, 3, 'unparseable limit ignored');
  const filtered = (await api('GET', '/api/issues?status=in_progress&priority=none')).json;
  assert.deepEqual([filtered.issues.map((i) => i.title), filtered.total], [['Pinned'], 1]);
  kit.step('issue list: order, filters, limit/offset/total, null descriptions');
}

async function checkCreate(kit, w, parent) {
  const api = cli(w);
  const r = await api('POST', '/api/issues', { title: 'Child', parent_issue_id: parent.id });
  assert.equal(r.status, 201);
  assert.deepEqual([r.json.identifier, r.json.status, r.json.priority, r.json.creator_type, r.json.creator_id],
    ['MUL-4', 'todo', 'none', 'member', w.ownerId]);
  assertHandlerError(await api('POST', '/api/issues', { title: '' }), 400, 'title is required');
  assertHandlerError(await api('POST', '/api/issues', { title: 5 }), 400, 'invalid request body');
  assertHandlerError(await request(w.port, 'POST', '/api/issues', { token: MEMBER_TOKEN,
    headers: { 'X-Workspace-ID': w.ws }, rawBody: '{"title":' }), 400, 'invalid request body');
  assertHandlerError(await api('POST', '/api/issues', { title: 'x', parent_issue_id: '3f0e3c1c-0000-4000-8000-000000000000' }),
    400, 'parent issue not found in this workspace');
  assertHandlerError(await api('POST', '/api/issues', { title: 'x', due_date: '2026-13-01' }), 400,
    'invalid due_date format, expected RFC3339');
  const bad = await api('POST', '/api/issues', { title: 'x', status: 'bogus' });
  assert.equal(bad.status, 500);
  assert.match(bad.json.error, /^failed to create issue: ERROR: .*"issue_status_check" \(SQLSTATE 23514\)$/);
  const projected = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, title: 'P', project_id: 'proj-1' });
  const inherits = await api('POST', '/api/issues', { title: 'Kid', parent_issue_id: projected.id });
  assert.equal(inherits.json.project_id, 'proj-1', 'a child inherits its parent project');
  kit.step('issue create: 201, defaults, creator, every 400/500 string, project inheritance');
}

async function checkAgentAttribution(kit, w) {
  const task = await control(w.port, 'POST', '/_fake/tasks', { workspace_id: w.ws, agent: { name: 'Builder' } });
  const asAgent = cli(w, undefined, { 'X-Agent-ID': task.agent_id, 'X-Task-ID': task.task_id });
  const made = await asAgent('POST', '/api/issues', { title: 'By agent' });
  assert.deepEqual([made.json.creator_type, made.json.creator_id], ['agent', task.agent_id]);
  const otherTask = await control(w.port, 'POST', '/_fake/tasks', { workspace_id: w.ws, agent: { name: 'Other' } });
  const mismatch = cli(w, undefined, { 'X-Agent-ID': task.agent_id, 'X-Task-ID': otherTask.task_id });
  assert.equal((await mismatch('POST', '/api/issues', { title: 'x' })).json.creator_type, 'member',
    'a task of another agent falls back to member silently');
  const unknown = cli(w, undefined, { 'X-Agent-ID': '3f0e3c1c-0000-4000-8000-000000000000' });
  assert.equal((await unknown('POST', '/api/issues', { title: 'y' })).json.creator_type, 'member');
  const mine = (await asAgent('GET', `/api/issues/${task.issue_id}`)).json;
  assert.deepEqual([mine.status, mine.assignee_type, mine.assignee_id], ['in_progress', 'agent', task.agent_id],
    "a task's new issue is its agent's, in progress");
  const moved = await asAgent('PUT', `/api/issues/${task.issue_id}`, { status: 'in_review' });
  assert.equal(moved.json.status, 'in_review');
  assert.equal((await state(w)).tasks.filter((t) => t.issue_id === task.issue_id).length, 1,
    "the agent's own status change starts nothing");
  const s = await state(w);
  const change = s.status_changes.find((c) => c.issue_id === task.issue_id);
  assert.deepEqual([change.from, change.to, change.actor_type, change.actor_id, change.task_id, change.via],
    ['in_progress', 'in_review', 'agent', task.agent_id, task.task_id, 'api']);
  assert.ok(s.created_issues.some((i) => i.title === 'By agent' && i.creator_type === 'agent'));
  kit.step('actor attribution: X-Agent-ID + X-Task-ID, silent fallbacks; state status_changes/created_issues');
  return task;
}

async function checkUpdate(kit, w, { one, two }) {
  const api = cli(w);
  const upd = await api('PUT', '/api/issues/MUL-1', { title: 'Renamed', description: null, due_date: '2026-05-01T10:00:00+02:00' });
  assert.deepEqual([upd.json.title, upd.json.description, upd.json.priority, upd.json.due_date],
    ['Renamed', null, 'high', '2026-05-01T08:00:00Z'], 'absent fields keep, null clears');
  assert.equal((await api('PUT', '/api/issues/MUL-1', { due_date: null })).json.due_date, null);
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { parent_issue_id: one.id }), 400, 'an issue cannot be its own parent');
  await api('PUT', '/api/issues/MUL-2', { parent_issue_id: one.id });
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { parent_issue_id: two.id }), 400, 'circular parent relationship detected');
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { parent_issue_id: 'nope' }), 400, 'parent issue not found in this workspace');
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { due_date: 'tomorrow' }), 400, 'invalid due_date format, expected RFC3339');
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', 'not an object'), 400, 'invalid request body');
  const bad = await api('PUT', '/api/issues/MUL-1', { priority: 'meh' });
  assert.equal(bad.status, 500);
  assert.match(bad.json.error, /^failed to update issue: ERROR: .*"issue_priority_check"/);
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { assignee_type: 'agent', assignee_id: 'x' }), 403, 'agent not found');
  const archived = await control(w.port, 'POST', '/_fake/agents', { workspace_id: w.ws, name: 'Old', archived: true });
  assertHandlerError(await api('PUT', '/api/issues/MUL-1', { assignee_type: 'agent', assignee_id: archived.id }), 403,
    'cannot assign to archived agent');
  const secret = await control(w.port, 'POST', '/_fake/agents', { workspace_id: w.ws, name: 'Secret', visibility: 'private' });
  assertHandlerError(await cli(w, MEMBER_TOKEN)('PUT', '/api/issues/MUL-1', { assignee_type: 'agent', assignee_id: secret.id }),
    403, 'cannot assign to private agent');
  assert.equal((await api('PUT', '/api/issues/MUL-1', { assignee_type: 'agent', assignee_id: secret.id })).status, 200,
    'a workspace owner may assign a private agent');
  kit.step('issue update: partial/null semantics, parent/due/enum/assignee errors');
}

async function checkTaskSideEffects(kit, w) {
  const api = cli(w);
  const agent = await control(w.port, 'POST', '/_fake/agents', { workspace_id: w.ws, name: 'Worker' });
  const parked = (await api('POST', '/api/issues', { title: 'Parked', status: 'backlog', priority: 'urgent',
    assignee_type: 'agent', assignee_id: agent.id })).json;
  const tasksOf = async (id) => (await state(w)).tasks.filter((t) => t.issue_id === id);
  assert.equal((await tasksOf(parked.id)).length, 0, 'backlog issues do not start the agent');
  await api('PUT', `/api/issues/${parked.id}`, { status: 'todo' });
  const [queued] = await tasksOf(parked.id);
  assert.deepEqual([queued.status, queued.agent_id, queued.priority], ['queued', agent.id, 4]);
  await api('PUT', `/api/issues/${parked.id}`, { status: 'cancelled' });
  assert.equal((await tasksOf(parked.id))[0].status, 'cancelled', 'cancelling the issue cancels its tasks');
  const live = (await api('POST', '/api/issues', { title: 'Live', assignee_type: 'agent', assignee_id: agent.id })).json;
  assert.equal((await tasksOf(live.id)).length, 1, 'creating an agent-assigned issue starts the agent');
  await api('PUT', `/api/issues/${live.id}`, { assignee_type: 'member', assignee_id: w.ownerId });
  assert.deepEqual((await tasksOf(live.id)).map((t) => t.status), ['cancelled'], 'reassignment cancels');
  kit.step('side effects: backlog parks, leaving backlog/creating enqueues, cancel and reassign cancel');
  return { agent, live };
}

async function checkComments(kit, w, issue) {
  const api = cli(w);
  const old = await control(w.port, 'POST', '/_fake/comments', { issue_id: issue.id, content: 'first',
    created_at: '2020-01-01T00:00:00Z' });
  const added = await api('POST', `/api/issues/${issue.id}/comments`, { content: 'second', parent_id: old.id });
  assert.equal(added.status, 201);
  assert.deepEqual(Object.keys(added.json), COMMENT_KEYS);
  assert.deepEqual([added.json.parent_id, added.json.reactions, added.json.attachments], [old.id, [], []]);
  await api('POST', `/api/issues/${issue.id}/comments`, { content: 'third' });
  const all = await api('GET', `/api/issues/${issue.id}/comments`);
  assert.deepEqual(all.json.map((c) => c.content), ['first', 'second', 'third']);
  assert.equal(all.headers['x-total-count'], undefined, 'no parameters, no X-Total-Count');
  const first = await api('GET', `/api/issues/${issue.id}/comments?limit=1`);
  assert.deepEqual([first.json.map((c) => c.content), first.headers['x-total-count']], [['first'], '3'],
    'pages come from the oldest end');
  const since = await api('GET', `/api/issues/${issue.id}/comments?since=2021-01-01T00:00:00Z&offset=1`);
  assert.deepEqual([since.json.map((c) => c.content), since.headers['x-total-count']], [['third'], '3'],
    'since filters, X-Total-Count does not');
  for (const [query, message] of [['limit=0', 'invalid limit parameter'], ['limit=x', 'invalid limit parameter'],
    ['offset=-1', 'invalid offset parameter'], ['since=yesterday', 'invalid since parameter; expected RFC3339 format']]) {
    assertHandlerError(await api('GET', `/api/issues/${issue.id}/comments?${query}`), 400, message);
  }
  kit.step('comment list: oldest-first paging, since, X-Total-Count, 400 strings');
  return old;
}

async function checkCommentWrites(kit, w, issue, parent, agent) {
  const api = cli(w);
  const path = `/api/issues/${issue.id}/comments`;
  assertHandlerError(await api('POST', path, { content: '' }), 400, 'content is required');
  assertHandlerError(await api('POST', path, { content: 3 }), 400, 'invalid request body');
  assertHandlerError(await api('POST', path, { content: 'x', parent_id: '3f0e3c1c-0000-4000-8000-000000000000' }),
    400, 'invalid parent comment');
  const key = (await api('GET', `/api/issues/${issue.id}`)).json.identifier;
  assertHandlerError(await api('POST', `/api/issues/${key}/comments`, { content: 'x', parent_id: parent.id }),
    400, 'invalid parent comment'); // the parent's issue_id is compared with the path text (§5.4)
  await api('PUT', `/api/issues/${issue.id}`, { assignee_type: 'agent', assignee_id: agent.id });
  const tasks = (await state(w)).tasks.filter((t) => t.issue_id === issue.id && t.status === 'queued');
  assert.equal(tasks.length, 1);
  const started = tasks[0];
  await control(w.port, 'POST', `/_fake/tasks/${started.id}/cancel`);
  const asAgent = cli(w, undefined, { 'X-Agent-ID': agent.id, 'X-Task-ID': started.id });
  const reply = (await asAgent('POST', path, { content: 'done', parent_id: parent.id })).json;
  assert.deepEqual([reply.author_type, reply.author_id], ['agent', agent.id]);
  assert.equal((await state(w)).tasks.filter((t) => t.issue_id === issue.id && t.status === 'queued').length, 0,
    "an agent's comment never starts the agent");
  const asked = (await api('POST', path, { content: 'please redo' })).json;
  const again = (await state(w)).tasks.find((t) => t.issue_id === issue.id && t.status === 'queued');
  assert.equal(again.trigger_comment_id, asked.id, "a member's comment starts the assigned agent");
  const s = await state(w);
  const stored = s.comments.find((c) => c.id === reply.id);
  assert.deepEqual([stored.author_agent_id, stored.task_id, stored.parent_comment_id], [agent.id, started.id, parent.id]);

  assert.equal((await cli(w, MEMBER_TOKEN)('DELETE', `/api/comments/${asked.id}`)).text,
    '{"error":"only comment author or admin can delete"}\n');
  const gone = await api('DELETE', `/api/comments/${parent.id}`);
  assert.deepEqual([gone.status, gone.text, gone.headers['content-type']], [204, '', undefined]);
  assertHandlerError(await api('DELETE', `/api/comments/${parent.id}`), 404, 'comment not found');
  const left = (await api('GET', path)).json.map((c) => c.id);
  assert.ok(!left.includes(reply.id), 'replies go with their parent');
  assert.equal((await state(w)).deleted_comments[0].id, parent.id);
  kit.step('comment add/delete: errors, KEY-path parent quirk, agent vs member triggers, 204/403/404');
  return again;
}

async function checkRunsAndMessages(kit, w, task) {
  const api = cli(w);
  const runs = (await api('GET', `/api/issues/${task.issue_id}/task-runs`)).json;
  assert.ok(runs.length >= 2);
  assert.deepEqual(Object.keys(runs[0]), [...TASK_RUN_KEYS, 'trigger_comment_id'], 'newest first, trigger set');
  assert.deepEqual(Object.keys(runs[runs.length - 1]), TASK_RUN_KEYS, 'trigger_comment_id only when set');
  assert.ok(runs.every((r) => r.workspace_id === ''));
  const messages = [{ seq: 1, type: 'text', content: 'a' }, { seq: 2, type: 'tool_use', tool: 'exec', input: { cmd: 'ls' } }];
  await api('POST', `/api/daemon/tasks/${task.id}/messages`, { messages });
  const listed = await api('GET', `/api/daemon/tasks/${task.id}/messages?since=1`);
  assert.deepEqual(listed.json, [{ task_id: task.id, issue_id: task.issue_id, seq: 2, type: 'tool_use', tool: 'exec',
    input: { cmd: 'ls' } }]);
  assertHandlerError(await api('GET', `/api/daemon/tasks/${task.id}/messages?since=x`), 400, 'invalid since parameter');
  kit.step('task runs (newest first, workspace_id ""), run messages since');
}

runSelftest('selftest_user_issues', async (kit) => {
  const w = await startWorld(kit);
  const issues = await checkIssueReferences(kit, w);
  await checkList(kit, w);
  await checkCreate(kit, w, issues.one);
  await checkAgentAttribution(kit, w);
  await checkUpdate(kit, w, issues);
  const { agent, live } = await checkTaskSideEffects(kit, w);
  const parent = await checkComments(kit, w, live);
  const task = await checkCommentWrites(kit, w, live, parent, agent);
  await checkRunsAndMessages(kit, w, task);
});
