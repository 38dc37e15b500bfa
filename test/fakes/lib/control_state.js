// GET /_fake/state: the fake server's whole state as tests assert on it
// (README.md documents every key). Keys and fields only ever grow: C++ tests
// read comments {issue_id, task_id, author_agent_id, type, content,
// parent_comment_id} and issues {id, workspace_id, status, updated_at}.
'use strict';

const { rfc3339Seconds } = require('./wire');
const { messageView, runtimeView } = require('./server_views');
const { attachmentView } = require('./user_views');

function stateView(model) {
  const byTask = (map, view) => Object.fromEntries([...map].map(([id, list]) => [id, list.map(view)]));
  const issues = [...model.issues.values()].sort((a, b) => a.seq - b.seq).map((i) => issueStateView(model, i));
  return {
    workspaces: [...model.workspaces.values()].map((w) => ({ id: w.id, name: w.name, repos: w.repos, slug: w.slug,
      issue_prefix: w.issue_prefix })),
    runtimes: [...model.runtimes.values()].map(runtimeStateView),
    agents: [...model.agents.values()].map(agentStateView),
    tasks: [...model.tasks.values()].sort((a, b) => a.seq - b.seq)
      .map((t) => taskStateView(t, model.taskWorkspaceId(t))),
    messages: byTask(model.messages, messageView),
    usage: byTask(model.usage, (u) => u),
    progress: byTask(model.progress, (p) => p),
    comments: model.comments.map((c) => commentStateView(model, c)),
    chat_sessions: [...model.chatSessions.values()],
    pings: [...model.pings.values()].map((p) => ({ id: p.id, runtime_id: p.runtime_id, status: model.pingStatus(p),
      output: p.output, error: p.error, duration_ms: p.duration_ms })),
    updates: [...model.updates.values()].map((u) => ({ id: u.id, runtime_id: u.runtime_id,
      target_version: u.target_version, status: model.updateStatus(u), output: u.output, error: u.error })),
    issues,
    created_issues: issues.filter((i) => i.created_via === 'api'),
    status_changes: model.statusChanges,
    deleted_comments: model.deletedComments,
    members: model.members.map((m) => memberStateView(model, m)),
    attachments: [...model.attachments.values()].map(attachmentView),
  };
}

// Issues keep gc-check's full-precision updated_at here.
function issueStateView(model, i) {
  return {
    id: i.id, workspace_id: i.workspace_id, status: i.status, updated_at: i.updated_at, number: i.number,
    identifier: `${model.issuePrefix(i.workspace_id)}-${i.number}`, title: i.title, description: i.description,
    priority: i.priority, assignee_type: i.assignee_type, assignee_id: i.assignee_id, creator_type: i.creator_type,
    creator_id: i.creator_id, parent_issue_id: i.parent_issue_id, project_id: i.project_id, position: i.position,
    due_date: i.due_date, created_at: rfc3339Seconds(i.createdMs), created_via: i.via,
  };
}

function commentStateView(model, c) {
  return {
    id: c.id, issue_id: c.issue_id, workspace_id: c.workspace_id, task_id: c.task_id,
    author_agent_id: c.author_type === 'agent' ? c.author_id : null, author_type: c.author_type,
    author_id: c.author_id, type: c.type, content: c.content, parent_comment_id: c.parent_id, parent_id: c.parent_id,
    created_at: rfc3339Seconds(c.createdMs), attachment_ids: model.attachmentsOfComment(c.id).map((a) => a.id),
  };
}

function memberStateView(model, m) {
  const user = model.users.get(m.user_id);
  return { id: m.id, workspace_id: m.workspace_id, user_id: m.user_id, role: m.role, name: user.name,
    email: user.email };
}

function agentStateView(a) {
  return {
    id: a.id, runtime_id: a.runtime_id, name: a.name, instructions: a.instructions, skills: a.skills,
    custom_env: a.custom_env, custom_args: a.custom_args, max_concurrent_tasks: a.max_concurrent_tasks,
    status: a.status, workspace_id: a.workspace_id, description: a.description, visibility: a.visibility,
    owner_id: a.owner_id, archived_at: rfc3339Seconds(a.archivedMs),
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
    error: t.error, session_id: t.session_id, work_dir: t.work_dir, trigger_comment_id: t.trigger_comment_id || null,
    created_at: rfc3339Seconds(t.createdMs),
    dispatched_at: rfc3339Seconds(t.dispatchedMs), started_at: rfc3339Seconds(t.startedMs),
    completed_at: rfc3339Seconds(t.completedMs),
  };
}

module.exports = { stateView, issueStateView, commentStateView };
