// The Multica server's public routes (spec server-api.md §3, endpoints 1-19)
// on top of ServerModel: authentication (§2), body decoding (§1.2), and the
// translation of model results and ApiErrors into replies. The user API the
// CLI calls (agent-toolbox.md §5) is routed here too and handled by
// user_api.js. `handleApi` returns a reply value; it never touches the socket.
'use strict';

const { decodeBody, DecodeError } = require('./go_decode');
const { ApiError } = require('./server_model');
const { taskRecordView, workspaceView } = require('./server_views');
const reply = require('./http_reply');
const { goMap } = require('./wire');
const { USER_ROUTES, handleUserRoute, serveUpload } = require('./user_api');
const { batchClaim, decodeBatchClaim } = require('./daemon_ws');

const OK = { status: 'ok' };

const SCHEMAS = {
  register: {
    workspace_id: 'string', daemon_id: 'string', device_name: 'string', cli_version: 'string',
    launched_by: 'string', runtimes: [{ type: 'string', name: 'string', version: 'string', status: 'string' }],
  },
  deregister: { runtime_ids: ['string'] },
  heartbeat: { runtime_id: 'string' },
  progress: { summary: 'string', step: 'int', total: 'int' },
  messages: {
    messages: [{ seq: 'int32', type: 'string', tool: 'string', content: 'string', input: 'map', output: 'string' }],
  },
  usage: {
    usage: [{ provider: 'string', model: 'string', input_tokens: 'int', output_tokens: 'int',
      cache_read_tokens: 'int', cache_write_tokens: 'int' }],
  },
  complete: { output: 'string', session_id: 'string', work_dir: 'string', pr_url: 'string', branch_name: 'string' },
  fail: { error: 'string' },
  pingResult: { status: 'string', output: 'string', error: 'string', duration_ms: 'int' },
  updateResult: { status: 'string', output: 'string', error: 'string' },
};

// Each handler: (model, principal, params, body text, query) -> JSON value.
// Replies that upstream builds as Go maps pass through goMap (sorted keys).
const DAEMON_ROUTES = [
  ['POST', '/api/daemon/register', (m, p, _, body) => goMap(m.register(p, decode(body, SCHEMAS.register)))],
  ['GET', '/api/daemon/workspaces/:workspaceId/repos', (m, p, a) => goMap(m.workspaceRepos(p, a.workspaceId))],
  ['POST', '/api/daemon/deregister', (m, p, _, body) => {
    const ids = decode(body, SCHEMAS.deregister).runtime_ids;
    if (!ids.length) throw new ApiError(400, 'runtime_ids is required');
    m.deregister(p, ids);
    return OK;
  }],
  ['POST', '/api/daemon/heartbeat', (m, p, _, body) => {
    const id = decode(body, SCHEMAS.heartbeat).runtime_id;
    if (!id) throw new ApiError(400, 'runtime_id is required');
    return goMap(m.heartbeat(p, id));
  }],
  ['POST', '/api/daemon/runtimes/:runtimeId/tasks/claim', (m, p, a) => m.claim(p, a.runtimeId)],
  // Newer servers (agent-toolbox.md §11.1); a seed-era one answers the router's 404.
  ['POST', '/api/daemon/tasks/claim', (m, p, _, body) => batchClaim(m, p, decodeBatchClaim(body))],
  ['GET', '/api/daemon/runtimes/:runtimeId/tasks/pending', (m, p, a) => m.pendingTasks(p, a.runtimeId)
    .map(taskRecordView)],
  ['POST', '/api/daemon/runtimes/:runtimeId/ping/:pingId/result', (m, p, a, body) => {
    m.runtimeFor(p, a.runtimeId);
    m.pingResult(a.pingId, decode(body, SCHEMAS.pingResult));
    return OK;
  }],
  ['POST', '/api/daemon/runtimes/:runtimeId/update/:updateId/result', (m, p, a, body) => {
    m.runtimeFor(p, a.runtimeId);
    m.updateResult(a.updateId, decode(body, SCHEMAS.updateResult));
    return OK;
  }],
  ['POST', '/api/daemon/tasks/:taskId/start', (m, p, a) => taskRecordView(m.startTask(p, a.taskId))],
  ['POST', '/api/daemon/tasks/:taskId/progress', (m, p, a, body) => {
    const progress = decode(body, SCHEMAS.progress); // decoded before the access check (§4.8)
    m.addProgress(m.taskFor(p, a.taskId), progress);
    return OK;
  }],
  ['POST', '/api/daemon/tasks/:taskId/messages', (m, p, a, body) => {
    const { messages } = decode(body, SCHEMAS.messages);
    if (!messages.length) return OK; // no task lookup at all (§4.9)
    m.addMessages(m.taskFor(p, a.taskId), messages);
    return OK;
  }],
  ['GET', '/api/daemon/tasks/:taskId/messages', (m, p, a, _, query) => {
    const task = m.taskFor(p, a.taskId);
    return m.listMessages(task, parseSince(query.get('since')));
  }],
  ['POST', '/api/daemon/tasks/:taskId/usage', (m, p, a, body) => {
    const task = m.taskFor(p, a.taskId);
    m.upsertUsage(task, decode(body, SCHEMAS.usage).usage);
    return OK;
  }],
  ['POST', '/api/daemon/tasks/:taskId/complete', (m, p, a, body) => {
    const task = m.taskFor(p, a.taskId);
    return taskRecordView(m.completeTask(task, decode(body, SCHEMAS.complete)));
  }],
  ['POST', '/api/daemon/tasks/:taskId/fail', (m, p, a, body) => {
    const task = m.taskFor(p, a.taskId);
    return taskRecordView(m.failTask(task, decode(body, SCHEMAS.fail)));
  }],
  ['GET', '/api/daemon/tasks/:taskId/status', (m, p, a) => ({ status: m.taskFor(p, a.taskId).status })],
  ['GET', '/api/daemon/issues/:issueId/gc-check', (m, p, a) => m.gcCheck(p, a.issueId)],
];

function buildRouter() {
  const router = new reply.Router();
  for (const [method, pattern, handler] of DAEMON_ROUTES) router.add(method, pattern, { group: 'daemon', handler });
  router.add('GET', '/api/workspaces', { group: 'user', handler: (m, p) => m.workspacesOf(p).map(workspaceView) });
  for (const route of USER_ROUTES) router.add(route.method, route.pattern, { group: 'user', user: route });
  router.add('GET', '/health', { group: 'none' });
  return router;
}

const router = buildRouter();

// -> reply value for any non-control request; request = {method, url,
// headers (lower-case names), text, body (Buffer), origin, features?}
// (features.batch_claim false: the batch claim is not served).
function handleApi(model, request) {
  const { method, url } = request;
  const authHeader = request.headers.authorization;
  const path = url.pathname;
  if (path.startsWith('/uploads/')) return serveUpload(model, method, path);
  // Under /api/daemon/ authentication runs before routing (§1.3).
  const isDaemonPath = path === '/api/daemon' || path.startsWith('/api/daemon/');
  let principal = null;
  if (isDaemonPath) {
    const auth = authenticateDaemon(model, authHeader);
    if (auth.reply) return auth.reply;
    principal = auth.principal;
  }
  const found = router.match(method, path);
  if (!found) return reply.routerNotFound();
  if (path === '/api/daemon/tasks/claim' && request.features && !request.features.batch_claim) return reply.routerNotFound();
  if (found.allowed) return reply.methodNotAllowed(found.allowed);
  const { route, params } = found;
  if (route.group === 'none') return reply.healthReply();
  if (route.group === 'user') {
    const auth = authenticateUser(model, authHeader);
    if (auth.reply) return auth.reply;
    if (route.user) return handleUserRoute(route.user, model, auth.principal, params, request);
    principal = auth.principal;
  }
  return runHandler(() => route.handler(model, principal, params, request.text, url.searchParams));
}

function runHandler(fn) {
  try {
    return reply.jsonReply(200, fn());
  } catch (e) {
    if (e instanceof DecodeError) return reply.handlerError(400, 'invalid request body');
    if (e instanceof ApiError) return reply.handlerError(e.status, e.message);
    return reply.handlerError(500, `internal error: ${e.message}`);
  }
}

// §2.2-2.3. Registered tokens are PATs; an unknown mdt_ token is a daemon
// token that failed its lookup, anything else fails as a PAT or JWT.
function authenticateDaemon(model, header) {
  if (!header) return { reply: reply.daemonAuthError('missing authorization header') };
  if (!header.startsWith('Bearer ')) return { reply: reply.daemonAuthError('invalid authorization format') };
  const token = header.slice('Bearer '.length);
  const principal = model.principalFor(token);
  if (principal) return { principal };
  return { reply: reply.daemonAuthError(token.startsWith('mdt_') ? 'invalid daemon token' : 'invalid token') };
}

// §2.4: a header without the Bearer prefix counts as no token at all.
function authenticateUser(model, header) {
  if (!header || !header.startsWith('Bearer ')) return { reply: reply.userAuthError('missing authorization') };
  const principal = model.principalFor(header.slice('Bearer '.length));
  return principal ? { principal } : { reply: reply.userAuthError('invalid token') };
}

function decode(bodyText, schema) {
  return decodeBody(bodyText, schema);
}

function parseSince(raw) {
  if (raw === null) return null;
  if (!/^[+-]?\d+$/.test(raw)) throw new ApiError(400, 'invalid since parameter');
  return Number(raw);
}

module.exports = { handleApi, authenticateDaemon };
