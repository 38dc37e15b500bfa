// The fake server's control API under /_fake/ (no auth, JSON in and out),
// used by tests to set up workspaces, tokens and tasks, to drive server-side
// events (cancel, fail, issue changes, pings, updates, sweeper), to inject
// faults, and to inspect state and the recorded calls. See README.md.
'use strict';

const { ApiError } = require('./server_model');
const { stateView, issueStateView, commentStateView } = require('./control_state');
const { agentUserView, attachmentView } = require('./user_views');
const { sniffContentType } = require('./multipart');
const reply = require('./http_reply');

// Each handler: (ctx {model, faults, calls}, params, body, origin) -> JSON
// value; `origin` is the fake's own http(s)://host:port as the client named it.
const CONTROL_ROUTES = [
  ['POST', '/_fake/reset', (c) => {
    c.model.reset();
    c.sockets.reset();
    c.faults.clear();
    c.calls.clear();
    return {};
  }],
  ['POST', '/_fake/workspaces', (c, _, b) => ({ id: c.model.addWorkspace(b).id })],
  ['POST', '/_fake/workspaces/:id/repos', (c, a, b) => {
    const ws = c.model.workspaces.get(a.id);
    if (!ws) throw new ApiError(404, 'workspace not found');
    if (b.repos === undefined) throw new ApiError(400, 'repos is required');
    ws.repos = b.repos; // raw, as stored; read by register, the repos endpoint and claims
    return { id: ws.id };
  }],
  ['POST', '/_fake/tokens', (c, _, b) => {
    if (typeof b.token !== 'string' || !b.token) throw new ApiError(400, 'token is required');
    return { user_id: c.model.setToken(b.token, Array.isArray(b.workspace_ids) ? b.workspace_ids : [], b) };
  }],
  ['POST', '/_fake/members', (c, _, b) => c.model.addMemberControl(b)],
  ['POST', '/_fake/agents', (c, _, b) => agentUserView(c.model.addAgentControl(b), true)],
  ['POST', '/_fake/issues', (c, _, b) => issueStateView(c.model, c.model.addIssueControl(b))],
  ['POST', '/_fake/comments', (c, _, b) => commentStateView(c.model, c.model.addCommentControl(b))],
  ['POST', '/_fake/attachments', (c, _, b, origin) => attachmentView(addAttachment(c.model, b, origin))],
  ['POST', '/_fake/tasks', (c, _, b) => {
    const created = c.model.createTask(b);
    if (created.runtime_id) c.sockets.taskQueued(created.runtime_id, created.task_id);
    return created;
  }],
  ['POST', '/_fake/ws/config', (c, _, b) => c.sockets.configure(b)],
  ['POST', '/_fake/ws/send', (c, _, b) => c.sockets.push(b)],
  ['POST', '/_fake/ws/drop', (c) => c.sockets.drop()],
  ['GET', '/_fake/ws', (c) => c.sockets.view()],
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

// {issue_id?, comment_id?, workspace_id? (else the issue's), filename,
// content | content_base64, content_type? (else sniffed), uploader_*?, relative_url?}
function addAttachment(model, b, origin) {
  const comment = b.comment_id ? model.comments.find((x) => x.id === b.comment_id) : null;
  if (b.comment_id && !comment) throw new ApiError(404, 'comment not found');
  const issueId = b.issue_id || (comment && comment.issue_id) || null;
  const issue = issueId ? model.issues.get(issueId) : null;
  if (issueId && !issue) throw new ApiError(404, 'issue not found');
  const workspaceId = b.workspace_id || (issue && issue.workspace_id);
  if (!model.workspaces.has(workspaceId)) throw new ApiError(404, 'workspace not found');
  if (typeof b.filename !== 'string' || !b.filename) throw new ApiError(400, 'filename is required');
  const data = typeof b.content_base64 === 'string' ? Buffer.from(b.content_base64, 'base64')
    : Buffer.from(typeof b.content === 'string' ? b.content : '', 'utf8');
  const uploader = b.uploader_id ? { type: b.uploader_type || 'member', id: b.uploader_id }
    : model.defaultActor(workspaceId);
  return model.addAttachment({ workspace_id: workspaceId, issue_id: issueId, comment_id: b.comment_id,
    uploader_type: uploader.type, uploader_id: uploader.id, filename: b.filename,
    content_type: b.content_type || sniffContentType(b.filename, data), data, origin,
    relative_url: Boolean(b.relative_url) });
}

function handleControl(ctx, method, url, bodyText, origin) {
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
    return reply.jsonReply(200, found.route.handler(ctx, found.params, body, origin));
  } catch (e) {
    if (e instanceof ApiError) return reply.handlerError(e.status, e.message);
    return reply.handlerError(500, e.stack || String(e));
  }
}

module.exports = { handleControl };
