// Script steps of the mock Responses API turned into what goes on the wire
// (spec codex-app-server.md §7.3-7.4). Pure: a step plus a counter in, an
// answer plan out: {status, contentType, body} for plain HTTP answers, or
// {events: [[type, data]], stall} for SSE.
'use strict';

const STEP_TYPES = ['text', 'exec', 'patch', 'http_error', 'failed', 'stall'];

// Non-zero so the daemon's usage path is always exercised.
const DEFAULT_USAGE = { input_tokens: 120, output_tokens: 30, cached_tokens: 20, reasoning_tokens: 10 };

function validateSteps(steps) {
  if (!Array.isArray(steps)) throw new Error('steps must be an array');
  steps.forEach((s, i) => {
    if (!s || !STEP_TYPES.includes(s.type)) throw new Error(`step ${i}: type must be one of ${STEP_TYPES.join(', ')}`);
    if (s.type === 'exec' && typeof s.cmd !== 'string') throw new Error(`step ${i}: exec needs cmd`);
    if (s.type === 'patch' && typeof s.file !== 'string') throw new Error(`step ${i}: patch needs file`);
  });
}

function usageObject(step) {
  const u = { ...DEFAULT_USAGE, ...(step.usage || {}) };
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

// `n` numbers this response (resp_n, msg_n, call_n) so ids never repeat.
function planFor(step, n) {
  const responseId = `resp_${n}`;
  const created = ['response.created', { type: 'response.created', response: { id: responseId } }];
  const completed = ['response.completed', { type: 'response.completed',
    response: { id: responseId, usage: usageObject(step) } }];
  switch (step.type) {
    case 'text':
      return { events: [created, ...messageEvents(step.text, `msg_${n}`), completed] };
    case 'exec':
      return { events: [created, functionCallDone(n, execArguments(step)), completed] };
    case 'patch':
      return { events: [created, functionCallDone(n, { cmd: patchCommand(step) }), completed] };
    case 'http_error':
      return { status: step.status || 500, contentType: 'application/json',
        body: JSON.stringify(step.body || { error: { message: 'mock http error' } }) };
    case 'failed':
      return { events: [created, ['response.failed', { type: 'response.failed', response: { id: responseId,
        error: { code: step.code || 'server_error', message: step.message || 'mock response.failed message' } } }]] };
    case 'stall':
      return { events: [created], stall: true };
    default:
      throw new Error(`unknown step type ${step.type}`);
  }
}

function messageEvents(text, id) {
  return [
    ['response.output_item.added', { type: 'response.output_item.added',
      item: { type: 'message', role: 'assistant', id, content: [] } }],
    ['response.output_text.delta', { type: 'response.output_text.delta', item_id: id, output_index: 0,
      content_index: 0, delta: text }],
    ['response.output_item.done', { type: 'response.output_item.done',
      item: { type: 'message', role: 'assistant', id, content: [{ type: 'output_text', text }] } }],
  ];
}

// `arguments` is a JSON-encoded string, as the Responses API sends it.
function functionCallDone(n, args) {
  return ['response.output_item.done', { type: 'response.output_item.done', item: { type: 'function_call',
    id: `fc_${n}`, call_id: `call_${n}`, name: 'exec_command', arguments: JSON.stringify(args) } }];
}

function execArguments(step) {
  const args = { cmd: step.cmd };
  for (const key of ['workdir', 'sandbox_permissions', 'justification', 'max_output_tokens']) {
    if (step[key] !== undefined) args[key] = step[key];
  }
  args.yield_time_ms = step.yield_time_ms || 3000;
  return args;
}

// Codex turns this shell form into a fileChange item (§7.4 (b)).
function patchCommand(step) {
  const body = String(step.content === undefined ? 'hello\n' : step.content).replace(/\n$/, '').split('\n')
    .map((l) => `+${l}`).join('\n');
  return `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ${step.file}\n${body}\n*** End Patch\nEOF\n`;
}

function sseFrame([type, data]) {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

module.exports = { validateSteps, planFor, sseFrame, STEP_TYPES };
