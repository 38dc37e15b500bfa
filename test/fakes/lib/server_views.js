// JSON shapes of the fake Multica server (spec server-api.md §4, §5): which
// keys are always present, which are explicit null and which are omitted when
// empty (§14.15). Key order follows the upstream Go structs. Pure functions of
// the model's records.
'use strict';

const { rfc3339Seconds, sha256Hex } = require('./wire');

const EMPTY_REPOS_VERSION = sha256Hex('');

function workspaceView(ws) {
  return {
    id: ws.id,
    name: ws.name,
    slug: ws.slug,
    description: ws.description,
    context: ws.context,
    settings: ws.settings,
    repos: ws.repos === undefined ? [] : ws.repos,
    issue_prefix: ws.issue_prefix,
    created_at: rfc3339Seconds(ws.createdMs),
    updated_at: rfc3339Seconds(ws.updatedMs),
  };
}

function runtimeView(rt) {
  return {
    id: rt.id,
    workspace_id: rt.workspace_id,
    daemon_id: rt.daemon_id,
    name: rt.name,
    runtime_mode: 'local',
    provider: rt.provider,
    status: rt.status,
    device_info: rt.device_info,
    metadata: rt.metadata,
    owner_id: rt.owner_id,
    last_seen_at: rfc3339Seconds(rt.lastSeenMs),
    created_at: rfc3339Seconds(rt.createdMs),
    updated_at: rfc3339Seconds(rt.updatedMs),
  };
}

// §4.3: trim, drop empty URLs, drop later duplicates; a stored value that is
// not an array of objects yields an empty list.
function normalizeRepos(stored) {
  if (!Array.isArray(stored) || stored.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) return [];
  const seen = new Set();
  const out = [];
  for (const r of stored) {
    const url = typeof r.url === 'string' ? r.url.trim() : '';
    const description = typeof r.description === 'string' ? r.description.trim() : '';
    if (!url || seen.has(url)) continue;
    seen.add(url);
    out.push({ url, description });
  }
  return out;
}

function reposVersion(repos) {
  const urls = repos.map((r) => r.url).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return urls.length ? sha256Hex(urls.join('\n')) : EMPTY_REPOS_VERSION;
}

// The fields every task JSON carries. TaskRecord (start/complete/fail/pending)
// always has workspace_id "" and no enrichments.
function taskCore(task, workspaceId) {
  return {
    id: task.id,
    agent_id: task.agent_id,
    runtime_id: task.runtime_id,
    issue_id: task.issue_id,
    workspace_id: workspaceId,
    status: task.status,
    priority: task.priority,
    dispatched_at: rfc3339Seconds(task.dispatchedMs),
    started_at: rfc3339Seconds(task.startedMs),
    completed_at: rfc3339Seconds(task.completedMs),
    result: task.result,
    error: task.error,
  };
}

function taskRecordView(task) {
  return { ...taskCore(task, ''), created_at: rfc3339Seconds(task.createdMs) };
}

// The claim's Task (§5). `extra` carries what the model resolved: workspace
// id, agent row, raw workspace repos, prior session, chat message.
function claimedTaskView(task, extra) {
  const view = taskCore(task, extra.workspaceId);
  if (extra.agent) view.agent = agentView(extra.agent);
  if (Array.isArray(extra.repos) && extra.repos.length) view.repos = extra.repos;
  view.created_at = rfc3339Seconds(task.createdMs);
  if (extra.priorSessionId) view.prior_session_id = extra.priorSessionId;
  if (extra.priorWorkDir) view.prior_work_dir = extra.priorWorkDir;
  if (task.trigger_comment_id) view.trigger_comment_id = task.trigger_comment_id;
  if (task.trigger_comment_content) view.trigger_comment_content = task.trigger_comment_content;
  if (task.chat_session_id) view.chat_session_id = task.chat_session_id;
  if (extra.chatMessage) view.chat_message = extra.chatMessage;
  return view;
}

function agentView(agent) {
  const view = { id: agent.id, name: agent.name, instructions: agent.instructions };
  if (agent.skills.length) {
    view.skills = [...agent.skills].sort((a, b) => compareStrings(a.name, b.name)).map(skillView);
  }
  if (Object.keys(agent.custom_env).length) view.custom_env = agent.custom_env;
  if (agent.custom_args.length) view.custom_args = agent.custom_args;
  for (const key of ['model', 'thinking_level', 'service_tier']) if (agent[key]) view[key] = agent[key];
  return view;
}

function skillView(skill) {
  const view = { name: skill.name, content: skill.content || '' };
  const files = Array.isArray(skill.files) ? skill.files : [];
  if (files.length) {
    view.files = [...files].sort((a, b) => compareStrings(a.path, b.path))
      .map((f) => ({ path: f.path, content: f.content || '' }));
  }
  return view;
}

// §4.17 message objects: optional members omitted when empty.
function messageView(m) {
  const view = { task_id: m.task_id };
  if (m.issue_id) view.issue_id = m.issue_id;
  view.seq = m.seq;
  view.type = m.type;
  if (m.tool) view.tool = m.tool;
  if (m.content) view.content = m.content;
  if (m.input && Object.keys(m.input).length) view.input = m.input;
  if (m.output) view.output = m.output;
  return view;
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = {
  workspaceView, runtimeView, normalizeRepos, reposVersion, taskRecordView, claimedTaskView, messageView,
};
