// Item, turn and usage objects in the exact shapes Codex 0.171.0 emits (spec
// codex-app-server.md §2.5, §4.2-4.4). Pure builders; timestamps in ms unless
// the field name says seconds (startedAt / completedAt / createdAt).
'use strict';

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

function turnObject(turn, status, extra = {}) {
  return {
    id: turn.id,
    rootTurnId: turn.id,
    items: extra.items || [],
    itemsView: extra.itemsView || 'notLoaded',
    status,
    error: extra.error || null,
    startedAt: turn.startedAt,
    completedAt: status === 'inProgress' ? null : nowSeconds(),
    durationMs: status === 'inProgress' ? null : Date.now() - turn.startedMs,
  };
}

function userMessageItem(id, text) {
  const ms = Date.now();
  return { type: 'userMessage', id, clientId: null, content: [{ type: 'text', text, text_elements: [] }],
    startedAtMs: ms, completedAtMs: ms };
}

function agentMessageItem(id, text, startedAtMs, completedAtMs = null) {
  return { type: 'agentMessage', moderation: null, id, text, phase: null, memoryCitation: null, delivery: null,
    questions: null, startedAtMs, completedAtMs };
}

// `state`: {status, source, output, exitCode, durationMs, completedAtMs}.
function commandItem(id, command, cwd, startedAtMs, state) {
  return {
    type: 'commandExecution',
    id,
    pluginId: null,
    scriptPath: null,
    command: `/bin/bash -lc '${command.replace(/'/g, `'\\''`)}'`,
    cwd,
    processId: state.status === 'inProgress' ? null : String(process.pid),
    source: state.source || 'unifiedExecStartup',
    status: state.status,
    commandActions: [{ type: 'unknown', command }],
    aggregatedOutput: state.output === undefined ? null : state.output,
    exitCode: state.exitCode === undefined ? null : state.exitCode,
    durationMs: state.durationMs === undefined ? null : state.durationMs,
    startedAtMs,
    completedAtMs: state.completedAtMs || null,
  };
}

function fileChangeItem(id, filePath, diff, status, startedAtMs, completedAtMs = null) {
  return { type: 'fileChange', id, changes: [{ path: filePath, kind: { type: 'add' }, diff }], status,
    startedAtMs, completedAtMs };
}

function reasoningItem(id, summary, content, startedAtMs, completedAtMs = null) {
  return { type: 'reasoning', id, summary, content, startedAtMs, completedAtMs };
}

// Token counts -> the notification's breakdown object.
function usageBreakdown(u) {
  return {
    totalTokens: u.input + u.output,
    inputTokens: u.input,
    cachedInputTokens: u.cached,
    cacheWriteInputTokens: 0,
    outputTokens: u.output,
    reasoningOutputTokens: u.reasoning,
  };
}

function addUsage(total, last) {
  return { input: total.input + last.input, cached: total.cached + last.cached, output: total.output + last.output,
    reasoning: total.reasoning + last.reasoning };
}

function turnError(message, codexErrorInfo = 'other') {
  return { message, codexErrorInfo, additionalDetails: null, misalignment: null };
}

module.exports = {
  nowSeconds, turnObject, userMessageItem, agentMessageItem, commandItem, fileChangeItem, reasoningItem,
  usageBreakdown, addUsage, turnError,
};
