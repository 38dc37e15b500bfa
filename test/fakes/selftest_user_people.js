// Self-test of the fake server's user API, around the issues (spec
// agent-toolbox.md §3.1-3.2, §4, §5.12-5.16): authentication and workspace
// selection errors, workspaces and members, agents (archived, env
// redaction), attachments and their download URL, multipart uploads,
// search, faults on the new routes, and the recorded calls.
//   node test/fakes/selftest_user_people.js     (exit 0 = pass; bounded to 60 s)
'use strict';

const assert = require('node:assert/strict');
const http = require('node:http');

const { runSelftest, request } = require('./lib/selftest_kit');
const {
  OWNER_TOKEN, MEMBER_TOKEN, STRANGER_TOKEN, ISSUE_KEYS, ATTACHMENT_KEYS, AGENT_KEYS, control, startWorld, cli, state,
  assertHandlerError,
} = require('./lib/user_fixture');

function assertMiddlewareError(r, status, message) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, `{"error":"${message}"}`, 'middleware errors have no trailing newline');
  assert.equal(r.headers['content-type'], 'application/json');
}

async function checkAuth(kit, w) {
  for (const [headers, message] of [[{}, 'missing authorization'], [{ Authorization: 'Token x' }, 'missing authorization'],
    [{ Authorization: 'Bearer mul_unknown' }, 'invalid token'], [{ Authorization: 'Bearer mdt_0000' }, 'invalid token']]) {
    const r = await request(w.port, 'GET', '/api/issues/MUL-1', { headers: { ...headers, 'X-Workspace-ID': w.ws } });
    assert.equal(r.status, 401);
    assert.equal(r.text, `{"error":"${message}"}\n`);
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  }
  const noWs = await request(w.port, 'GET', '/api/agents', { token: OWNER_TOKEN });
  assertMiddlewareError(noWs, 400, 'workspace_id or workspace_slug is required');
  const get = (path, headers) => request(w.port, 'GET', path, { token: OWNER_TOKEN, headers });
  assertMiddlewareError(await get(`/api/agents?workspace_id=${w.otherWs}`), 404, 'workspace not found');
  assertMiddlewareError(await get('/api/agents?workspace_id=not-a-uuid'), 404, 'workspace not found');
  assertMiddlewareError(await get('/api/agents?workspace_slug=nope'), 404, 'workspace not found');
  assert.equal((await get('/api/agents?workspace_slug=multica')).status, 200);
  assert.equal((await get('/api/agents', { 'X-Workspace-Slug': 'multica' })).status, 200);
  assert.equal((await get(`/api/agents?workspace_slug=multica&workspace_id=${w.otherWs}`)).status, 200,
    'the slug wins over the id');
  assert.equal((await get('/api/agents', { 'X-Workspace-ID': w.ws })).status, 200);
  assertMiddlewareError(await get(`/api/workspaces/${w.otherWs}`), 404, 'workspace not found');
  assertMiddlewareError(await get('/api/workspaces/x/members'), 404, 'workspace not found');
  const wrongMethod = await request(w.port, 'DELETE', '/api/issues', { token: OWNER_TOKEN });
  assert.deepEqual([wrongMethod.status, wrongMethod.headers.allow], [405, 'GET, POST']);
  kit.step('401 text/plain, workspace selection 400/404 (no newline), slug priority, 405');
}

async function checkWorkspace(kit, w) {
  const api = cli(w, MEMBER_TOKEN);
  const ws = (await api('GET', `/api/workspaces/${w.ws}`)).json;
  assert.deepEqual(Object.keys(ws), ['id', 'name', 'slug', 'description', 'context', 'settings', 'repos',
    'issue_prefix', 'created_at', 'updated_at']);
  assert.deepEqual([ws.slug, ws.issue_prefix, ws.repos, ws.settings], ['multica', 'MUL', [], {}]);
  const members = (await api('GET', `/api/workspaces/${w.ws}/members`)).json;
  assert.deepEqual(members.map((m) => [m.user_id, m.role, m.name, m.email, m.avatar_url]), [
    [w.ownerId, 'owner', 'Olivia Owner', 'olivia@example.test', null],
    [w.memberId, 'member', 'Max Member', 'max@example.test', null]], 'ordered by membership creation');
  assert.deepEqual(Object.keys(members[0]), ['id', 'workspace_id', 'user_id', 'role', 'created_at', 'name', 'email',
    'avatar_url']);
  const dup = await request(w.port, 'POST', '/_fake/members', { body: { workspace_id: w.ws, user_id: w.memberId } });
  assert.equal(dup.status, 409);
  kit.step('workspace get and members (shapes, order, roles)');
}

async function checkAgents(kit, w) {
  const env = { API_KEY: 'secret' };
  const mine = await control(w.port, 'POST', '/_fake/agents', { workspace_id: w.ws, name: 'Reviewer',
    description: 'reviews', custom_env: env, skills: [{ name: 'lint', description: 'Lints', content: 'body' }] });
  assert.equal(mine.runtime_id, w.runtimeId, 'bound to the workspace runtime');
  await control(w.port, 'POST', '/_fake/agents', { workspace_id: w.ws, name: 'Retired', archived: true });
  const asOwner = (await cli(w)('GET', `/api/agents?workspace_id=${w.ws}`)).json;
  assert.deepEqual(asOwner.map((a) => a.name), ['Reviewer']);
  assert.deepEqual(Object.keys(asOwner[0]), AGENT_KEYS);
  assert.deepEqual([asOwner[0].custom_env, asOwner[0].custom_env_redacted, asOwner[0].runtime_mode], [env, false, 'local']);
  assert.deepEqual(asOwner[0].skills, [{ id: asOwner[0].skills[0].id, workspace_id: '', name: 'lint',
    description: 'Lints', content: '', config: null, created_by: null, created_at: '', updated_at: '' }]);
  const all = (await cli(w)('GET', '/api/agents?include_archived=true')).json;
  assert.deepEqual(all.map((a) => [a.name, a.archived_at !== null]), [['Reviewer', false], ['Retired', true]]);
  const asMember = (await cli(w, MEMBER_TOKEN)('GET', `/api/agents/${mine.id}`)).json;
  assert.deepEqual([asMember.custom_env, asMember.custom_env_redacted], [{ API_KEY: '****' }, true]);
  assertHandlerError(await cli(w)('GET', '/api/agents/3f0e3c1c-0000-4000-8000-000000000000'), 404, 'agent not found');
  kit.step('agents: list order, archived, skills shape, env redaction, get, 404');
}

function fetchRaw(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, data: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function checkAttachments(kit, w, issue) {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
  const att = await control(w.port, 'POST', '/_fake/attachments', { issue_id: issue.id, filename: 'shot.png',
    content_base64: bytes.toString('base64') });
  const got = (await cli(w)('GET', `/api/attachments/${att.id}`)).json;
  assert.deepEqual(Object.keys(got), ATTACHMENT_KEYS);
  assert.deepEqual([got.content_type, got.size_bytes, got.comment_id, got.download_url],
    ['image/png', 12, null, got.url]);
  assert.match(got.url, new RegExp(`^http://127\\.0\\.0\\.1:${w.port}/uploads/workspaces/${w.ws}/${att.id}\\.png$`));
  const download = await fetchRaw(got.download_url);
  assert.deepEqual([download.status, download.data.equals(bytes)], [200, true], 'served without credentials');
  assert.equal((await fetchRaw(`http://127.0.0.1:${w.port}/uploads/nothing`)).status, 404);
  const withFile = (await cli(w)('GET', `/api/issues/${issue.id}`)).json;
  assert.deepEqual(Object.keys(withFile), [...ISSUE_KEYS, 'attachments']);
  assert.equal(withFile.attachments[0].id, att.id);
  assertHandlerError(await cli(w)('GET', '/api/attachments/3f0e3c1c-0000-4000-8000-000000000000'), 404,
    'attachment not found');
  const foreign = await control(w.port, 'POST', '/_fake/attachments', { workspace_id: w.otherWs, filename: 'a.txt' });
  assertHandlerError(await cli(w)('GET', `/api/attachments/${foreign.id}`), 404, 'attachment not found');
  const relative = await control(w.port, 'POST', '/_fake/attachments', { issue_id: issue.id, filename: 'r.txt',
    content: 'x', relative_url: true });
  assert.match(relative.download_url, /^\/uploads\/workspaces\//);
  kit.step('attachments: shape, sniffed type, download URL served, issue attachments, 404s, relative URL');
}

function multipart(fields, file) {
  const boundary = 'fakeBoundary123';
  const parts = Object.entries(fields).map(([k, v]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${file.content}\r\n`);
  }
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

async function checkUpload(kit, w, issue, agentTask) {
  const upload = (form, token = OWNER_TOKEN, headers = { 'X-Workspace-ID': w.ws }) => request(w.port, 'POST',
    '/api/upload-file', { token, rawBody: form.body, headers: { ...headers, 'Content-Type': form.type } });
  const asAgent = { 'X-Workspace-ID': w.ws, 'X-Agent-ID': agentTask.agent_id, 'X-Task-ID': agentTask.task_id };
  const r = await upload(multipart({ issue_id: 'MUL-1' }, { name: 'notes.txt', content: 'hello <world>' }), OWNER_TOKEN,
    asAgent);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.issue_id, r.json.filename, r.json.content_type, r.json.size_bytes, r.json.uploader_type],
    [issue.id, 'notes.txt', 'text/plain; charset=utf-8', 13, 'agent']);
  assert.equal((await fetchRaw(r.json.download_url)).data.toString(), 'hello <world>');
  const comment = await cli(w)('POST', `/api/issues/${issue.id}/comments`, { content: 'see file',
    attachment_ids: [r.json.id] });
  assert.deepEqual(comment.json.attachments.map((a) => [a.id, a.comment_id]), [[r.json.id, comment.json.id]]);
  assertHandlerError(await upload(multipart({ issue_id: 'MUL-1' })), 400, 'missing file field: http: no such file');
  assertHandlerError(await request(w.port, 'POST', '/api/upload-file', { token: OWNER_TOKEN, body: {} }), 400,
    'file too large or invalid multipart form');
  const file = { name: 'a.txt', content: 'x' };
  assertHandlerError(await upload(multipart({}, file), OWNER_TOKEN, { 'X-Workspace-ID': w.otherWs }), 403,
    'not a member of this workspace');
  assertHandlerError(await upload(multipart({ issue_id: 'junk' }, file)), 400, 'invalid issue_id');
  const foreign = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.otherWs, title: 'x' });
  assertHandlerError(await upload(multipart({ issue_id: foreign.id }, file)), 403, 'invalid issue_id');
  const call = (await control(w.port, 'GET', '/_fake/calls')).find((c) => c.path === '/api/upload-file' && c.status === 200);
  assert.deepEqual(call.form, { fields: { issue_id: 'MUL-1' },
    files: [{ field: 'file', filename: 'notes.txt', content_type: 'application/octet-stream', size: 13 }] });
  kit.step('upload-file: multipart, KEY issue_id, agent uploader, comment linking, 400/403 strings, call form');
}

async function checkSearch(kit, w) {
  const api = cli(w);
  const mk = (fields) => control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, ...fields });
  await mk({ title: 'Flaky login test', status: 'todo' });
  await mk({ title: 'Other', description: 'the login page is slow', status: 'todo' });
  await mk({ title: 'Closed login work', status: 'done' });
  const r = (await api('GET', '/api/issues/search?q=LOGIN&limit=5')).json;
  assert.deepEqual(r.issues.map((i) => [i.title, i.match_source]), [['Other', 'description'],
    ['Flaky login test', 'title']]);
  assert.equal(r.issues[0].matched_snippet, 'the login page is slow');
  assert.equal(r.total, 2);
  const closed = (await api('GET', '/api/issues/search?q=login&include_closed=true')).json;
  assert.equal(closed.total, 3);
  assertHandlerError(await api('GET', '/api/issues/search?q=%20'), 400, 'q is required');
  kit.step('issue search: sources, snippet, closed issues, q required');
}

async function checkFaultsAndCalls(kit, w) {
  await control(w.port, 'DELETE', '/_fake/calls');
  await control(w.port, 'POST', '/_fake/faults', { method: 'GET', path: '^/api/issues/[^/]+$', mode: 'status',
    status: 502, body: 'bad gateway' });
  const api = cli(w, STRANGER_TOKEN, { 'X-Agent-ID': 'agent-x', 'X-Task-ID': 'task-y' });
  const faulted = await api('GET', '/api/issues/MUL-1');
  assert.deepEqual([faulted.status, faulted.text], [502, 'bad gateway']);
  assert.equal((await cli(w)('GET', '/api/issues/MUL-1')).status, 200, 'fault consumed once');
  await control(w.port, 'POST', '/_fake/faults', { path: '^/uploads/', mode: 'close' });
  const s = await state(w);
  await assert.rejects(fetchRaw(s.attachments[0].download_url), 'downloads obey faults too');
  const calls = await control(w.port, 'GET', '/_fake/calls');
  assert.deepEqual(calls[0].headers, { authorization: `Bearer ${STRANGER_TOKEN}`, 'x-workspace-id': w.ws,
    'x-agent-id': 'agent-x', 'x-task-id': 'task-y' });
  assert.deepEqual([calls[0].status, calls[1].status], [502, 200]);
  assert.equal(calls[2].path.startsWith('/uploads/'), true);
  kit.step('faults apply to user routes and downloads; calls record token and context headers');
}

runSelftest('selftest_user_people', async (kit) => {
  const w = await startWorld(kit);
  const issue = await control(w.port, 'POST', '/_fake/issues', { workspace_id: w.ws, title: 'Base' });
  await checkAuth(kit, w);
  await checkWorkspace(kit, w);
  await checkAgents(kit, w);
  await checkAttachments(kit, w, issue);
  const agentTask = await control(w.port, 'POST', '/_fake/tasks', { workspace_id: w.ws, agent: { name: 'Uploader' } });
  await checkUpload(kit, w, issue, agentTask);
  await checkSearch(kit, w);
  await checkFaultsAndCalls(kit, w);
});
