#!/usr/bin/env node
// A behaviourally faithful fake of the Multica server's daemon API (spec
// /work/shared/spec/server-api.md) and of the user API the `multica` CLI
// calls (spec agent-toolbox.md §3-5), plus a control API under /_fake/ for tests.
//
//   node test/fakes/fake_server.js [--port N] [--tls-cert FILE --tls-key FILE]
//
// Binds 127.0.0.1 (port 0 = any free port), prints one line {"port": N} to
// stdout when listening, logs nothing else to stdout, exits 0 on SIGTERM or
// SIGINT. See test/fakes/README.md for the control API.
'use strict';

const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');

const { ServerModel } = require('./lib/server_model');
const { FaultBook, statusFaultReply, malformedReply } = require('./lib/faults');
const { handleApi, authenticateDaemon } = require('./lib/daemon_api');
const { DaemonSockets } = require('./lib/daemon_ws');
const { handleControl } = require('./lib/control_api');
const { parseMultipart } = require('./lib/multipart');

// Recorded bodies that are not JSON keep this much raw text for debugging.
const RAW_BODY_KEEP = 4096;

// Headers recorded for user-API calls, so a test can tell which token and
// which workspace/agent/task context a CLI sent.
const RECORDED_HEADERS = ['authorization', 'content-type', 'user-agent', 'x-workspace-id', 'x-workspace-slug',
  'x-agent-id', 'x-task-id'];

// Daemon-group calls record only whether a token was sent (the daemon's own
// token stays out of the log); every other call (user API, uploads, /health)
// and the CLI's GET .../messages record RECORDED_HEADERS verbatim.
function recordsHeaders(method, path) {
  if (!path.startsWith('/api/daemon/')) return true;
  return method === 'GET' && /^\/api\/daemon\/tasks\/[^/]*\/messages$/.test(path);
}

// Every non-control request in arrival order.
class CallLog {
  constructor() {
    this.clear();
  }

  clear() {
    this.calls = [];
    this.seq = 0;
  }

  record(method, url, headers, body) {
    const call = { seq: ++this.seq, method, path: url.pathname, query: url.search.slice(1), status: 0,
      auth: Boolean(headers.authorization), body: null, at_ms: Date.now() };
    if (recordsHeaders(method, url.pathname)) {
      call.headers = Object.fromEntries(RECORDED_HEADERS.filter((h) => h in headers).map((h) => [h, headers[h]]));
    }
    if (body.length) recordBody(call, headers['content-type'], body);
    this.calls.push(call);
    return call;
  }

  list() {
    return this.calls;
  }
}

// JSON bodies are parsed; multipart uploads are summarised as `form`; other
// bodies keep their first bytes as text in `body_raw`.
function recordBody(call, contentType, body) {
  if (/^multipart\/form-data/i.test(contentType || '')) {
    try {
      const form = parseMultipart(contentType, body);
      call.form = { fields: form.fields, files: form.files.map((f) => ({ field: f.field, filename: f.filename,
        content_type: f.content_type, size: f.data.length })) };
      return;
    } catch (e) {
      // not really multipart: fall through to the raw text
    }
  }
  const text = body.toString('utf8');
  try {
    call.body = JSON.parse(text);
  } catch (e) {
    call.body_raw = text.slice(0, RAW_BODY_KEEP);
  }
}

function parseArgs(argv) {
  const opts = { port: 0, tlsCert: null, tlsKey: null };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      return argv[++i];
    };
    if (argv[i] === '--port') opts.port = Number(value());
    else if (argv[i] === '--tls-cert') opts.tlsCert = value();
    else if (argv[i] === '--tls-key') opts.tlsKey = value();
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port must be 0-65535');
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) usage('--tls-cert and --tls-key go together');
  return opts;
}

function usage(problem) {
  process.stderr.write(`fake_server: ${problem}\nusage: fake_server.js [--port N] [--tls-cert FILE --tls-key FILE]\n`);
  process.exit(2);
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

// Go's server sets Content-Length when the handler's whole body fits its
// 2 KiB buffer and streams chunked otherwise; do the same.
const GO_BUFFERED_BODY = 2048;

function writeReply(res, r) {
  if (res.destroyed) return;
  const size = Buffer.byteLength(r.body);
  const headers = size < GO_BUFFERED_BODY ? { ...r.headers, 'Content-Length': String(size) } : r.headers;
  res.writeHead(r.status, headers);
  res.end(r.body);
}

// Promise more bytes than we send, then drop the connection mid-body.
function writeTruncated(res, r) {
  const body = Buffer.from(r.body);
  res.writeHead(r.status, { ...r.headers, 'Content-Length': String(body.length + 64) });
  res.write(body, () => res.socket && res.socket.destroy());
}

function makeRequestHandler(ctx) {
  return async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url, 'http://fake.invalid');
    const origin = `${ctx.scheme}://${req.headers.host || `127.0.0.1:${req.socket.localPort}`}`;
    if (url.pathname.startsWith('/_fake/')) {
      return writeReply(res, handleControl(ctx, req.method, url, body.toString('utf8'), origin));
    }

    const call = ctx.calls.record(req.method, url, req.headers, body);
    res.on('finish', () => {
      call.status = res.statusCode;
      call.done_ms = performance.timeOrigin + performance.now();  // the answer handed to the socket, µs precision
    });
    const fault = ctx.faults.take(req.method, url.pathname);
    if (fault && fault.mode === 'status') return writeReply(res, statusFaultReply(fault));
    if (fault && fault.mode === 'close') return req.socket.destroy();
    if (fault && fault.mode === 'hang') return undefined; // the socket stays open, unanswered
    if (fault && fault.mode === 'delay') await new Promise((r) => setTimeout(r, fault.delay_ms));

    const request = { method: req.method, url, headers: req.headers, text: body.toString('utf8'), body, origin,
      features: ctx.sockets.config };
    const r = handleApi(ctx.model, request);
    if (fault && fault.mode === 'malformed') return writeReply(res, malformedReply());
    if (fault && fault.mode === 'truncate') {
      call.status = r.status; // 'finish' never fires for a truncated reply
      return writeTruncated(res, r);
    }
    return writeReply(res, r);
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ctx = { model: new ServerModel(), faults: new FaultBook(), calls: new CallLog(),
    scheme: opts.tlsCert ? 'https' : 'http' };
  ctx.sockets = new DaemonSockets(ctx, (header) => authenticateDaemon(ctx.model, header));
  const handler = makeRequestHandler(ctx);
  const server = opts.tlsCert
    ? https.createServer({ cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) }, handler)
    : http.createServer(handler);
  // Hung requests must stay hung until the client gives up, not be timed out by us.
  server.requestTimeout = 0;
  // Go keeps idle keep-alive connections open; Node would close them after 5 s,
  // racing a client that reuses one at that moment (a spurious ECONNRESET).
  server.keepAliveTimeout = 0;
  server.on('clientError', (err, socket) => socket.destroy());
  // The daemon WebSocket (lib/daemon_ws.js); every other upgrade gets the router's 404 there too.
  server.on('upgrade', (req, socket) => ctx.sockets.handleUpgrade(req, socket));
  server.listen(opts.port, '127.0.0.1', () => {
    process.stdout.write(`{"port": ${server.address().port}}\n`);
  });
  const stop = () => {
    ctx.sockets.drop();
    server.close();
    if (server.closeAllConnections) server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
