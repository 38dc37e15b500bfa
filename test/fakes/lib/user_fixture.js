// Shared set-up of the user-API self-tests: a fake server with a workspace,
// its owner's token and a registered runtime, and small clients for the user
// API (as the multica CLI sends it) and the control API.
'use strict';

const assert = require('node:assert/strict');

const { startListening, request } = require('./selftest_kit');

const OWNER_TOKEN = 'mul_00000000000000000000000000000000000000aa';
const MEMBER_TOKEN = 'mul_00000000000000000000000000000000000000bb';
const STRANGER_TOKEN = 'mul_00000000000000000000000000000000000000cc';

// §4 key orders (the server's; the CLI re-sorts them).
const ISSUE_KEYS = ['id', 'workspace_id', 'number', 'identifier', 'title', 'description', 'status', 'priority',
  'assignee_type', 'assignee_id', 'creator_type', 'creator_id', 'parent_issue_id', 'project_id', 'position',
  'due_date', 'created_at', 'updated_at'];
const COMMENT_KEYS = ['id', 'issue_id', 'author_type', 'author_id', 'content', 'type', 'parent_id', 'created_at',
  'updated_at', 'reactions', 'attachments'];
const ATTACHMENT_KEYS = ['id', 'workspace_id', 'issue_id', 'comment_id', 'uploader_type', 'uploader_id', 'filename',
  'url', 'download_url', 'content_type', 'size_bytes', 'created_at'];
const AGENT_KEYS = ['id', 'workspace_id', 'runtime_id', 'name', 'description', 'instructions', 'avatar_url',
  'runtime_mode', 'runtime_config', 'custom_env', 'custom_args', 'custom_env_redacted', 'visibility', 'status',
  'max_concurrent_tasks', 'owner_id', 'skills', 'created_at', 'updated_at', 'archived_at', 'archived_by'];
const TASK_RUN_KEYS = ['id', 'agent_id', 'runtime_id', 'issue_id', 'workspace_id', 'status', 'priority',
  'dispatched_at', 'started_at', 'completed_at', 'result', 'error', 'created_at'];

// A control request that must succeed.
async function control(port, method, path, body) {
  const r = await request(port, method, path, { body });
  assert.ok(r.status === 200, `${method} ${path} -> ${r.status} ${r.text}`);
  return r.json;
}

// Workspace "Multica" (prefix MUL) owned by OWNER_TOKEN's user, a second
// workspace the owner does not belong to, a plain member with MEMBER_TOKEN,
// and a registered codex runtime so tasks can be queued.
async function startWorld(kit) {
  const { port } = await startListening(kit, 'fake_server.js');
  const ws = (await control(port, 'POST', '/_fake/workspaces', { name: 'Multica', slug: 'multica' })).id;
  const otherWs = (await control(port, 'POST', '/_fake/workspaces', { name: 'Elsewhere' })).id;
  const ownerId = (await control(port, 'POST', '/_fake/tokens', { token: OWNER_TOKEN, workspace_ids: [ws],
    user: { name: 'Olivia Owner', email: 'olivia@example.test' } })).user_id;
  await control(port, 'POST', '/_fake/tokens', { token: STRANGER_TOKEN, workspace_ids: [otherWs] });
  const member = await control(port, 'POST', '/_fake/members', { workspace_id: ws, name: 'Max Member',
    email: 'max@example.test', token: MEMBER_TOKEN });
  const reg = await request(port, 'POST', '/api/daemon/register', { token: OWNER_TOKEN, body: {
    workspace_id: ws, daemon_id: 'host', device_name: 'box', cli_version: 'dev',
    runtimes: [{ type: 'codex', name: 'Codex', version: '0.171.0', status: 'online' }] } });
  assert.equal(reg.status, 200, reg.text);
  return { port, ws, otherWs, ownerId, memberId: member.user_id, runtimeId: reg.json.runtimes[0].id };
}

// The CLI's request: bearer token and X-Workspace-ID (plus `headers`).
function cli(world, token = OWNER_TOKEN, headers = {}) {
  return (method, path, body, more = {}) => request(world.port, method, path,
    { token, body, headers: { 'X-Workspace-ID': world.ws, ...headers, ...more } });
}

async function state(world) {
  return control(world.port, 'GET', '/_fake/state');
}

function assertHandlerError(r, status, message) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, `{"error":"${message}"}\n`);
  assert.equal(r.headers['content-type'], 'application/json');
}

module.exports = {
  OWNER_TOKEN, MEMBER_TOKEN, STRANGER_TOKEN, ISSUE_KEYS, COMMENT_KEYS, ATTACHMENT_KEYS, AGENT_KEYS, TASK_RUN_KEYS,
  control, startWorld, cli, state, assertHandlerError,
};
