// Comments of the fake Multica server, installed onto ServerModel: the ones
// the daemon causes (complete/fail, server-api §4.11-4.12), the ones the CLI
// posts and lists (agent-toolbox §5.3-5.5, paging quirks included), and the
// ones tests plant through the control API. A member's comment on an
// agent-assigned issue starts that agent (an agent's never does, §3.3).
'use strict';

const { newUuid, isUuid, parseRfc3339 } = require('./wire');

// §5.3: `since` alone returns at most 500, paging without `limit` 50.
const SINCE_DEFAULT_LIMIT = 500;
const PAGE_DEFAULT_LIMIT = 50;

let ApiError; // injected by install() to avoid a require cycle

const methods = {
  insertComment(fields) {
    const now = Number.isFinite(fields.createdMs) ? fields.createdMs : this.now();
    const comment = {
      id: newUuid(),
      seq: this.nextSeq(),
      workspace_id: fields.workspace_id,
      issue_id: fields.issue_id,
      author_type: fields.author_type,
      author_id: fields.author_id,
      content: fields.content,
      type: fields.type || 'comment',
      parent_id: fields.parent_id || null,
      task_id: fields.task_id || null,
      createdMs: now,
      updatedMs: now,
    };
    this.comments.push(comment);
    return comment;
  },

  commentsOf(issueId) {
    return this.comments.filter((c) => c.issue_id === issueId)
      .sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
  },

  // -> {comments, total}; total is null when no parameter was given (then
  // there is no X-Total-Count header). Pages count from the oldest comment.
  listCommentsApi(issue, query) {
    const all = this.commentsOf(issue.id);
    const given = (k) => (query.get(k) || '') !== '';
    if (!given('limit') && !given('offset') && !given('since')) return { comments: all, total: null };
    let limit = null;
    let offset = 0;
    let sinceMs = null;
    if (given('limit')) {
      limit = parseInteger(query.get('limit'));
      if (limit === null || limit < 1) throw new ApiError(400, 'invalid limit parameter');
    }
    if (given('offset')) {
      offset = parseInteger(query.get('offset'));
      if (offset === null || offset < 0) throw new ApiError(400, 'invalid offset parameter');
    }
    if (given('since')) {
      sinceMs = parseRfc3339(query.get('since'));
      if (sinceMs === null) throw new ApiError(400, 'invalid since parameter; expected RFC3339 format');
    }
    if (limit === null) limit = sinceMs === null ? PAGE_DEFAULT_LIMIT : SINCE_DEFAULT_LIMIT;
    const selected = sinceMs === null ? all : all.filter((c) => c.createdMs > sinceMs);
    return { comments: selected.slice(offset, offset + limit), total: all.length };
  },

  // §5.4. The parent must belong to the issue *as named in the path*: a
  // KEY-123 path never matches a parent's issue UUID (a faithful quirk).
  createCommentApi(workspaceId, actor, issue, pathId, body) {
    if (!body.content) throw new ApiError(400, 'content is required');
    if (body.parent_id) {
      const parent = isUuid(body.parent_id) ? this.comments.find((c) => c.id === body.parent_id.toLowerCase()) : null;
      if (!parent || parent.issue_id !== pathId) throw new ApiError(400, 'invalid parent comment');
    }
    const comment = this.insertComment({ workspace_id: workspaceId, issue_id: issue.id, author_type: actor.type,
      author_id: actor.id, content: body.content, type: body.type, parent_id: body.parent_id || null,
      task_id: actor.taskId });
    this.linkAttachments(workspaceId, body.attachment_ids, { issue_id: issue.id, comment_id: comment.id });
    if (actor.type === 'member' && issue.assignee_type === 'agent') this.enqueueForIssue(issue, comment);
    return comment;
  },

  // §5.5: the author (as attributed now) or a workspace owner/admin; replies
  // and the comment's attachments go with it.
  deleteCommentApi(principal, workspaceId, actor, id) {
    const comment = isUuid(id) ? this.comments.find((c) => c.id === id.toLowerCase()) : null;
    if (!comment || comment.workspace_id !== workspaceId) throw new ApiError(404, 'comment not found');
    const isAuthor = comment.author_type === actor.type && comment.author_id === actor.id;
    if (!isAuthor && !this.isAdmin(workspaceId, principal.userId)) {
      throw new ApiError(403, 'only comment author or admin can delete');
    }
    const doomed = new Set([comment.id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const c of this.comments) {
        if (c.parent_id && doomed.has(c.parent_id) && !doomed.has(c.id)) {
          doomed.add(c.id);
          grew = true;
        }
      }
    }
    this.comments = this.comments.filter((c) => !doomed.has(c.id));
    for (const [aid, a] of this.attachments) if (doomed.has(a.comment_id)) this.attachments.delete(aid);
    this.deletedComments.push({ id: comment.id, issue_id: comment.issue_id, actor_type: actor.type,
      actor_id: actor.id });
  },

  // Control API: {issue_id, content, author_type?, author_id?, parent_id?,
  // type?, created_at?}; no side effects.
  addCommentControl(body) {
    const issue = this.issues.get(body.issue_id);
    if (!issue) throw new ApiError(404, 'issue not found');
    if (typeof body.content !== 'string' || !body.content) throw new ApiError(400, 'content is required');
    let author = this.defaultActor(issue.workspace_id);
    if (body.author_type === 'agent' || body.author_id) {
      author = { type: body.author_type || 'member', id: body.author_id };
      if (!author.id) throw new ApiError(400, 'author_id is required with author_type agent');
    }
    let createdMs;
    if (body.created_at !== undefined) {
      createdMs = parseRfc3339(body.created_at);
      if (createdMs === null) throw new ApiError(400, 'created_at must be RFC 3339');
    }
    return this.insertComment({ workspace_id: issue.workspace_id, issue_id: issue.id, author_type: author.type,
      author_id: author.id, content: body.content, type: body.type, parent_id: body.parent_id, createdMs });
  },

  // Complete/fail on an issue task: the agent's comment, a reply to the
  // trigger comment when there is one.
  addComment(task, type, content) {
    this.insertComment({ workspace_id: this.taskWorkspaceId(task), issue_id: task.issue_id, author_type: 'agent',
      author_id: task.agent_id, content, type, parent_id: task.trigger_comment_id || null, task_id: task.id });
  },
};

// Go's strconv.Atoi: optional sign, decimal digits.
function parseInteger(text) {
  return /^[+-]?\d+$/.test(text) ? Number(text) : null;
}

function install(ModelClass, apiErrorClass) {
  ApiError = apiErrorClass;
  Object.assign(ModelClass.prototype, methods);
}

module.exports = { install };
