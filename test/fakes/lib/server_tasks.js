// Task lifecycle of the fake Multica server, installed onto ServerModel:
// enqueue (control API), the claim algorithm of spec §4.6, the transition
// guards of §6, transcript messages, usage, and server-side failure.
//
//   queued --claim--> dispatched --start--> running --complete--> completed
//      |                  |                    |
//      |                  +------fail----------+--fail/sweeper--> failed
//      +------------------+--------------------+--cancel--------> cancelled
'use strict';

const { newUuid, isUuid, rfc3339Fraction } = require('./wire');
const { claimedTaskView, messageView } = require('./server_views');

const CHAT_PRIORITY = 2;

let ApiError; // injected by install() to avoid a require cycle

const methods = {
  // ---- access (§4 "task access check") ----------------------------------

  taskWorkspaceId(task) {
    const issue = task.issue_id && this.issues.get(task.issue_id);
    if (issue) return issue.workspace_id;
    const chat = task.chat_session_id && this.chatSessions.get(task.chat_session_id);
    return chat ? chat.workspace_id : '';
  },

  taskFor(principal, id) {
    const task = isUuid(id) ? this.tasks.get(id.toLowerCase()) : undefined;
    if (!task) throw new ApiError(404, 'task not found');
    const workspaceId = this.taskWorkspaceId(task);
    if (!workspaceId) throw new ApiError(404, 'task not found');
    if (!this.canAccess(principal, workspaceId)) throw new ApiError(404, 'not found');
    return task;
  },

  // ---- enqueue (control API) --------------------------------------------

  createTask(body) {
    const ws = this.workspaces.get(body.workspace_id);
    if (!ws) throw new ApiError(404, 'workspace not found');
    const provider = body.provider || 'codex';
    const agent = this.agentForNewTask(body, ws, provider);
    const isChat = Boolean(body.chat_session_id);
    const issueId = isChat ? '' : this.issueForNewTask(body, ws, agent);
    if (isChat) this.chatForNewTask(body, ws);
    if (issueId && [...this.tasks.values()].some((t) => t.agent_id === agent.id && t.issue_id === issueId &&
        (t.status === 'queued' || t.status === 'dispatched'))) {
      throw new ApiError(409, 'a queued or dispatched task already exists for this agent and issue');
    }
    const taskBody = isChat ? body : this.triggerForNewTask(body, this.issues.get(issueId));
    const task = this.newTask(taskBody, agent, issueId, isChat);
    return { task_id: task.id, agent_id: agent.id, issue_id: issueId, runtime_id: task.runtime_id,
      chat_session_id: task.chat_session_id || undefined };
  },

  agentForNewTask(body, ws, provider) {
    let agent = body.agent_id ? this.agents.get(body.agent_id) : null;
    if (body.agent_id && !agent) throw new ApiError(404, 'agent not found');
    let runtimeId = body.runtime_id;
    if (runtimeId) {
      const rt = this.runtimes.get(runtimeId);
      if (!rt || rt.workspace_id !== ws.id) throw new ApiError(404, 'runtime not found');
    } else if (!agent) {
      const rt = this.runtimesFor(ws.id, provider)[0];
      if (!rt) throw new ApiError(409, `no runtime registered for provider ${provider} in this workspace`);
      runtimeId = rt.id;
    }
    if (!agent) {
      agent = this.buildAgent(body.agent || {}, ws.id, runtimeId);
      this.agents.set(agent.id, agent);
    } else if (runtimeId) {
      agent.runtime_id = runtimeId; // moving the agent, as a user re-binding it would
    }
    return agent;
  },

  // A new issue is the agent's, in progress, as an assignment that started
  // the agent leaves it upstream (unless `issue` says otherwise).
  issueForNewTask(body, ws, agent) {
    if (!body.issue_id) {
      const fields = { status: 'in_progress', assignee_type: 'agent', assignee_id: agent.id, ...(body.issue || {}) };
      return this.addIssue(ws.id, fields).id;
    }
    const issue = this.issues.get(body.issue_id);
    if (!issue || issue.workspace_id !== ws.id) throw new ApiError(404, 'issue not found');
    return issue.id;
  },

  // A trigger comment given by content becomes a real comment of the issue
  // (by the workspace owner); one given by id lends its content to the claim.
  triggerForNewTask(body, issue) {
    if (body.trigger_comment_content && !body.trigger_comment_id) {
      const author = this.defaultActor(issue.workspace_id);
      const comment = this.insertComment({ workspace_id: issue.workspace_id, issue_id: issue.id,
        author_type: author.type, author_id: author.id, content: body.trigger_comment_content });
      return { ...body, trigger_comment_id: comment.id };
    }
    const comment = body.trigger_comment_id && this.comments.find((c) => c.id === body.trigger_comment_id);
    if (comment && !body.trigger_comment_content) return { ...body, trigger_comment_content: comment.content };
    return body;
  },

  chatForNewTask(body, ws) {
    let chat = this.chatSessions.get(body.chat_session_id);
    if (!chat) {
      chat = { id: body.chat_session_id, workspace_id: ws.id, session_id: null, work_dir: null, messages: [] };
      this.chatSessions.set(chat.id, chat);
    }
    if (body.chat_message) chat.messages.push({ role: 'user', content: body.chat_message });
  },

  newTask(body, agent, issueId, isChat) {
    const triggerContent = body.trigger_comment_content || '';
    const task = {
      id: newUuid(),
      seq: this.nextSeq(),
      agent_id: agent.id,
      runtime_id: agent.runtime_id, // copied at enqueue time (§6)
      issue_id: issueId,
      chat_session_id: isChat ? body.chat_session_id : '',
      status: 'queued',
      priority: Number.isInteger(body.priority) ? body.priority : (isChat ? CHAT_PRIORITY : 0),
      createdMs: this.now(),
      dispatchedMs: null,
      startedMs: null,
      completedMs: null,
      completedSeq: 0,
      result: null,
      error: null,
      session_id: null,
      work_dir: null,
      // A comment's content cannot exist without the comment: invent its id.
      trigger_comment_id: body.trigger_comment_id || (triggerContent ? newUuid() : ''),
      trigger_comment_content: triggerContent,
      explicit_prior_session_id: body.prior_session_id || '',
      explicit_prior_work_dir: body.prior_work_dir || '',
    };
    this.tasks.set(task.id, task);
    return task;
  },

  // ---- claim (§4.6, reproduced step by step) ------------------------------

  claim(principal, runtimeId) {
    const rt = this.runtimeFor(principal, runtimeId);
    const candidates = sortForClaim([...this.tasks.values()]
      .filter((t) => t.runtime_id === rt.id && (t.status === 'queued' || t.status === 'dispatched')));
    const seenAgents = new Set();
    for (const candidate of candidates) {
      if (seenAgents.has(candidate.agent_id)) continue;
      seenAgents.add(candidate.agent_id);
      const agent = this.agents.get(candidate.agent_id);
      if (!agent || this.activeTaskCount(agent.id) >= agent.max_concurrent_tasks) continue;
      const next = this.nextClaimable(agent.id);
      if (!next) continue;
      next.status = 'dispatched';
      next.dispatchedMs = this.now();
      agent.status = 'working';
      // A task of another runtime is stranded: dispatched, returned to no one.
      if (next.runtime_id === rt.id) return { task: this.claimView(next) };
    }
    return { task: null };
  },

  activeTaskCount(agentId) {
    return [...this.tasks.values()].filter((t) => t.agent_id === agentId && isActive(t)).length;
  },

  nextClaimable(agentId) {
    const mine = [...this.tasks.values()].filter((t) => t.agent_id === agentId);
    const active = mine.filter(isActive);
    return sortForClaim(mine.filter((t) => t.status === 'queued')).find((t) => !active.some((a) =>
      (t.issue_id && a.issue_id === t.issue_id) || (t.chat_session_id && a.chat_session_id === t.chat_session_id)));
  },

  claimView(task) {
    const workspaceId = this.taskWorkspaceId(task);
    const ws = this.workspaces.get(workspaceId);
    const prior = this.priorSession(task);
    const chat = task.chat_session_id && this.chatSessions.get(task.chat_session_id);
    const lastUser = chat ? chat.messages.filter((m) => m.role === 'user').pop() : null;
    return claimedTaskView(task, {
      workspaceId,
      agent: this.agents.get(task.agent_id),
      repos: ws && ws.repos,
      priorSessionId: task.explicit_prior_session_id || prior.sessionId,
      priorWorkDir: task.explicit_prior_work_dir || prior.workDir,
      chatMessage: lastUser ? lastUser.content : '',
    });
  },

  // Issue task: the latest completed task of the same (agent, issue) with a
  // session id. Chat task: whatever the chat session stored.
  priorSession(task) {
    if (task.chat_session_id) {
      const chat = this.chatSessions.get(task.chat_session_id);
      return { sessionId: (chat && chat.session_id) || '', workDir: (chat && chat.work_dir) || '' };
    }
    if (!task.issue_id) return { sessionId: '', workDir: '' };
    const prior = [...this.tasks.values()]
      .filter((t) => t.agent_id === task.agent_id && t.issue_id === task.issue_id &&
        t.status === 'completed' && t.session_id)
      .sort((a, b) => b.completedSeq - a.completedSeq)[0];
    return prior ? { sessionId: prior.session_id, workDir: prior.work_dir || '' } : { sessionId: '', workDir: '' };
  },

  // ---- transitions (§6) -------------------------------------------------

  startTask(principal, id) {
    const task = this.taskFor(principal, id);
    if (task.status !== 'dispatched') throw new ApiError(400, 'start task: no rows in result set');
    task.status = 'running';
    task.startedMs = this.now();
    return task;
  },

  completeTask(task, body) {
    if (task.status !== 'running') throw new ApiError(400, 'complete task: no rows in result set');
    Object.assign(task, {
      status: 'completed',
      completedMs: this.now(),
      completedSeq: this.nextSeq(),
      result: { pr_url: body.pr_url, output: body.output, session_id: body.session_id, work_dir: body.work_dir },
      session_id: body.session_id || null,
      work_dir: body.work_dir || null,
    });
    if (task.chat_session_id) this.completeChat(task, body);
    else if (task.issue_id && !task.trigger_comment_id && body.output) {
      this.addComment(task, 'comment', body.output);
    }
    this.recomputeAgentStatus(task.agent_id);
    return task;
  },

  completeChat(task, body) {
    const chat = this.chatSessions.get(task.chat_session_id);
    if (!chat) return;
    if (body.output) chat.messages.push({ role: 'assistant', content: body.output });
    chat.session_id = body.session_id || null; // overwritten even with NULL (§14.17)
    chat.work_dir = body.work_dir || null;
  },

  failTask(task, body) {
    if (!isActive(task)) throw new ApiError(400, 'fail task: no rows in result set');
    Object.assign(task, { status: 'failed', completedMs: this.now(), error: body.error });
    if (task.issue_id && body.error) this.addComment(task, 'system', body.error);
    this.recomputeAgentStatus(task.agent_id);
    return task;
  },

  // Failure decided by the server (sweeper or control API): no comment, but
  // the issue goes back to todo when nothing else works on it (§7.3 step 4).
  serverFailTask(task, error) {
    Object.assign(task, { status: 'failed', completedMs: this.now(), error });
    const issue = task.issue_id && this.issues.get(task.issue_id);
    if (issue && issue.status === 'in_progress' && ![...this.tasks.values()].some((t) =>
      t.issue_id === issue.id && (t.status === 'queued' || isActive(t)))) {
      issue.status = 'todo';
      issue.updated_at = rfc3339Fraction(this.now());
      this.recordStatusChange(issue, 'in_progress', null, 'server');
    }
    this.recomputeAgentStatus(task.agent_id);
  },

  cancelTask(id) {
    const task = this.tasks.get(id);
    if (!task) throw new ApiError(404, 'task not found');
    if (!['queued', 'dispatched', 'running'].includes(task.status)) {
      throw new ApiError(400, `task is ${task.status}, not cancellable`);
    }
    Object.assign(task, { status: 'cancelled', completedMs: this.now() });
    this.recomputeAgentStatus(task.agent_id);
    return task;
  },

  controlFailTask(id, error) {
    const task = this.tasks.get(id);
    if (!task) throw new ApiError(404, 'task not found');
    if (!['queued', 'dispatched', 'running'].includes(task.status)) {
      throw new ApiError(400, `task is ${task.status}, cannot fail`);
    }
    this.serverFailTask(task, error);
    return task;
  },

  dropTask(id) {
    const task = this.tasks.get(id);
    if (!task) throw new ApiError(404, 'task not found');
    this.tasks.delete(id);
    this.recomputeAgentStatus(task.agent_id);
  },

  recomputeAgentStatus(agentId) {
    const agent = this.agents.get(agentId);
    if (agent) agent.status = this.activeTaskCount(agentId) ? 'working' : 'idle';
  },

  // ---- transcript, usage, progress ---------------------------------------

  addMessages(task, messages) {
    const list = this.messages.get(task.id) || [];
    for (const m of messages) list.push({ task_id: task.id, issue_id: task.issue_id, ...m });
    this.messages.set(task.id, list);
  },

  listMessages(task, since) {
    return (this.messages.get(task.id) || [])
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => since === null || m.seq > since)
      .sort((a, b) => a.m.seq - b.m.seq || a.i - b.i)
      .map(({ m }) => messageView(m));
  },

  upsertUsage(task, entries) {
    const list = this.usage.get(task.id) || [];
    for (const e of entries) {
      const entry = { provider: e.provider, model: e.model, input_tokens: e.input_tokens,
        output_tokens: e.output_tokens, cache_read_tokens: e.cache_read_tokens,
        cache_write_tokens: e.cache_write_tokens };
      const i = list.findIndex((x) => x.provider === e.provider && x.model === e.model);
      if (i >= 0) list[i] = entry;
      else list.push(entry);
    }
    this.usage.set(task.id, list);
  },

  addProgress(task, body) {
    const list = this.progress.get(task.id) || [];
    list.push(body);
    this.progress.set(task.id, list);
  },

  pendingTasks(principal, runtimeId) {
    const rt = this.runtimeFor(principal, runtimeId);
    return sortForClaim([...this.tasks.values()]
      .filter((t) => t.runtime_id === rt.id && (t.status === 'queued' || t.status === 'dispatched')));
  },
};

function isActive(task) {
  return task.status === 'dispatched' || task.status === 'running';
}

// priority desc, then created_at asc (creation order breaks ties).
function sortForClaim(tasks) {
  return tasks.sort((a, b) => b.priority - a.priority || a.createdMs - b.createdMs || a.seq - b.seq);
}

function install(ModelClass, apiErrorClass) {
  ApiError = apiErrorClass;
  Object.assign(ModelClass.prototype, methods);
}

module.exports = { install };
