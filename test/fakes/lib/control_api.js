// The fake server's control API under /_fake/ (no auth, JSON in and out),
// used by tests to set up workspaces, tokens and tasks, to drive server-side
// events (cancel, fail, issue changes, pings, updates, sweeper), to inject
// faults, and to inspect state and the recorded calls. See README.md.
'use strict';

const { ApiError } = require('./server_model');
const { rfc3339Seconds } = require('./wire');
const { messageView, runtimeView } = require('./server_views');
const reply = require('./http_reply');

// Each handler: (ctx {model, faults, calls}, params, body) -> JSON value.
const CONTROL_ROUTES = [
  ['POST', '/_fake/reset', (c) => {
    c.model.reset();
    c.faults.clear();
    c.calls.clear();
    return {};
  }],
  ['POST', '/_fake/workspaces', (c, _, b) => ({ id: c.model.addWorkspace(b).id })],
  ['POST', '/_fake/tokens', (c, _, b) => {
    if (typeof b.token !== 'string' || !b.token) throw new ApiError(400, 'token is required');
    c.model.setToken(b.token, Array.isArray(b.workspace_ids) ? b.workspace_ids : []);
    return {};
  }],
  ['POST', '/_fake/tasks', (c, _, b) => c.model.createTask(b)],
  ['POST', '/_fake/tasks/:id/cancel', (c, a) => ({ status: c.model.cancelTask(a.id).status })],
  ['POST', '/_fake/tasks/:id/fail', (c, a, b) => ({
    status: c.model.controlFailTask(a.id, typeof b.error === 'string' ? b.error : 'task timed out').status,
  })],
  ['DELETE', '/_fake/tasks/:id', (c, a) => {
    c.model.dropTask(a.id);
    return {};
  }],
  ['POST', '/_fake/issues/:id', (c, a, b) => {
    const issue = c.model.setIssue(a.id, b);
    return { id: issue.id, status: issue.status, updated_at: issue.updated_at };
  }],
  ['DELETE', '/_fake/issues/:id', (c, a) => {
    c.model.deleteIssue(a.id);
    return {};
  }],
  ['DELETE', '/_fake/runtimes/:id', (c, a) => {
    c.model.deleteRuntime(a.id);
    return {};
  }],
  ['POST', '/_fake/pings', (c, _, b) => ({ id: c.model.addPing(b.runtime_id).id })],
  ['POST', '/_fake/updates', (c, _, b) => ({ id: c.model.addUpdate(b.runtime_id, b.target_version).id })],
  ['POST', '/_fake/faults', (c, _, b) => {
    try {
      return { id: c.faults.add(b).id };
    } catch (e) {
      throw new ApiError(400, e.message);
    }
  }],
  ['GET', '/_fake/faults', (c) => c.faults.list()],
  ['DELETE', '/_fake/faults', (c) => {
    c.faults.clear();
    return {};
  }],
  ['POST', '/_fake/expire', (c, _, b) => c.model.sweep(
    Number.isFinite(b.advance_s) ? b.advance_s * 1000 : 0, Array.isArray(b.runtime_ids) ? b.runtime_ids : null)],
  ['GET', '/_fake/state', (c) => stateView(c.model)],
  ['GET', '/_fake/calls', (c) => c.calls.list()],
  ['DELETE', '/_fake/calls', (c) => {
    c.calls.clear();
    return {};
  }],
];

const router = new reply.Router();
for (const [method, pattern, handler] of CONTROL_ROUTES) router.add(method, pattern, { handler });

function handleControl(ctx, method, url, bodyText) {
  const found = router.match(method, url.pathname);
  if (!found) return reply.handlerError(404, `no control route ${method} ${url.pathname}`);
  if (found.allowed) return reply.methodNotAllowed(found.allowed);
  let body;
  try {
    body = bodyText.trim() ? JSON.parse(bodyText) : {};
  } catch (e) {
    return reply.handlerError(400, `invalid JSON: ${e.message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return reply.handlerError(400, 'body must be a JSON object');
  }
  try {
    return reply.jsonReply(200, found.route.handler(ctx, found.params, body));
  } catch (e) {
    if (e instanceof ApiError) return reply.handlerError(e.status, e.message);
    return reply.handlerError(500, e.stack || String(e));
  }
}

function stateView(model) {
  const byTask = (map, view) => Object.fromEntries([...map].map(([id, list]) => [id, list.map(view)]));
  return {
    workspaces: [...model.workspaces.values()].map((w) => ({ id: w.id, name: w.name, repos: w.repos })),
    runtimes: [...model.runtimes.values()].map(runtimeStateView),
    agents: [...model.agents.values()].map(({ workspace_id, ...a }) => ({ ...a, workspace_id })),
    tasks: [...model.tasks.values()].sort((a, b) => a.seq - b.seq)
      .map((t) => taskStateView(t, model.taskWorkspaceId(t))),
    messages: byTask(model.messages, messageView),
    usage: byTask(model.usage, (u) => u),
    progress: byTask(model.progress, (p) => p),
    comments: model.comments,
    chat_sessions: [...model.chatSessions.values()],
    pings: [...model.pings.values()].map((p) => ({ id: p.id, runtime_id: p.runtime_id, status: model.pingStatus(p),
      output: p.output, error: p.error, duration_ms: p.duration_ms })),
    updates: [...model.updates.values()].map((u) => ({ id: u.id, runtime_id: u.runtime_id,
      target_version: u.target_version, status: model.updateStatus(u), output: u.output, error: u.error })),
    issues: [...model.issues.values()].map((i) => ({ id: i.id, workspace_id: i.workspace_id, status: i.status,
      updated_at: i.updated_at })),
  };
}

function runtimeStateView(rt) {
  const v = runtimeView(rt);
  return { id: v.id, workspace_id: v.workspace_id, daemon_id: v.daemon_id, provider: v.provider, name: v.name,
    version: rt.metadata.version, status: v.status, last_seen_at: v.last_seen_at, device_info: v.device_info,
    metadata: v.metadata, owner_id: v.owner_id };
}

function taskStateView(t, workspaceId) {
  return {
    id: t.id, status: t.status, agent_id: t.agent_id, issue_id: t.issue_id, runtime_id: t.runtime_id,
    workspace_id: workspaceId, chat_session_id: t.chat_session_id || null, priority: t.priority, result: t.result,
    error: t.error, session_id: t.session_id, work_dir: t.work_dir, created_at: rfc3339Seconds(t.createdMs),
    dispatched_at: rfc3339Seconds(t.dispatchedMs), started_at: rfc3339Seconds(t.startedMs),
    completed_at: rfc3339Seconds(t.completedMs),
  };
}

module.exports = { handleControl };
