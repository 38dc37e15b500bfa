// JSON shapes of the user API the Multica CLI calls (spec agent-toolbox.md
// §4): Issue, Comment, Attachment, MemberWithUser, Agent, TaskRun. Key order
// follows the upstream Go structs; which keys are null and which are omitted
// follows §4 ("reactions"/"attachments" of an Issue omitted when empty, of a
// Comment always arrays). Pure functions of the model's records.
'use strict';

const { rfc3339Seconds } = require('./wire');
const { taskRecordView } = require('./server_views');

// The Issue's updated_at is kept at full precision for gc-check (server-api
// §4.16); everywhere else it is whole seconds like every other timestamp.
function issueView(issue, prefix, extra = {}) {
  const view = {
    id: issue.id,
    workspace_id: issue.workspace_id,
    number: issue.number,
    identifier: `${prefix}-${issue.number}`,
    title: issue.title,
    description: extra.listing ? null : issue.description,
    status: issue.status,
    priority: issue.priority,
    assignee_type: issue.assignee_type,
    assignee_id: issue.assignee_id,
    creator_type: issue.creator_type,
    creator_id: issue.creator_id,
    parent_issue_id: issue.parent_issue_id,
    project_id: issue.project_id,
    position: issue.position,
    due_date: issue.due_date,
    created_at: rfc3339Seconds(issue.createdMs),
    updated_at: wholeSeconds(issue.updated_at),
  };
  if (extra.reactions && extra.reactions.length) view.reactions = extra.reactions;
  if (extra.attachments && extra.attachments.length) view.attachments = extra.attachments.map(attachmentView);
  return view;
}

// A control-planted updated_at that is not a date is shown as given.
function wholeSeconds(text) {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : rfc3339Seconds(ms);
}

function commentView(comment, attachments) {
  return {
    id: comment.id,
    issue_id: comment.issue_id,
    author_type: comment.author_type,
    author_id: comment.author_id,
    content: comment.content,
    type: comment.type,
    parent_id: comment.parent_id,
    created_at: rfc3339Seconds(comment.createdMs),
    updated_at: rfc3339Seconds(comment.updatedMs),
    reactions: [],
    attachments: attachments.map(attachmentView),
  };
}

function attachmentView(a) {
  return {
    id: a.id,
    workspace_id: a.workspace_id,
    issue_id: a.issue_id,
    comment_id: a.comment_id,
    uploader_type: a.uploader_type,
    uploader_id: a.uploader_id,
    filename: a.filename,
    url: a.url,
    download_url: a.url,
    content_type: a.content_type,
    size_bytes: a.data.length,
    created_at: rfc3339Seconds(a.createdMs),
  };
}

function memberView(member, user) {
  return {
    id: member.id,
    workspace_id: member.workspace_id,
    user_id: member.user_id,
    role: member.role,
    created_at: rfc3339Seconds(member.createdMs),
    name: user.name,
    email: user.email,
    avatar_url: user.avatar_url,
  };
}

// `showEnv` = the caller owns the agent or is a workspace owner/admin.
function agentUserView(agent, showEnv) {
  const env = showEnv ? agent.custom_env
    : Object.fromEntries(Object.keys(agent.custom_env).map((k) => [k, '****']));
  return {
    id: agent.id,
    workspace_id: agent.workspace_id,
    runtime_id: agent.runtime_id,
    name: agent.name,
    description: agent.description,
    instructions: agent.instructions,
    avatar_url: agent.avatar_url,
    runtime_mode: 'local',
    runtime_config: agent.runtime_config,
    custom_env: env,
    custom_args: agent.custom_args,
    custom_env_redacted: !showEnv,
    visibility: agent.visibility,
    status: agent.status,
    max_concurrent_tasks: agent.max_concurrent_tasks,
    owner_id: agent.owner_id,
    skills: agent.skills.map(agentSkillView),
    created_at: rfc3339Seconds(agent.createdMs),
    updated_at: rfc3339Seconds(agent.updatedMs),
    archived_at: rfc3339Seconds(agent.archivedMs),
    archived_by: agent.archived_by,
  };
}

// Agent listings carry only id, name and description of each skill.
function agentSkillView(skill) {
  return { id: skill.id, workspace_id: '', name: skill.name, description: skill.description || '', content: '',
    config: null, created_by: null, created_at: '', updated_at: '' };
}

// `issue runs`: a TaskRecord (workspace_id always "") plus the trigger comment.
function taskRunView(task) {
  const view = taskRecordView(task);
  if (task.trigger_comment_id) view.trigger_comment_id = task.trigger_comment_id;
  return view;
}

module.exports = { issueView, commentView, attachmentView, memberView, agentUserView, taskRunView };
