// The user API the Multica CLI calls (spec agent-toolbox.md §3, §5): issues,
// comments, task runs, workspaces and members, agents, attachments and
// uploads, plus the /uploads/<key> downloads of local storage. Each route
// runs after user authentication (daemon_api.js) and, for workspace-scoped
// routes, the membership middleware of §3.2; handlers return reply values
// (http_reply.js) and never touch the socket.
'use strict';

const { decodeBody, DecodeError } = require('./go_decode');
const { ApiError } = require('./server_model');
const { isUuid, goMap, newUuid } = require('./wire');
const { workspaceView } = require('./server_views');
const views = require('./user_views');
const reply = require('./http_reply');
const { parseMultipart, MultipartError, sniffContentType } = require('./multipart');

const ISSUE_LIST_DEFAULT_LIMIT = 100;
const SEARCH_DEFAULT_LIMIT = 20;

// Pointer fields ('nstring', 'nfloat') let handlers tell absent from null.
const SCHEMAS = {
  createIssue: { title: 'string', description: 'nstring', status: 'string', priority: 'string',
    assignee_type: 'nstring', assignee_id: 'nstring', parent_issue_id: 'nstring', project_id: 'nstring',
    due_date: 'nstring', attachment_ids: ['string'] },
  updateIssue: { title: 'nstring', description: 'nstring', status: 'nstring', priority: 'nstring',
    assignee_type: 'nstring', assignee_id: 'nstring', parent_issue_id: 'nstring', project_id: 'nstring',
    due_date: 'nstring', position: 'nfloat' },
  createComment: { content: 'string', type: 'string', parent_id: 'nstring', attachment_ids: ['string'] },
};

const ok = (value) => reply.jsonReply(200, value);
const created = (value) => reply.jsonReply(201, value);

function issueOut(m, issue, extra) {
  return views.issueView(issue, m.issuePrefix(issue.workspace_id), extra);
}

function commentOut(m, comment) {
  return views.commentView(comment, m.attachmentsOfComment(comment.id));
}

// ---- handlers: (model, rq) -> reply ---------------------------------------
// rq = {principal, params, query, headers, text, body, origin, workspaceId, actor()}

function listIssues(m, rq) {
  const q = rq.query;
  const filters = {};
  for (const key of ['status', 'priority', 'assignee_id', 'project_id']) filters[key] = q.get(key) || null;
  const limit = queryInt(q.get('limit'), ISSUE_LIST_DEFAULT_LIMIT, 1);
  const offset = queryInt(q.get('offset'), 0, 0);
  const { issues, total } = m.listIssues(rq.workspaceId, filters, limit, offset);
  return ok({ issues: issues.map((i) => issueOut(m, i, { listing: true })), total });
}

function searchIssues(m, rq) {
  const text = (rq.query.get('q') || '').trim();
  if (!text) throw new ApiError(400, 'q is required');
  const limit = queryInt(rq.query.get('limit'), SEARCH_DEFAULT_LIMIT, 1);
  const { hits, total } = m.searchIssues(rq.workspaceId, text, limit, rq.query.get('include_closed') === 'true');
  const issues = hits.map((h) => {
    const view = { ...issueOut(m, h.issue, { listing: true }), match_source: h.match_source };
    if (h.matched_snippet) view.matched_snippet = h.matched_snippet;
    return view;
  });
  return ok({ issues, total });
}

function createIssue(m, rq) {
  const body = decodeBody(rq.text, SCHEMAS.createIssue);
  const issue = m.createIssueApi(rq.principal, rq.workspaceId, rq.actor(), body);
  return created(issueOut(m, issue, { attachments: m.attachmentsOfIssue(issue.id) }));
}

function getIssue(m, rq) {
  const issue = m.resolveIssue(rq.workspaceId, rq.params.id);
  return ok(issueOut(m, issue, { attachments: m.attachmentsOfIssue(issue.id) }));
}

function updateIssue(m, rq) {
  const issue = m.resolveIssue(rq.workspaceId, rq.params.id);
  const body = decodeBody(rq.text, SCHEMAS.updateIssue);
  return ok(issueOut(m, m.updateIssueApi(rq.principal, rq.workspaceId, rq.actor(), issue, body)));
}

function listComments(m, rq) {
  const issue = m.resolveIssue(rq.workspaceId, rq.params.id);
  const { comments, total } = m.listCommentsApi(issue, rq.query);
  const r = ok(comments.map((c) => commentOut(m, c)));
  if (total !== null) r.headers['X-Total-Count'] = String(total);
  return r;
}

function createComment(m, rq) {
  const issue = m.resolveIssue(rq.workspaceId, rq.params.id);
  const body = decodeBody(rq.text, SCHEMAS.createComment);
  return created(commentOut(m, m.createCommentApi(rq.workspaceId, rq.actor(), issue, rq.params.id, body)));
}

function deleteComment(m, rq) {
  m.deleteCommentApi(rq.principal, rq.workspaceId, rq.actor(), rq.params.id);
  return reply.noContent();
}

// Newest first.
function taskRuns(m, rq) {
  const issue = m.resolveIssue(rq.workspaceId, rq.params.id);
  return ok([...m.tasks.values()].filter((t) => t.issue_id === issue.id)
    .sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq).map(views.taskRunView));
}

function listAgents(m, rq) {
  const agents = m.agentsOf(rq.workspaceId, rq.query.get('include_archived') === 'true');
  return ok(agents.map((a) => views.agentUserView(a, m.canSeeEnv(rq.principal, a))));
}

function getAgent(m, rq) {
  const agent = m.agentInWorkspace(rq.workspaceId, rq.params.id);
  return ok(views.agentUserView(agent, m.canSeeEnv(rq.principal, agent)));
}

function getAttachment(m, rq) {
  return ok(views.attachmentView(m.attachmentInWorkspace(rq.workspaceId, rq.params.id)));
}

function getWorkspace(m, rq) {
  return ok(workspaceView(m.workspaces.get(rq.workspaceId)));
}

function listMembers(m, rq) {
  return ok(m.membersOf(rq.workspaceId).map((mb) => views.memberView(mb, m.users.get(mb.user_id))));
}

// Not behind the membership middleware: the workspace (query or header, not
// slug) is optional, and without one the file is only acknowledged.
function uploadFile(m, rq) {
  let form;
  try {
    form = parseMultipart(rq.headers['content-type'], rq.body);
  } catch (e) {
    if (e instanceof MultipartError) throw new ApiError(400, 'file too large or invalid multipart form');
    throw e;
  }
  const file = form.files.find((f) => f.field === 'file');
  if (!file) throw new ApiError(400, 'missing file field: http: no such file');
  const workspaceId = rq.query.get('workspace_id') || rq.headers['x-workspace-id'] || '';
  if (!workspaceId) return ok(goMap({ id: newUuid(), url: '', filename: file.filename }));
  const ws = isUuid(workspaceId) ? m.workspaces.get(workspaceId.toLowerCase()) : null;
  if (!ws || !m.canAccess(rq.principal, ws.id)) throw new ApiError(403, 'not a member of this workspace');
  const field = (name) => form.fields[name] || rq.query.get(name) || '';
  const issueId = field('issue_id') ? uploadIssueId(m, ws.id, field('issue_id')) : null;
  const commentId = field('comment_id') ? uploadCommentId(m, ws.id, field('comment_id')) : null;
  const actor = m.resolveActor(rq.principal, ws.id, rq.headers);
  const attachment = m.addAttachment({ workspace_id: ws.id, issue_id: issueId, comment_id: commentId,
    uploader_type: actor.type, uploader_id: actor.id, filename: file.filename,
    content_type: sniffContentType(file.filename, file.data), data: file.data, origin: rq.origin });
  return ok(views.attachmentView(attachment));
}

function uploadIssueId(m, workspaceId, ref) {
  try {
    return m.resolveIssue(workspaceId, ref).id;
  } catch (e) {
    if (!isUuid(ref)) throw new ApiError(400, 'invalid issue_id');
    throw new ApiError(403, 'invalid issue_id');
  }
}

function uploadCommentId(m, workspaceId, id) {
  if (!isUuid(id)) throw new ApiError(400, 'invalid comment_id');
  const comment = m.comments.find((c) => c.id === id.toLowerCase());
  if (!comment || comment.workspace_id !== workspaceId) throw new ApiError(403, 'invalid comment_id');
  return comment.id;
}

// scope: 'workspace' = membership middleware on query/header, 'path' = on
// the :id path segment, 'none' = authentication only.
const USER_ROUTES = [
  ['GET', '/api/issues/search', 'workspace', searchIssues],
  ['GET', '/api/issues', 'workspace', listIssues],
  ['POST', '/api/issues', 'workspace', createIssue],
  ['GET', '/api/issues/:id', 'workspace', getIssue],
  ['PUT', '/api/issues/:id', 'workspace', updateIssue],
  ['GET', '/api/issues/:id/comments', 'workspace', listComments],
  ['POST', '/api/issues/:id/comments', 'workspace', createComment],
  ['GET', '/api/issues/:id/task-runs', 'workspace', taskRuns],
  ['DELETE', '/api/comments/:id', 'workspace', deleteComment],
  ['GET', '/api/agents', 'workspace', listAgents],
  ['GET', '/api/agents/:id', 'workspace', getAgent],
  ['GET', '/api/attachments/:id', 'workspace', getAttachment],
  ['GET', '/api/workspaces/:id', 'path', getWorkspace],
  ['GET', '/api/workspaces/:id/members', 'path', listMembers],
  ['POST', '/api/upload-file', 'none', uploadFile],
].map(([method, pattern, scope, handler]) => ({ method, pattern, scope, handler }));

// §3.2: ?workspace_slug, X-Workspace-Slug, ?workspace_id, X-Workspace-ID, in
// that order. -> {workspaceId} | {reply} (middleware format: no newline).
function resolveWorkspace(model, principal, route, request, params) {
  const q = request.url.searchParams;
  const h = request.headers;
  let ws;
  if (route.scope === 'path') {
    if (!params.id) return { reply: reply.middlewareError(400, 'workspace_id or workspace_slug is required') };
    ws = isUuid(params.id) ? model.workspaces.get(params.id.toLowerCase()) : null;
  } else {
    const slug = q.get('workspace_slug') || h['x-workspace-slug'] || '';
    const id = q.get('workspace_id') || h['x-workspace-id'] || '';
    if (slug) ws = model.workspaceBySlug(slug);
    else if (!id) return { reply: reply.middlewareError(400, 'workspace_id or workspace_slug is required') };
    else ws = isUuid(id) ? model.workspaces.get(id.toLowerCase()) : null;
  }
  if (!ws || !model.canAccess(principal, ws.id)) return { reply: reply.middlewareError(404, 'workspace not found') };
  return { workspaceId: ws.id };
}

// request = {method, url, headers, text, body (Buffer), origin}
function handleUserRoute(route, model, principal, params, request) {
  const rq = { principal, params, query: request.url.searchParams, headers: request.headers, text: request.text,
    body: request.body, origin: request.origin };
  if (route.scope !== 'none') {
    const found = resolveWorkspace(model, principal, route, request, params);
    if (found.reply) return found.reply;
    rq.workspaceId = found.workspaceId;
    rq.actor = () => model.resolveActor(principal, found.workspaceId, request.headers);
  }
  try {
    return route.handler(model, rq);
  } catch (e) {
    if (e instanceof DecodeError) return reply.handlerError(400, 'invalid request body');
    if (e instanceof ApiError) return reply.handlerError(e.status, e.message);
    return reply.handlerError(500, `internal error: ${e.message}`);
  }
}

// GET /uploads/<key>: local storage's file server, no authentication.
function serveUpload(model, method, pathname) {
  if (method !== 'GET') return reply.methodNotAllowed(['GET']);
  let key;
  try {
    key = decodeURIComponent(pathname.slice('/uploads/'.length));
  } catch (e) {
    return reply.routerNotFound();
  }
  const attachment = model.attachmentByKey(key);
  return attachment ? reply.fileReply(attachment.content_type, attachment.data) : reply.routerNotFound();
}

// Unparseable values are ignored (the default is used), as are values below `min`.
function queryInt(raw, fallback, min) {
  if (!raw || !/^[+-]?\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return n >= min ? n : fallback;
}

module.exports = { USER_ROUTES, handleUserRoute, serveUpload };
