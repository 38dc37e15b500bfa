// State of the fake Multica server and the non-task operations on it:
// workspaces, runtimes (register / heartbeat / deregister), ping and update
// requests, and the sweeper tick. Installed onto this class: the task
// lifecycle (server_tasks.js), users, members, agents and attachments
// (server_people.js), issues (server_issues.js), comments (server_comments.js).
//
// Every operation either returns a plain value or throws ApiError(status,
// message) carrying the exact error string of the spec. No I/O here; the
// clock is injectable (`now`) so the sweeper can be driven from tests.
'use strict';

const { newUuid, newHexId, isUuid } = require('./wire');
const { normalizeRepos, reposVersion, runtimeView } = require('./server_views');

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Liveness and timeout thresholds of the real sweeper (spec §7.3, §9).
const STALE_RUNTIME_MS = 45 * 1000;
const DISPATCH_TIMEOUT_MS = 300 * 1000;
const RUNNING_TIMEOUT_MS = 9000 * 1000;
const RUNTIME_GC_MS = 7 * 24 * 3600 * 1000;
const PING_PENDING_TIMEOUT_MS = 60 * 1000;
const PING_PURGE_MS = 2 * 60 * 1000;
const UPDATE_TIMEOUT_MS = 120 * 1000;
const UPDATE_PURGE_MS = 5 * 60 * 1000;

class ServerModel {
  constructor(now = () => Date.now()) {
    this.now = now;
    this.reset();
  }

  reset() {
    this.seq = 0; // creation order, to break created_at ties deterministically
    this.workspaces = new Map();
    this.principals = new Map(); // token -> {userId}
    this.users = new Map();
    this.members = []; // workspace memberships: the access rule
    this.runtimes = new Map();
    this.agents = new Map();
    this.issues = new Map();
    this.attachments = new Map(); // id -> record with the stored bytes
    this.statusChanges = []; // every issue status change, with its actor
    this.deletedComments = [];
    this.chatSessions = new Map();
    this.tasks = new Map();
    this.messages = new Map(); // task id -> [message]
    this.usage = new Map(); // task id -> [usage entry], replace-on-conflict
    this.progress = new Map(); // task id -> [progress body]
    this.comments = []; // from complete/fail, the user API and the control API
    this.pings = new Map();
    this.updates = new Map();
  }

  nextSeq() {
    return ++this.seq;
  }

  // ---- workspaces -------------------------------------------------------

  addWorkspace(fields) {
    const name = fields.name || 'Workspace';
    const now = this.now();
    const ws = {
      id: newUuid(),
      seq: this.nextSeq(),
      name,
      slug: fields.slug || slugify(name),
      description: fields.description === undefined ? null : fields.description,
      context: fields.context === undefined ? null : fields.context,
      settings: fields.settings || {},
      repos: fields.repos === undefined ? [] : fields.repos, // raw, as stored
      issue_prefix: fields.issue_prefix || issuePrefix(name),
      createdMs: now,
      updatedMs: now,
    };
    this.workspaces.set(ws.id, ws);
    return ws;
  }

  workspacesOf(principal) {
    return [...this.workspaces.values()]
      .filter((ws) => this.canAccess(principal, ws.id))
      .sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  }

  // §4.3: access is checked before the row lookup, so for a PAT an unknown
  // workspace reads as "not found".
  workspaceRepos(principal, rawId) {
    const id = rawId.trim();
    if (!this.canAccess(principal, id)) throw new ApiError(404, 'not found');
    const ws = this.workspaces.get(id);
    if (!ws) throw new ApiError(404, 'workspace not found');
    const repos = normalizeRepos(ws.repos);
    return { workspace_id: id, repos, repos_version: reposVersion(repos) };
  }

  // ---- runtimes ---------------------------------------------------------

  runtimeFor(principal, id) {
    const rt = isUuid(id) ? this.runtimes.get(id.toLowerCase()) : undefined;
    if (!rt) throw new ApiError(404, 'runtime not found');
    if (!this.canAccess(principal, rt.workspace_id)) throw new ApiError(404, 'not found');
    return rt;
  }

  // §4.2, validation order included.
  register(principal, body) {
    const daemonId = body.daemon_id.trim();
    const workspaceId = body.workspace_id.trim();
    if (!daemonId) throw new ApiError(400, 'daemon_id is required');
    if (!workspaceId) throw new ApiError(400, 'workspace_id is required');
    if (!body.runtimes.length) throw new ApiError(400, 'at least one runtime is required');
    if (!isUuid(workspaceId) || !this.canAccess(principal, workspaceId)) throw new ApiError(404, 'workspace not found');
    const ws = this.workspaces.get(workspaceId);
    if (!ws) throw new ApiError(404, 'workspace not found');
    const runtimes = body.runtimes.map((element) => {
      const rt = this.upsertRuntime(principal, ws, daemonId, body, element);
      this.migrateAgents(rt);
      return runtimeView(rt);
    });
    const repos = normalizeRepos(ws.repos);
    return { runtimes, repos, repos_version: reposVersion(repos) };
  }

  upsertRuntime(principal, ws, daemonId, body, element) {
    const deviceName = body.device_name.trim();
    const provider = element.type.trim() || 'unknown';
    const version = element.version;
    const now = this.now();
    let rt = [...this.runtimes.values()].find(
      (r) => r.workspace_id === ws.id && r.daemon_id === daemonId && r.provider === provider);
    if (!rt) {
      rt = { id: newUuid(), seq: this.nextSeq(), workspace_id: ws.id, daemon_id: daemonId, provider, createdMs: now };
      this.runtimes.set(rt.id, rt);
    }
    Object.assign(rt, {
      name: element.name.trim() || (deviceName ? `${provider} (${deviceName})` : provider),
      status: element.status === 'offline' ? 'offline' : 'online',
      device_info: [deviceName, version].filter(Boolean).join(' · '),
      metadata: { version, cli_version: body.cli_version, launched_by: body.launched_by },
      owner_id: principal.userId,
      lastSeenMs: now,
      updatedMs: now,
    });
    return rt;
  }

  // §4.2 "Agent migration": agents on other offline runtimes of the same
  // owner whose daemon_id matches SQL LIKE '<daemon_id>-%' move here.
  migrateAgents(rt) {
    if (!rt.owner_id) return;
    const pattern = likePattern(`${rt.daemon_id}-%`);
    for (const agent of this.agents.values()) {
      const old = this.runtimes.get(agent.runtime_id);
      if (!old || old.id === rt.id || old.status !== 'offline') continue;
      if (old.workspace_id === rt.workspace_id && old.provider === rt.provider &&
          old.owner_id === rt.owner_id && pattern.test(old.daemon_id)) {
        agent.runtime_id = rt.id;
      }
    }
  }

  heartbeat(principal, runtimeId) {
    const rt = this.runtimeFor(principal, runtimeId);
    const now = this.now();
    Object.assign(rt, { status: 'online', lastSeenMs: now, updatedMs: now });
    const reply = { status: 'ok' };
    const ping = this.oldestPending(this.pings, rt.id);
    if (ping) {
      ping.status = 'running';
      reply.pending_ping = { id: ping.id };
    }
    const update = this.oldestPending(this.updates, rt.id);
    if (update) {
      update.status = 'running';
      reply.pending_update = { id: update.id, target_version: update.target_version };
    }
    return reply;
  }

  oldestPending(store, runtimeId) {
    return [...store.values()]
      .filter((r) => r.runtime_id === runtimeId && r.status === 'pending')
      .sort((a, b) => a.seq - b.seq)[0];
  }

  // Unknown or foreign ids are skipped silently; tasks are not touched.
  deregister(principal, runtimeIds) {
    for (const id of runtimeIds) {
      let rt;
      try {
        rt = this.runtimeFor(principal, id);
      } catch (e) {
        continue;
      }
      Object.assign(rt, { status: 'offline', updatedMs: this.now() });
    }
  }

  // A user deleting a runtime: its tasks go with it (cascade, spec §7.1).
  deleteRuntime(id) {
    if (!this.runtimes.delete(id)) throw new ApiError(404, 'runtime not found');
    for (const task of [...this.tasks.values()]) if (task.runtime_id === id) this.dropTask(task.id);
  }

  // Runtimes of a workspace for one provider, best first: online, then most
  // recently seen. Used by the control API to pick where a task is queued.
  runtimesFor(workspaceId, provider) {
    return [...this.runtimes.values()]
      .filter((r) => r.workspace_id === workspaceId && r.provider === provider)
      .sort((a, b) => (a.status === 'online' ? 0 : 1) - (b.status === 'online' ? 0 : 1) ||
        b.lastSeenMs - a.lastSeenMs || b.seq - a.seq);
  }

  // ---- ping / update requests (§9) ---------------------------------------

  addPing(runtimeId) {
    if (!this.runtimes.has(runtimeId)) throw new ApiError(404, 'runtime not found');
    const now = this.now();
    for (const [id, p] of this.pings) if (now - p.createdMs > PING_PURGE_MS) this.pings.delete(id);
    const ping = { id: newHexId(), seq: this.nextSeq(), runtime_id: runtimeId, status: 'pending', createdMs: now,
      output: null, error: null, duration_ms: null };
    this.pings.set(ping.id, ping);
    return ping;
  }

  addUpdate(runtimeId, targetVersion) {
    if (!this.runtimes.has(runtimeId)) throw new ApiError(404, 'runtime not found');
    if (!targetVersion) throw new ApiError(400, 'target_version is required');
    const now = this.now();
    for (const [id, u] of this.updates) if (now - u.createdMs > UPDATE_PURGE_MS) this.updates.delete(id);
    const busy = [...this.updates.values()].some((u) => u.runtime_id === runtimeId &&
      ['pending', 'running'].includes(this.updateStatus(u)));
    if (busy) throw new ApiError(409, 'an update is already in progress for this runtime');
    const update = { id: newHexId(), seq: this.nextSeq(), runtime_id: runtimeId, target_version: targetVersion,
      status: 'pending', createdMs: now, output: null, error: null };
    this.updates.set(update.id, update);
    return update;
  }

  // Unknown or expired ids are ignored (spec §4.14).
  pingResult(pingId, body) {
    const ping = this.pings.get(pingId);
    if (!ping) return;
    if (body.status === 'completed') Object.assign(ping, { status: 'completed', output: body.output });
    else Object.assign(ping, { status: 'failed', error: body.error });
    ping.duration_ms = body.duration_ms;
  }

  updateResult(updateId, body) {
    if (!['running', 'completed', 'failed'].includes(body.status)) {
      throw new ApiError(400, `invalid status: ${body.status}`);
    }
    const update = this.updates.get(updateId);
    if (!update || body.status === 'running') return;
    if (body.status === 'completed') Object.assign(update, { status: 'completed', output: body.output });
    else Object.assign(update, { status: 'failed', error: body.error });
  }

  // Reads apply the timeout rule instead of a background timer.
  pingStatus(ping) {
    return ping.status === 'pending' && this.now() - ping.createdMs > PING_PENDING_TIMEOUT_MS ? 'timeout' : ping.status;
  }

  updateStatus(update) {
    const open = update.status === 'pending' || update.status === 'running';
    return open && this.now() - update.createdMs > UPDATE_TIMEOUT_MS ? 'timeout' : update.status;
  }

  // ---- sweeper (§7.3), run on demand by POST /_fake/expire ---------------

  // `advanceMs` pretends that much time has passed; `onlyRuntimeIds` limits
  // the stale-runtime step to those runtimes.
  sweep(advanceMs, onlyRuntimeIds) {
    const now = this.now() + advanceMs;
    const offline = [];
    for (const rt of this.runtimes.values()) {
      if (onlyRuntimeIds && !onlyRuntimeIds.includes(rt.id)) continue;
      if (rt.status === 'online' && now - rt.lastSeenMs > STALE_RUNTIME_MS) {
        Object.assign(rt, { status: 'offline', updatedMs: this.now() });
        offline.push(rt.id);
      }
    }
    const failed = [];
    if (offline.length) {
      for (const task of this.tasks.values()) {
        const rt = this.runtimes.get(task.runtime_id);
        if (isActive(task) && rt && rt.status === 'offline') {
          this.serverFailTask(task, 'runtime went offline');
          failed.push(task.id);
        }
      }
    }
    for (const task of this.tasks.values()) {
      const late = (task.status === 'dispatched' && now - task.dispatchedMs > DISPATCH_TIMEOUT_MS) ||
        (task.status === 'running' && now - task.startedMs > RUNNING_TIMEOUT_MS);
      if (late) {
        this.serverFailTask(task, 'task timed out');
        failed.push(task.id);
      }
    }
    const deleted = this.collectRuntimes(now);
    return { offline_runtimes: offline, failed_tasks: failed, deleted_runtimes: deleted };
  }

  collectRuntimes(now) {
    const deleted = [];
    const referenced = new Set([...this.agents.values()].map((a) => a.runtime_id));
    for (const rt of [...this.runtimes.values()]) {
      if (rt.status === 'offline' && now - rt.lastSeenMs > RUNTIME_GC_MS && !referenced.has(rt.id)) {
        this.deleteRuntime(rt.id);
        deleted.push(rt.id);
      }
    }
    return deleted;
  }
}

function isActive(task) {
  return task.status === 'dispatched' || task.status === 'running';
}

function slugify(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'workspace';
}

function issuePrefix(name) {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.slice(0, 3) || 'WS';
}

// SQL LIKE with % and _ as wildcards (upstream does not escape daemon ids).
function likePattern(like) {
  const body = like.split('').map((c) => {
    if (c === '%') return '.*';
    if (c === '_') return '.';
    return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${body}$`, 's');
}

require('./server_tasks').install(ServerModel, ApiError);
require('./server_people').install(ServerModel, ApiError);
require('./server_issues').install(ServerModel, ApiError);
require('./server_comments').install(ServerModel, ApiError);

module.exports = { ServerModel, ApiError };
