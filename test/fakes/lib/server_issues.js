// Issues of the fake Multica server, installed onto ServerModel: numbering
// and KEY-123 references (agent-toolbox §3.4), list/search, create and update
// with the validations of §5.7-5.8, and their server-side effects on tasks
// (cancel on reassignment or cancellation, enqueue for an agent assignee).
// Every status change is recorded with its actor so tests can assert it.
//
// Operations return records (views are user_views.js) or throw ApiError.
'use strict';

const { newUuid, isUuid, parseRfc3339, rfc3339Seconds, rfc3339Fraction } = require('./wire');

const STATUSES = ['backlog', 'todo', 'in_progress', 'in_review', 'done', 'blocked', 'cancelled'];
const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'];
// Task priority of a task enqueued for an issue (upstream priorityToInt).
const TASK_PRIORITY = { urgent: 4, high: 3, medium: 2, low: 1, none: 0 };
const OPEN_TASK = ['queued', 'dispatched', 'running'];
const NO_RUN_STATUSES = ['backlog', 'done', 'cancelled'];
const MAX_PARENT_DEPTH = 1000;

let ApiError; // injected by install() to avoid a require cycle

const methods = {
  // ---- records --------------------------------------------------------------

  // `via`: who made it ('task' = POST /_fake/tasks, 'control', 'api').
  addIssue(workspaceId, fields = {}, via = 'task') {
    const ws = this.workspaces.get(workspaceId);
    const now = this.now();
    const creator = fields.creator_type ? { type: fields.creator_type, id: fields.creator_id }
      : this.defaultActor(workspaceId);
    const number = Number.isInteger(fields.number) ? fields.number : (ws.issueCount || 0) + 1;
    ws.issueCount = Math.max(ws.issueCount || 0, number);
    const issue = {
      id: newUuid(),
      seq: this.nextSeq(),
      workspace_id: workspaceId,
      number,
      title: fields.title || `Issue ${number}`,
      description: fields.description === undefined ? null : fields.description,
      status: fields.status || 'todo',
      priority: fields.priority || 'none',
      assignee_type: fields.assignee_type || null,
      assignee_id: fields.assignee_id || null,
      creator_type: creator.type,
      creator_id: creator.id,
      parent_issue_id: fields.parent_issue_id || null,
      project_id: fields.project_id || null,
      position: Number.isFinite(fields.position) ? fields.position : 0,
      due_date: fields.due_date || null,
      createdMs: now,
      updated_at: rfc3339Fraction(now),
      via,
    };
    this.issues.set(issue.id, issue);
    return issue;
  },

  issuePrefix(workspaceId) {
    return this.workspaces.get(workspaceId).issue_prefix;
  },

  // §3.4: "<anything>-<digits>" is looked up by number in the workspace (the
  // prefix text is ignored), and only on a miss as a UUID.
  resolveIssue(workspaceId, ref) {
    const dash = ref.lastIndexOf('-');
    const tail = dash >= 0 ? ref.slice(dash + 1) : '';
    if (/^\d+$/.test(tail) && Number(tail) > 0) {
      const byNumber = this.issuesOf(workspaceId).find((i) => i.number === Number(tail));
      if (byNumber) return byNumber;
    }
    const issue = this.issueByUuid(workspaceId, ref);
    if (!issue) throw new ApiError(404, 'issue not found');
    return issue;
  },

  issueByUuid(workspaceId, id) {
    const issue = isUuid(id) ? this.issues.get(id.toLowerCase()) : undefined;
    return issue && issue.workspace_id === workspaceId ? issue : null;
  },

  issuesOf(workspaceId) {
    return [...this.issues.values()].filter((i) => i.workspace_id === workspaceId);
  },

  // §5.2: exact-match filters; position ASC, created_at DESC.
  listIssues(workspaceId, filters, limit, offset) {
    const matching = this.issuesOf(workspaceId)
      .filter((i) => Object.entries(filters).every(([k, v]) => v === null || i[k] === v))
      .sort((a, b) => a.position - b.position || b.createdMs - a.createdMs || b.seq - a.seq);
    return { issues: matching.slice(offset, offset + limit), total: matching.length };
  },

  // §5.16: case-insensitive match on identifier, title, description, then
  // comments; closed issues (done, cancelled) only with includeClosed.
  searchIssues(workspaceId, query, limit, includeClosed) {
    const q = query.toLowerCase();
    const prefix = this.issuePrefix(workspaceId);
    const hits = [];
    for (const issue of this.listIssues(workspaceId, {}, Infinity, 0).issues) {
      if (!includeClosed && (issue.status === 'done' || issue.status === 'cancelled')) continue;
      const hit = this.matchIssue(issue, prefix, q);
      if (hit) hits.push({ issue, ...hit });
    }
    return { hits: hits.slice(0, limit), total: hits.length };
  },

  matchIssue(issue, prefix, q) {
    if (`${prefix}-${issue.number}`.toLowerCase() === q) return { match_source: 'identifier' };
    if (issue.title.toLowerCase().includes(q)) return { match_source: 'title' };
    if (issue.description && issue.description.toLowerCase().includes(q)) {
      return { match_source: 'description', matched_snippet: snippet(issue.description, q) };
    }
    const comment = this.commentsOf(issue.id).find((c) => c.content.toLowerCase().includes(q));
    return comment ? { match_source: 'comment', matched_snippet: snippet(comment.content, q) } : null;
  },

  // ---- create / update (§5.7, §5.8) ------------------------------------------

  // `body` is decoded with pointer fields (undefined = absent).
  createIssueApi(principal, workspaceId, actor, body) {
    if (!body.title) throw new ApiError(400, 'title is required');
    const fields = { title: body.title, description: body.description === undefined ? null : body.description,
      status: body.status || 'todo', priority: body.priority || 'none',
      assignee_type: body.assignee_type || null, assignee_id: body.assignee_id || null,
      project_id: body.project_id || null, creator_type: actor.type, creator_id: actor.id };
    if (body.parent_issue_id) {
      const parent = this.issueByUuid(workspaceId, body.parent_issue_id);
      if (!parent) throw new ApiError(400, 'parent issue not found in this workspace');
      fields.parent_issue_id = parent.id;
      if (!fields.project_id) fields.project_id = parent.project_id;
    }
    fields.due_date = parseDueDate(body.due_date);
    this.checkAgentAssignee(principal, workspaceId, fields.assignee_type, fields.assignee_id);
    checkEnums('create', fields);
    const issue = this.addIssue(workspaceId, fields, 'api');
    this.linkAttachments(workspaceId, body.attachment_ids, { issue_id: issue.id });
    if (issue.assignee_type === 'agent' && !NO_RUN_STATUSES.includes(issue.status)) this.enqueueForIssue(issue);
    return issue;
  },

  updateIssueApi(principal, workspaceId, actor, issue, body) {
    const next = { ...issue };
    for (const key of ['title', 'status', 'priority', 'position']) if (body[key] != null) next[key] = body[key];
    for (const key of ['description', 'assignee_type', 'assignee_id', 'project_id']) {
      if (body[key] !== undefined) next[key] = body[key];
    }
    if (body.parent_issue_id !== undefined) next.parent_issue_id = this.checkParent(issue, body.parent_issue_id);
    if (body.due_date !== undefined) next.due_date = parseDueDate(body.due_date);
    const assigneeChanged = next.assignee_type !== issue.assignee_type || next.assignee_id !== issue.assignee_id;
    if (assigneeChanged) this.checkAgentAssignee(principal, workspaceId, next.assignee_type, next.assignee_id);
    checkEnums('update', next);
    const before = issue.status;
    Object.assign(issue, next, { updated_at: rfc3339Fraction(this.now()) });
    if (before !== issue.status) this.recordStatusChange(issue, before, actor, 'api');
    this.updateSideEffects(issue, before, assigneeChanged, actor);
    return issue;
  },

  // null or "" clears the parent.
  checkParent(issue, parentId) {
    if (!parentId) return null;
    if (parentId === issue.id) throw new ApiError(400, 'an issue cannot be its own parent');
    const parent = this.issueByUuid(issue.workspace_id, parentId);
    if (!parent) throw new ApiError(400, 'parent issue not found in this workspace');
    let p = parent;
    for (let depth = 0; p && depth < MAX_PARENT_DEPTH; depth++) {
      if (p.id === issue.id) throw new ApiError(400, 'circular parent relationship detected');
      p = p.parent_issue_id ? this.issues.get(p.parent_issue_id) : null;
    }
    return parent.id;
  },

  // Private agents: only their owner or a workspace owner/admin may assign them.
  checkAgentAssignee(principal, workspaceId, type, id) {
    if (type !== 'agent' || !id) return;
    const agent = isUuid(id) ? this.agents.get(id.toLowerCase()) : undefined;
    if (!agent || agent.workspace_id !== workspaceId) throw new ApiError(403, 'agent not found');
    if (agent.archivedMs !== null) throw new ApiError(403, 'cannot assign to archived agent');
    if (agent.visibility === 'private' && agent.owner_id !== principal.userId &&
        !this.isAdmin(workspaceId, principal.userId)) {
      throw new ApiError(403, 'cannot assign to private agent');
    }
  },

  // §5.6-5.7: reassignment cancels the issue's tasks (and may start the new
  // agent); cancelling cancels them; a member taking an agent's issue out of
  // backlog starts the agent.
  updateSideEffects(issue, before, assigneeChanged, actor) {
    const runnable = issue.assignee_type === 'agent' && !NO_RUN_STATUSES.includes(issue.status);
    if (assigneeChanged) {
      this.cancelIssueTasks(issue.id);
      if (runnable) this.enqueueForIssue(issue);
    } else if (before !== issue.status && issue.status === 'cancelled') {
      this.cancelIssueTasks(issue.id);
    } else if (before === 'backlog' && issue.status !== before && actor.type === 'member' && runnable) {
      this.enqueueForIssue(issue);
    }
  },

  recordStatusChange(issue, from, actor, via) {
    this.statusChanges.push({ issue_id: issue.id, from, to: issue.status, actor_type: actor ? actor.type : null,
      actor_id: actor ? actor.id : null, task_id: actor ? actor.taskId || null : null, via,
      at: rfc3339Fraction(this.now()) });
  },

  cancelIssueTasks(issueId) {
    for (const task of this.tasks.values()) {
      if (task.issue_id === issueId && OPEN_TASK.includes(task.status)) this.cancelTask(task.id);
    }
  },

  // A queued task for the issue's agent, unless one is already queued or
  // dispatched for that (agent, issue) (the unique index of server-api §6).
  enqueueForIssue(issue, trigger = null) {
    const agent = this.agents.get(issue.assignee_id);
    if (!agent || agent.archivedMs !== null) return null;
    if (!agent.runtime_id) {
      const rt = this.runtimesFor(issue.workspace_id, 'codex')[0];
      if (!rt) return null;
      agent.runtime_id = rt.id;
    }
    if ([...this.tasks.values()].some((t) => t.agent_id === agent.id && t.issue_id === issue.id &&
        (t.status === 'queued' || t.status === 'dispatched'))) return null;
    return this.newTask({ priority: TASK_PRIORITY[issue.priority] || 0,
      trigger_comment_id: trigger ? trigger.id : '', trigger_comment_content: trigger ? trigger.content : '' },
    agent, issue.id, false);
  },

  // ---- control API and daemon API --------------------------------------------

  addIssueControl(body) {
    if (!this.workspaces.has(body.workspace_id)) throw new ApiError(404, 'workspace not found');
    return this.addIssue(body.workspace_id, controlFields(body), 'control');
  },

  // Control edits: no validation, no side effects; status changes recorded.
  setIssue(issueId, fields) {
    const issue = this.issues.get(issueId);
    if (!issue) throw new ApiError(404, 'issue not found');
    const before = issue.status;
    Object.assign(issue, controlFields(fields));
    issue.updated_at = fields.updated_at || rfc3339Fraction(this.now());
    if (before !== issue.status) this.recordStatusChange(issue, before, null, 'control');
    return issue;
  },

  gcCheck(principal, issueId) {
    const issue = isUuid(issueId) ? this.issues.get(issueId.toLowerCase()) : undefined;
    if (!issue) throw new ApiError(404, 'issue not found');
    if (!this.canAccess(principal, issue.workspace_id)) throw new ApiError(404, 'not found');
    return { status: issue.status, updated_at: issue.updated_at };
  },

  // Deleting an issue deletes its tasks (cascade); they then 404. Its
  // comments stay in /_fake/state for tests to inspect.
  deleteIssue(issueId) {
    if (!this.issues.delete(issueId)) throw new ApiError(404, 'issue not found');
    for (const task of [...this.tasks.values()]) if (task.issue_id === issueId) this.dropTask(task.id);
  },
};

const CONTROL_FIELDS = ['title', 'description', 'status', 'priority', 'assignee_type', 'assignee_id', 'creator_type',
  'creator_id', 'parent_issue_id', 'project_id', 'position', 'due_date', 'number'];

function controlFields(body) {
  return Object.fromEntries(CONTROL_FIELDS.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

// null or "" clears; anything else must be RFC 3339 (stored in whole seconds).
function parseDueDate(raw) {
  if (!raw) return null;
  const ms = parseRfc3339(raw);
  if (ms === null) throw new ApiError(400, 'invalid due_date format, expected RFC3339');
  return rfc3339Seconds(ms);
}

// Enum columns are CHECK constraints upstream: a bad value fails in the
// database and surfaces as a 500 carrying pgx's error text.
function checkEnums(verb, issue) {
  const bad = (!STATUSES.includes(issue.status) && 'issue_status_check') ||
    (!PRIORITIES.includes(issue.priority) && 'issue_priority_check') ||
    (issue.assignee_type !== null && !['member', 'agent'].includes(issue.assignee_type) && 'issue_assignee_type_check');
  if (bad) {
    throw new ApiError(500, `failed to ${verb} issue: ERROR: new row for relation "issue" violates check ` +
      `constraint "${bad}" (SQLSTATE 23514)`);
  }
}

// Up to 40 characters either side of the first match.
function snippet(text, q) {
  const at = text.toLowerCase().indexOf(q);
  return text.slice(Math.max(0, at - 40), at + q.length + 40);
}

function install(ModelClass, apiErrorClass) {
  ApiError = apiErrorClass;
  Object.assign(ModelClass.prototype, methods);
}

module.exports = { install, STATUSES };
