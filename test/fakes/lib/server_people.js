// Who is who on the fake Multica server, installed onto ServerModel: users
// and their tokens, workspace memberships (the access rule of server-api §2.3
// and agent-toolbox §3.2), agents as the user API shows them, attachments and
// their stored bytes, and actor attribution (agent-toolbox §3.3).
//
// Operations return values or throw ApiError(status, exact spec message).
'use strict';

const path = require('node:path');
const { newUuid, isUuid } = require('./wire');

const DEFAULT_MAX_CONCURRENT_TASKS = 6;
const ROLES = ['owner', 'admin', 'member'];

let ApiError; // injected by install() to avoid a require cycle

const methods = {
  // ---- users, tokens, memberships ----------------------------------------

  addUser(fields = {}) {
    const n = this.users.size + 1;
    const user = { id: newUuid(), name: fields.name || `User ${n}`, email: fields.email || `user${n}@example.test`,
      avatar_url: fields.avatar_url === undefined ? null : fields.avatar_url };
    this.users.set(user.id, user);
    return user;
  },

  // A token is a PAT of one user. Re-posting a token keeps its user and makes
  // the user's memberships exactly the listed (existing) workspaces; new
  // memberships get `role` (owner by default, as the creator of a workspace).
  setToken(token, workspaceIds, fields = {}) {
    const existing = this.principals.get(token);
    let userId = existing ? existing.userId : fields.user_id;
    if (userId && !this.users.has(userId)) throw new ApiError(404, 'user not found');
    if (!userId) userId = this.addUser(fields.user || {}).id;
    const role = fields.role || 'owner';
    if (!ROLES.includes(role)) throw new ApiError(400, `role must be one of ${ROLES.join(', ')}`);
    this.principals.set(token, { userId });
    const wanted = new Set(workspaceIds.filter((id) => this.workspaces.has(id)));
    this.members = this.members.filter((m) => m.user_id !== userId || wanted.has(m.workspace_id));
    for (const wsId of wanted) if (!this.memberOf(wsId, userId)) this.addMember(wsId, userId, role);
    return userId;
  },

  principalFor(token) {
    return this.principals.get(token) || null;
  },

  canAccess(principal, workspaceId) {
    return Boolean(this.memberOf(workspaceId, principal.userId));
  },

  addMember(workspaceId, userId, role) {
    const member = { id: newUuid(), seq: this.nextSeq(), workspace_id: workspaceId, user_id: userId, role,
      createdMs: this.now() };
    this.members.push(member);
    return member;
  },

  // Control API: a new (or existing) user joins a workspace, optionally with a token.
  addMemberControl(body) {
    if (!this.workspaces.has(body.workspace_id)) throw new ApiError(404, 'workspace not found');
    const role = body.role || 'member';
    if (!ROLES.includes(role)) throw new ApiError(400, `role must be one of ${ROLES.join(', ')}`);
    if (body.user_id && !this.users.has(body.user_id)) throw new ApiError(404, 'user not found');
    const userId = body.user_id || this.addUser(body).id;
    if (this.memberOf(body.workspace_id, userId)) throw new ApiError(409, 'user is already a member');
    const member = this.addMember(body.workspace_id, userId, role);
    if (typeof body.token === 'string' && body.token) this.principals.set(body.token, { userId });
    return { member_id: member.id, user_id: userId };
  },

  memberOf(workspaceId, userId) {
    return this.members.find((m) => m.workspace_id === workspaceId && m.user_id === userId) || null;
  },

  membersOf(workspaceId) {
    return this.members.filter((m) => m.workspace_id === workspaceId)
      .sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  },

  workspaceBySlug(slug) {
    return [...this.workspaces.values()].find((ws) => ws.slug === slug) || null;
  },

  // Who acts when the control API does not say: the workspace's first owner,
  // else a user made up for the workspace (upstream rows always have one).
  defaultActor(workspaceId) {
    const owner = this.membersOf(workspaceId).find((m) => m.role === 'owner');
    if (owner) return { type: 'member', id: owner.user_id };
    const ws = this.workspaces.get(workspaceId);
    if (!ws.placeholderUserId) ws.placeholderUserId = this.addUser({ name: `${ws.name} owner` }).id;
    return { type: 'member', id: ws.placeholderUserId };
  },

  // §3.3: the agent is the actor only if X-Agent-ID names an agent of the
  // workspace and X-Task-ID, when sent, is a task of that agent; any mismatch
  // silently falls back to the token's user.
  resolveActor(principal, workspaceId, headers) {
    const member = { type: 'member', id: principal.userId, taskId: null };
    const agentId = headers['x-agent-id'];
    if (!agentId) return member;
    const agent = isUuid(agentId) ? this.agents.get(agentId.toLowerCase()) : undefined;
    if (!agent || agent.workspace_id !== workspaceId) return member;
    const taskId = headers['x-task-id'];
    if (!taskId) return { type: 'agent', id: agent.id, taskId: null };
    const task = isUuid(taskId) ? this.tasks.get(taskId.toLowerCase()) : undefined;
    if (!task || task.agent_id !== agent.id) return member;
    return { type: 'agent', id: agent.id, taskId: task.id };
  },

  // ---- agents ---------------------------------------------------------------

  buildAgent(spec, workspaceId, runtimeId) {
    const max = Number.isInteger(spec.max_concurrent_tasks) && spec.max_concurrent_tasks > 0
      ? spec.max_concurrent_tasks : DEFAULT_MAX_CONCURRENT_TASKS;
    const now = this.now();
    const owner = spec.owner_id !== undefined ? spec.owner_id : this.defaultActor(workspaceId).id;
    return {
      id: newUuid(),
      seq: this.nextSeq(),
      workspace_id: workspaceId,
      runtime_id: runtimeId,
      name: spec.name || 'Agent',
      description: spec.description || '',
      instructions: spec.instructions || '',
      avatar_url: spec.avatar_url === undefined ? null : spec.avatar_url,
      runtime_config: spec.runtime_config && typeof spec.runtime_config === 'object' ? spec.runtime_config : {},
      skills: (Array.isArray(spec.skills) ? spec.skills : []).map((s) => ({ id: newUuid(), ...s })),
      custom_env: spec.custom_env && typeof spec.custom_env === 'object' ? spec.custom_env : {},
      custom_args: Array.isArray(spec.custom_args) ? spec.custom_args : [],
      // agent-toolbox.md §11.4: per-agent Codex settings, passed through as given.
      model: spec.model === undefined ? '' : spec.model,
      thinking_level: spec.thinking_level === undefined ? '' : spec.thinking_level,
      service_tier: spec.service_tier === undefined ? '' : spec.service_tier,
      visibility: spec.visibility || 'workspace',
      max_concurrent_tasks: max,
      owner_id: owner,
      status: 'idle',
      createdMs: now,
      updatedMs: now,
      archivedMs: spec.archived ? now : null,
      archived_by: spec.archived ? owner : null,
    };
  },

  // Control API: an agent that exists before any task (listing, assignment).
  addAgentControl(body) {
    const ws = this.workspaces.get(body.workspace_id);
    if (!ws) throw new ApiError(404, 'workspace not found');
    let runtimeId = body.runtime_id || null;
    if (runtimeId) {
      const rt = this.runtimes.get(runtimeId);
      if (!rt || rt.workspace_id !== ws.id) throw new ApiError(404, 'runtime not found');
    } else {
      const rt = this.runtimesFor(ws.id, body.provider || 'codex')[0];
      runtimeId = rt ? rt.id : null;
    }
    const agent = this.buildAgent(body, ws.id, runtimeId);
    this.agents.set(agent.id, agent);
    return agent;
  },

  agentsOf(workspaceId, includeArchived) {
    return [...this.agents.values()]
      .filter((a) => a.workspace_id === workspaceId && (includeArchived || a.archivedMs === null))
      .sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  },

  agentInWorkspace(workspaceId, id) {
    const agent = isUuid(id) ? this.agents.get(id.toLowerCase()) : undefined;
    if (!agent || agent.workspace_id !== workspaceId) throw new ApiError(404, 'agent not found');
    return agent;
  },

  isAdmin(workspaceId, userId) {
    const m = this.memberOf(workspaceId, userId);
    return Boolean(m) && (m.role === 'owner' || m.role === 'admin');
  },

  // custom_env is shown to the agent's owner and to workspace owners/admins.
  canSeeEnv(principal, agent) {
    return agent.owner_id === principal.userId || this.isAdmin(agent.workspace_id, principal.userId);
  },

  // ---- attachments ----------------------------------------------------------

  // `origin` is the fake's own http://host:port: with local storage the URL is
  // <base>/uploads/<key>, or relative when no base is configured (§4).
  addAttachment(fields) {
    const id = newUuid();
    const ext = path.posix.extname(fields.filename || '');
    const key = `workspaces/${fields.workspace_id}/${id}${ext}`;
    const attachment = {
      id,
      seq: this.nextSeq(),
      workspace_id: fields.workspace_id,
      issue_id: fields.issue_id || null,
      comment_id: fields.comment_id || null,
      uploader_type: fields.uploader_type,
      uploader_id: fields.uploader_id,
      filename: fields.filename,
      key,
      url: fields.relative_url ? `/uploads/${key}` : `${fields.origin}/uploads/${key}`,
      content_type: fields.content_type,
      data: fields.data,
      createdMs: this.now(),
    };
    this.attachments.set(id, attachment);
    return attachment;
  },

  attachmentByKey(key) {
    return [...this.attachments.values()].find((a) => a.key === key) || null;
  },

  attachmentInWorkspace(workspaceId, id) {
    const a = isUuid(id) ? this.attachments.get(id.toLowerCase()) : undefined;
    if (!a || a.workspace_id !== workspaceId) throw new ApiError(404, 'attachment not found');
    return a;
  },

  // An issue's own attachments are those not posted with a comment.
  attachmentsOfIssue(issueId) {
    return this.sortedAttachments((a) => a.issue_id === issueId && !a.comment_id);
  },

  attachmentsOfComment(commentId) {
    return this.sortedAttachments((a) => a.comment_id === commentId);
  },

  sortedAttachments(pred) {
    return [...this.attachments.values()].filter(pred).sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  },

  // attachment_ids of a create: ids of other workspaces or unknown ids are
  // skipped, as the UPDATE ... WHERE workspace_id = $ws upstream does.
  linkAttachments(workspaceId, ids, link) {
    for (const id of ids) {
      const a = isUuid(id) ? this.attachments.get(id.toLowerCase()) : undefined;
      if (a && a.workspace_id === workspaceId) Object.assign(a, link);
    }
  },
};

function install(ModelClass, apiErrorClass) {
  ApiError = apiErrorClass;
  Object.assign(ModelClass.prototype, methods);
}

module.exports = { install };
