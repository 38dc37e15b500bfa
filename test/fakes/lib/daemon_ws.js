// The daemon WebSocket `GET /api/daemon/ws` of newer Multica servers
// (agent-toolbox.md §11.1) and the batch claim `POST /api/daemon/tasks/claim`
// it pairs with, over RFC 6455 framing written by hand (ws_frames.js).
//   upgrade  daemon auth as every /api/daemon/* route; runtime_ids (comma list,
//            or repeated runtime_id/runtime_ids) required (400 `runtime_ids or
//            user identity required`), each one the caller's (404 `runtime not
//            found`); faults on GET /api/daemon/ws apply to the upgrade
//            (status = a refusal such as 503, close, hang)
//   server → daemon  task_available when a task is queued for a runtime of
//            the connection; heartbeat_ack per heartbeat (pending ping/update
//            handed out as by HTTP, server_capabilities with rpc-v1 when RPC is
//            on, runtime_gone for a runtime the server lost); rpc_response
//   daemon → server  heartbeat (refreshes the runtime like HTTP), rpc_request
//            tasks.claim (the batch claim); pings answered with pongs
// Off by default, as a seed-era server: the upgrade then gets the router's 404.
'use strict';

const { ApiError } = require('./server_model');
const { decodeBody } = require('./go_decode');
const reply = require('./http_reply');
const { goJson } = require('./wire');
const { OP, acceptKey, frameHeader, encodeFrame, closePayload, FrameDecoder } = require('./ws_frames');

const WS_PATH = '/api/daemon/ws';
const BATCH_CLAIM_SCHEMA = { daemon_id: 'string', runtime_ids: ['string'], max_tasks: 'int' };
const RECEIVED_KEEP = 1000;
const HUGE_CHUNK = 1024 * 1024;
const RECORDED_HEADERS = ['x-client-platform', 'x-client-version', 'x-client-os', 'x-client-capabilities', 'user-agent'];

// §11.1: one call for all runtimes, up to max_tasks; each runtime claims as
// in §4.6, round robin, until max_tasks or nothing more is claimable.
function batchClaim(model, principal, body) {
  const ids = body.runtime_ids;
  if (!ids.length) throw new ApiError(400, 'runtime_ids is required');
  for (const id of ids) model.runtimeFor(principal, id);
  const max = body.max_tasks > 0 ? body.max_tasks : 1;
  const tasks = [];
  for (let progress = true; progress && tasks.length < max;) {
    progress = false;
    for (const id of ids) {
      if (tasks.length >= max) break;
      const r = model.claim(principal, id);
      if (r.task) {
        tasks.push(r.task);
        progress = true;
      }
    }
  }
  return { tasks };
}

function decodeBatchClaim(text) {
  return decodeBody(text, BATCH_CLAIM_SCHEMA);
}

function runtimeIdsOf(url) {
  const ids = [];
  for (const key of ['runtime_ids', 'runtime_id']) {
    for (const v of url.searchParams.getAll(key)) ids.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return [...new Set(ids)];
}

// A reply value ({status, headers, body}) written on a raw socket.
function writeRawReply(socket, r) {
  const body = Buffer.from(r.body || '');
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }[r.status] || 'Error';
  const headers = { ...r.headers, 'Content-Length': String(body.length), Connection: 'close' };
  const head = [`HTTP/1.1 ${r.status} ${reason}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(head + '\r\n\r\n'), body]));
}

class DaemonSockets {
  // ctx: {model, faults, calls}; `authenticate(header)` -> {principal} | {reply}.
  constructor(ctx, authenticate) {
    this.ctx = ctx;
    this.authenticate = authenticate;
    this.conns = new Set();
    this.reset();
  }

  reset() {
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
    // websocket: serve the upgrade; rpc: advertise rpc-v1; batch_claim: serve
    // POST /api/daemon/tasks/claim; rpc_fault: {mode: drop_before | drop_after
    // | delay, count, delay_ms}; acks: answer heartbeats.
    this.config = { websocket: false, rpc: true, batch_claim: true, rpc_fault: null, acks: true };
    this.received = [];
    this.upgrades = 0;
    this.nextConn = 1;
  }

  configure(body) {
    for (const key of ['websocket', 'rpc', 'batch_claim', 'acks']) {
      if (key in body) {
        if (typeof body[key] !== 'boolean') throw new ApiError(400, `${key} must be a boolean`);
        this.config[key] = body[key];
      }
    }
    if ('rpc_fault' in body) this.config.rpc_fault = body.rpc_fault ? { count: 1, delay_ms: 1000, ...body.rpc_fault } : null;
    return this.config;
  }

  // ---- the upgrade

  handleUpgrade(req, socket) {
    const url = new URL(req.url, 'http://fake.invalid');
    socket.on('error', () => {});
    const call = this.ctx.calls.record(req.method, url, req.headers, Buffer.alloc(0));
    const refuse = (r) => {
      call.status = r.status;
      writeRawReply(socket, r);
    };
    if (url.pathname !== WS_PATH) return refuse(reply.routerNotFound());
    const auth = this.authenticate(req.headers.authorization);
    if (auth.reply) return refuse(auth.reply);
    if (!this.config.websocket) return refuse(reply.routerNotFound());
    const fault = this.ctx.faults.take(req.method, url.pathname);
    if (fault && fault.mode === 'status') return refuse({ status: fault.status, headers: { 'Content-Type': 'application/json' }, body: fault.body });
    if (fault && fault.mode === 'close') return socket.destroy();
    if (fault && fault.mode === 'hang') return undefined;
    const ids = runtimeIdsOf(url);
    if (!ids.length) return refuse(reply.handlerError(400, 'runtime_ids or user identity required'));
    try {
      for (const id of ids) this.ctx.model.runtimeFor(auth.principal, id);
    } catch (e) {
      if (e instanceof ApiError) return refuse(reply.handlerError(404, 'runtime not found'));
      throw e;
    }
    const key = req.headers['sec-websocket-key'];
    if (!/^websocket$/i.test(req.headers.upgrade || '') || req.headers['sec-websocket-version'] !== '13' || !key) {
      return refuse(reply.handlerError(400, 'not a websocket handshake'));
    }
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`, '', ''].join('\r\n'));
    call.status = 101;
    this.upgrades++;
    this.open(socket, auth.principal, ids, req.headers);
    return undefined;
  }

  open(socket, principal, runtimeIds, headers) {
    const conn = { id: this.nextConn++, socket, principal, runtimeIds, connectedMs: Date.now(),
      headers: Object.fromEntries(RECORDED_HEADERS.filter((h) => h in headers).map((h) => [h, headers[h]])) };
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({ requireMask: true,
      onMessage: (op, payload) => this.onMessage(conn, op, payload),
      onControl: (op, payload) => this.onControl(conn, op, payload) });
    socket.on('data', (chunk) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        this.close(conn, 1002, e.message);
      }
    });
    // HTTP server sockets are half-open capable: a client's FIN alone would not end ours.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.conns.delete(conn));
    this.conns.add(conn);
  }

  send(conn, type, payload) {
    if (!conn.socket.destroyed) conn.socket.write(encodeFrame(OP.text, goJson({ type, payload })));
  }

  close(conn, code, reason) {
    if (conn.socket.destroyed) return;
    conn.socket.write(encodeFrame(OP.close, closePayload(code, reason.slice(0, 100))));
    conn.socket.end();
    this.conns.delete(conn);
  }

  onControl(conn, op, payload) {
    if (op === OP.ping) conn.socket.write(encodeFrame(OP.pong, payload));
    else if (op === OP.close) this.close(conn, 1000, '');
  }

  onMessage(conn, op, payload) {
    if (op !== OP.text) return;
    let msg;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    this.received.push({ conn: conn.id, type: msg.type, payload: msg.payload, at_ms: Date.now() });
    if (this.received.length > RECEIVED_KEEP) this.received.shift();
    const p = msg.payload && typeof msg.payload === 'object' ? msg.payload : {};
    if (msg.type === 'daemon:heartbeat') this.onHeartbeat(conn, p);
    else if (msg.type === 'daemon:rpc_request') this.onRpc(conn, p);
  }

  onHeartbeat(conn, p) {
    if (!this.config.acks) return;
    const ack = { runtime_id: p.runtime_id, status: 'ok', server_capabilities: this.config.rpc ? ['rpc-v1'] : [] };
    try {
      Object.assign(ack, this.ctx.model.heartbeat(conn.principal, String(p.runtime_id || '')), {
        server_capabilities: ack.server_capabilities });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      ack.runtime_gone = true;
    }
    this.send(conn, 'daemon:heartbeat_ack', ack);
  }

  async onRpc(conn, p) {
    const requestId = p.request_id;
    const fault = this.takeRpcFault();
    if (fault && fault.mode === 'drop_before') return this.hangUp(conn);
    let answer;
    if (p.method !== 'tasks.claim') {
      answer = { request_id: requestId, status: 404, error: `unknown method ${p.method}` };
    } else {
      try {
        const body = decodeBatchClaim(JSON.stringify(p.body === undefined ? null : p.body));
        answer = { request_id: requestId, status: 200, body: batchClaim(this.ctx.model, conn.principal, body) };
      } catch (e) {
        answer = { request_id: requestId, status: e instanceof ApiError ? e.status : 400,
          error: e instanceof ApiError ? e.message : 'invalid request body' };
      }
    }
    if (fault && fault.mode === 'drop_after') return this.hangUp(conn);
    if (fault && fault.mode === 'delay') await new Promise((r) => setTimeout(r, fault.delay_ms));
    this.send(conn, 'daemon:rpc_response', answer);
    return undefined;
  }

  // The TCP connection dropped without a close frame, as a crashed server or a proxy does.
  hangUp(conn) {
    conn.socket.destroy();
    this.conns.delete(conn);
  }

  takeRpcFault() {
    const f = this.config.rpc_fault;
    if (!f) return null;
    if (f.count > 0 && --f.count === 0) this.config.rpc_fault = null;
    return f;
  }

  // ---- what the server says unasked

  // A task was queued: wake the connections that carry its runtime.
  taskQueued(runtimeId, taskId) {
    for (const c of this.conns) {
      if (c.runtimeIds.includes(runtimeId)) this.send(c, 'daemon:task_available', { runtime_id: runtimeId, task_id: taskId });
    }
  }

  // Control API: {type, payload} | {raw: text} | {binary_base64} | {bad_frame: true} | {huge_bytes: N}.
  push(body) {
    const conns = [...this.conns];
    for (const c of conns) {
      if (body.type) this.send(c, body.type, body.payload || {});
      else if (typeof body.raw === 'string') c.socket.write(encodeFrame(OP.text, body.raw));
      else if (typeof body.binary_base64 === 'string') c.socket.write(encodeFrame(OP.binary, Buffer.from(body.binary_base64, 'base64')));
      else if (body.bad_frame) c.socket.write(Buffer.from([0xf1, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f])); // RSV bits set
      else if (Number.isInteger(body.huge_bytes)) this.huge(c, body.huge_bytes);
      else throw new ApiError(400, 'say what to send: type, raw, binary_base64, bad_frame or huge_bytes');
    }
    return { sent: conns.length };
  }

  // One text frame of `size` bytes, streamed until sent or the peer hangs up.
  huge(conn, size) {
    const socket = conn.socket;
    socket.write(frameHeader(OP.text, size));
    const chunk = Buffer.alloc(HUGE_CHUNK, 0x61);
    let left = size;
    const pump = () => {
      while (left > 0 && !socket.destroyed) {
        const n = Math.min(left, HUGE_CHUNK);
        left -= n;
        if (!socket.write(n === HUGE_CHUNK ? chunk : chunk.subarray(0, n))) return socket.once('drain', pump);
      }
      return undefined;
    };
    pump();
  }

  drop() {
    const n = this.conns.size;
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
    return { dropped: n };
  }

  view() {
    return { config: this.config, upgrades: this.upgrades,
      connections: [...this.conns].map((c) => ({ id: c.id, runtime_ids: c.runtimeIds, headers: c.headers,
        connected_ms: c.connectedMs })),
      received: this.received };
  }
}

module.exports = { DaemonSockets, batchClaim, decodeBatchClaim, WS_PATH };
