#!/usr/bin/env node
// A mock OpenAI Responses API for driving the REAL Codex CLI offline (spec
// codex-app-server.md §7). Each POST /v1/responses consumes the next step of
// a script and answers it as SSE.
//
//   node test/fakes/mock_model.js [--port N]
//
// Binds 127.0.0.1 (port 0 = any free port) and prints {"port": N}. Control:
//   POST /_mock/script {"steps": [...]}   replace the script (cursor to 0)
//   POST /_mock/reset                      default script, forget requests
//   GET  /_mock/requests                   received bodies + interesting headers
//   GET  /_mock/script                     {steps, next}
// Step types: text, exec, patch, http_error, failed, stall (see README.md).
'use strict';

const http = require('node:http');
const zlib = require('node:zlib');

const { validateSteps, planFor, sseFrame } = require('./lib/sse_steps');

const DEFAULT_STEPS = [
  { type: 'exec', cmd: 'echo made-by-codex > proof.txt && cat proof.txt' },
  { type: 'text', text: 'I wrote proof.txt' },
];
const EXHAUSTED_STEP = { type: 'text', text: '(mock script exhausted)' };
const HEADERS_OF_INTEREST = ['accept', 'content-type', 'content-encoding', 'originator', 'user-agent', 'session-id',
  'thread-id', 'x-client-request-id', 'x-codex-window-id', 'x-codex-turn-metadata', 'x-codex-beta-features',
  'authorization'];

class MockModel {
  constructor() {
    this.reset();
  }

  reset() {
    this.steps = DEFAULT_STEPS;
    this.next = 0;
    this.responseNumber = 0;
    this.requests = [];
  }

  setScript(steps) {
    validateSteps(steps);
    this.steps = steps;
    this.next = 0;
  }

  takeStep() {
    return this.next < this.steps.length ? this.steps[this.next++] : EXHAUSTED_STEP;
  }
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
    req.on('close', () => resolve(Buffer.concat(chunks)));  // client gave up mid-body
  });
}

// Codex advertises zstd/gzip but sent plain bodies in testing; decode what
// Node can, keep the rest as base64.
function decodeRequestBody(buf, encoding) {
  try {
    const plain = encoding === 'gzip' ? zlib.gunzipSync(buf) : encoding === 'deflate' ? zlib.inflateSync(buf) : buf;
    return JSON.parse(plain.toString('utf8'));
  } catch (e) {
    return { unparsed_base64: buf.toString('base64'), encoding: encoding || null };
  }
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value) + '\n');
}

function answerResponses(model, req, res, body) {
  const headers = {};
  for (const h of HEADERS_OF_INTEREST) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  const step = model.takeStep();
  model.requests.push({ at_ms: Date.now(), method: req.method, path: req.url, headers,
    body: decodeRequestBody(body, req.headers['content-encoding']), step: step.type });
  const plan = planFor(step, ++model.responseNumber);
  if (plan.events === undefined) {
    res.writeHead(plan.status, { 'Content-Type': plan.contentType });
    return res.end(plan.body);
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write(plan.events.map(sseFrame).join(''));
  // A stall keeps the stream open until Codex gives up and disconnects.
  if (plan.stall) return req.socket.once('close', () => res.end());
  return res.end();
}

function handleControl(model, req, res, body) {
  const route = `${req.method} ${req.url}`;
  if (route === 'GET /_mock/requests') return sendJson(res, 200, model.requests);
  if (route === 'GET /_mock/script') return sendJson(res, 200, { steps: model.steps, next: model.next });
  if (route === 'POST /_mock/reset') {
    model.reset();
    return sendJson(res, 200, {});
  }
  if (route === 'POST /_mock/script') {
    try {
      model.setScript(JSON.parse(body.toString('utf8') || '{}').steps);
      return sendJson(res, 200, {});
    } catch (e) {
      return sendJson(res, 400, { error: e.message });
    }
  }
  return sendJson(res, 404, { error: `no route ${route}` });
}

function main() {
  const argv = process.argv.slice(2);
  let port = 0;
  if (argv[0] === '--port' && argv.length === 2) port = Number(argv[1]);
  else if (argv.length) {
    process.stderr.write('usage: mock_model.js [--port N]\n');
    process.exit(2);
  }
  const model = new MockModel();
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.url.startsWith('/_mock/')) return handleControl(model, req, res, body);
    if (req.method === 'POST' && req.url.split('?')[0] === '/v1/responses') return answerResponses(model, req, res, body);
    return sendJson(res, 404, { error: { message: `mock_model: no route ${req.method} ${req.url}` } });
  });
  server.requestTimeout = 0; // stalled streams stay open as long as the client wants
  // No idle close: Codex (request_max_retries = 0) would fail a turn whose
  // request raced Node's default 5 s keep-alive close.
  server.keepAliveTimeout = 0;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`{"port": ${server.address().port}}\n`));
  const stop = () => {
    server.close();
    if (server.closeAllConnections) server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
