// Self-test of the fake server's daemon WebSocket and batch claim
// (agent-toolbox.md §11.1): a seed-era 404 by default, the upgrade's refusals,
// wake-ups on a queued task, heartbeat acks (rpc-v1, pending pings,
// runtime_gone), the tasks.claim RPC and its faults, pings, garbage and a
// frame over 64 MiB, and the batch claim over HTTP.
//   node test/fakes/selftest_daemon_ws.js     (exit 0 = pass; bounded to 60 s)
'use strict';

const assert = require('node:assert/strict');
const net = require('node:net');
const crypto = require('node:crypto');

const { runSelftest, startListening, request, withTimeout } = require('./lib/selftest_kit');
const { OP, acceptKey, encodeFrame, FrameDecoder } = require('./lib/ws_frames');

const TOKEN = 'mul_0123456789abcdef0123456789abcdef01234567';

// A minimal RFC 6455 client: the upgrade, then text messages in a queue.
function connect(port, target, { token = TOKEN } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let head = Buffer.alloc(0);
    const client = { socket, messages: [], controls: [], waiters: [], closed: false, maxBuffered: 0 };
    const decoder = new FrameDecoder({ requireMask: false, maxPayload: 200 * 1024 * 1024,
      onMessage: (op, payload) => {
        client.messages.push(op === OP.text ? JSON.parse(payload.toString('utf8')) : { binary: payload.length });
        client.waiters.splice(0).forEach((w) => w());
      },
      onControl: (op, payload) => {
        client.controls.push({ op, payload: payload.toString('utf8') });
        client.waiters.splice(0).forEach((w) => w());
      } });
    const onData = (chunk) => {
      if (client.status === undefined) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.status = Number(head.toString('latin1').split(' ')[1]);
        client.head = head.subarray(0, end).toString('latin1');
        client.rest = head.subarray(end + 4).toString('utf8');
        if (client.status !== 101) {
          socket.once('close', () => resolve(client));
          return;
        }
        resolve(client);
        chunk = head.subarray(end + 4);
        if (!chunk.length) return;
      }
      client.maxBuffered = Math.max(client.maxBuffered, chunk.length);
      client.waiters.splice(0).forEach((w) => w()); // a wait on raw bytes (the huge frame) has no message to wake it
      try {
        decoder.push(chunk);
      } catch (e) {
        client.error = e.message;
        client.waiters.splice(0).forEach((w) => w());
      }
    };
    socket.on('data', onData);
    socket.on('close', () => {
      client.closed = true;
      client.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', reject);
    socket.write([`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${token}`,
      'X-Client-Capabilities: rpc-v1', '', ''].join('\r\n'));
  });
}

function send(client, value) {
  client.socket.write(encodeFrame(OP.text, JSON.stringify(value), { masked: true }));
}

// Waits until `pred()` holds, re-checked on every message or close.
function until(client, pred, label) {
  return withTimeout(new Promise((resolve) => {
    const check = () => {
      const v = pred();
      if (v) resolve(v);
      else client.waiters.push(check);
    };
    check();
  }), 10000, label);
}

const ofType = (client, type) => client.messages.filter((m) => m.type === type);

async function setUp(port) {
  const ws = (await request(port, 'POST', '/_fake/workspaces', { body: { name: 'WS' } })).json.id;
  await request(port, 'POST', '/_fake/tokens', { body: { token: TOKEN, workspace_ids: [ws] } });
  const reg = await request(port, 'POST', '/api/daemon/register', { token: TOKEN, body: {
    workspace_id: ws, daemon_id: 'host', device_name: 'box', cli_version: 'dev',
    runtimes: [{ type: 'codex', name: 'Codex', version: '0.171.0', status: 'online' }] } });
  return { ws, runtime: reg.json.runtimes[0].id };
}

async function checkSeedAndRefusals(kit, port, runtime) {
  const seed = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  assert.equal(seed.status, 404);
  assert.equal(seed.rest, '404 page not found\n');
  await request(port, 'POST', '/_fake/ws/config', { body: { websocket: true } });
  assert.equal((await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`, { token: 'nope' })).status, 401);
  const none = await connect(port, '/api/daemon/ws');
  assert.equal(none.status, 400);
  assert.match(none.rest, /runtime_ids or user identity required/);
  const foreign = await connect(port, '/api/daemon/ws?runtime_ids=00000000-0000-4000-8000-000000000000');
  assert.equal(foreign.status, 404);
  assert.match(foreign.rest, /runtime not found/);
  await request(port, 'POST', '/_fake/faults', { body: { method: 'GET', path: '/api/daemon/ws$', mode: 'status', status: 503,
    body: { error: 'daemon websocket unavailable' } } });
  const refused = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  assert.equal(refused.status, 503);
  assert.match(refused.rest, /daemon websocket unavailable/);
  kit.step('seed-era 404, then 401, 400, 404 and an injected 503 refusal');
}

async function checkPush(kit, port, ws, runtime) {
  const c = await connect(port, `/api/daemon/ws?runtime_id=${runtime}`);
  assert.equal(c.status, 101);
  assert.match(c.head, /Sec-WebSocket-Accept: /);
  send(c, { type: 'daemon:heartbeat', payload: { runtime_id: runtime, supports_batch_import: true } });
  const [ack] = await until(c, () => ofType(c, 'daemon:heartbeat_ack').length && ofType(c, 'daemon:heartbeat_ack'), 'ack');
  assert.deepEqual(ack.payload, { runtime_id: runtime, server_capabilities: ['rpc-v1'], status: 'ok' });
  const ping = (await request(port, 'POST', '/_fake/pings', { body: { runtime_id: runtime } })).json.id;
  send(c, { type: 'daemon:heartbeat', payload: { runtime_id: runtime } });
  await until(c, () => ofType(c, 'daemon:heartbeat_ack').length === 2, 'second ack');
  assert.deepEqual(ofType(c, 'daemon:heartbeat_ack')[1].payload.pending_ping, { id: ping });

  const agent = (await request(port, 'POST', '/_fake/agents', { body: { workspace_id: ws, name: 'a' } })).json.id;
  const task = (await request(port, 'POST', '/_fake/tasks', { body: { workspace_id: ws, agent_id: agent } })).json;
  const [wake] = await until(c, () => ofType(c, 'daemon:task_available').length && ofType(c, 'daemon:task_available'), 'wake');
  assert.deepEqual(wake.payload, { runtime_id: runtime, task_id: task.task_id });
  send(c, { type: 'daemon:rpc_request', payload: { request_id: 'r1', method: 'tasks.claim',
    body: { daemon_id: 'host', runtime_ids: [runtime], max_tasks: 5 }, timeout_ms: 5000 } });
  const [rpc] = await until(c, () => ofType(c, 'daemon:rpc_response').length && ofType(c, 'daemon:rpc_response'), 'rpc');
  assert.equal(rpc.payload.request_id, 'r1');
  assert.equal(rpc.payload.status, 200);
  assert.deepEqual(rpc.payload.body.tasks.map((t) => t.id), [task.task_id]);
  c.socket.write(encodeFrame(OP.ping, 'hi', { masked: true }));
  await until(c, () => c.controls.some((x) => x.op === OP.pong && x.payload === 'hi'), 'pong');
  const seen = (await request(port, 'GET', '/_fake/ws')).json;
  assert.equal(seen.connections.length, 1);
  assert.equal(seen.connections[0].headers['x-client-capabilities'], 'rpc-v1');
  assert.deepEqual(seen.received.map((m) => m.type), ['daemon:heartbeat', 'daemon:heartbeat', 'daemon:rpc_request']);

  await request(port, 'DELETE', `/_fake/runtimes/${runtime}`);
  send(c, { type: 'daemon:heartbeat', payload: { runtime_id: runtime } });
  await until(c, () => ofType(c, 'daemon:heartbeat_ack').length === 3, 'gone ack');
  assert.equal(ofType(c, 'daemon:heartbeat_ack')[2].payload.runtime_gone, true);
  c.socket.destroy();
  kit.step('wake-up on a queued task, acks with rpc-v1, a pending ping and runtime_gone, the claim RPC, pong');
}

async function checkFaults(kit, port, ws, runtime) {
  const agent = (await request(port, 'POST', '/_fake/agents', { body: { workspace_id: ws, name: 'b' } })).json.id;
  const task = (await request(port, 'POST', '/_fake/tasks', { body: { workspace_id: ws, agent_id: agent } })).json;
  await request(port, 'POST', '/_fake/ws/config', { body: { rpc_fault: { mode: 'drop_after' } } });
  const c = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  send(c, { type: 'daemon:rpc_request', payload: { request_id: 'r2', method: 'tasks.claim',
    body: { daemon_id: 'host', runtime_ids: [runtime], max_tasks: 1 } } });
  await until(c, () => c.closed, 'dropped mid-RPC');
  const state = (await request(port, 'GET', '/_fake/state')).json;
  assert.equal(state.tasks.find((t) => t.id === task.task_id).status, 'dispatched', 'claimed, answer lost');

  const g = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  assert.deepEqual((await request(port, 'POST', '/_fake/ws/send', { body: { raw: 'not json {' } })).json, { sent: 1 });
  await until(g, () => g.messages.length || g.error, 'raw text');
  assert.ok(g.error, 'the raw text reached the client as a text frame');
  const h = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  g.socket.destroy();
  await request(port, 'POST', '/_fake/ws/send', { body: { huge_bytes: 100 * 1024 * 1024 } });
  // A client that will not read 100 MB hangs up after the header; the fake stops streaming.
  await until(h, () => h.maxBuffered > 0, 'huge frame started');
  h.socket.destroy();
  const b = await connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  await request(port, 'POST', '/_fake/ws/send', { body: { bad_frame: true } });
  await until(b, () => b.error, 'bad frame');
  assert.match(b.error, /reserved bits/);
  b.socket.destroy();
  await request(port, 'POST', '/_fake/faults', { body: { method: 'GET', path: '/api/daemon/ws$', mode: 'hang' } });
  const hung = connect(port, `/api/daemon/ws?runtime_ids=${runtime}`);
  const outcome = await Promise.race([hung.then(() => 'answered'), new Promise((r) => setTimeout(() => r('hung'), 300))]);
  assert.equal(outcome, 'hung');
  kit.step('drop after the claim, garbage text, a 100 MB frame, a bad frame, a hung upgrade');
}

async function checkBatchClaim(kit, port, ws) {
  const reg = await request(port, 'POST', '/api/daemon/register', { token: TOKEN, body: {
    workspace_id: ws, daemon_id: 'host2', device_name: 'box', cli_version: 'dev',
    runtimes: [{ type: 'codex', name: 'Codex', version: '0.171.0', status: 'online' }] } });
  const runtime = reg.json.runtimes[0].id;
  const a1 = (await request(port, 'POST', '/_fake/agents', { body: { workspace_id: ws, name: 'c', runtime_id: runtime } })).json.id;
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await request(port, 'POST', '/_fake/tasks', { body: { workspace_id: ws, agent_id: a1 } })).json.task_id);
  }
  const claim = (body) => request(port, 'POST', '/api/daemon/tasks/claim', { token: TOKEN, body });
  const two = await claim({ daemon_id: 'host2', runtime_ids: [runtime], max_tasks: 2 });
  assert.equal(two.status, 200, two.text);
  assert.equal(two.json.tasks.length, 2);
  assert.deepEqual((await claim({ daemon_id: 'host2', runtime_ids: [runtime], max_tasks: 5 })).json.tasks.length, 1);
  assert.deepEqual((await claim({ daemon_id: 'host2', runtime_ids: [runtime], max_tasks: 5 })).json, { tasks: [] });
  assert.equal((await claim({ daemon_id: 'host2', runtime_ids: ['00000000-0000-4000-8000-000000000000'] })).status, 404);
  assert.equal((await claim({ runtime_ids: 'x' })).status, 400);
  await request(port, 'POST', '/_fake/ws/config', { body: { batch_claim: false } });
  const seed = await claim({ daemon_id: 'host2', runtime_ids: [runtime], max_tasks: 1 });
  assert.equal(seed.status, 404);
  assert.equal(seed.text, '404 page not found\n');
  kit.step('batch claim: up to max_tasks, empty, foreign runtime, bad body, seed-era 404');
}

runSelftest('selftest_daemon_ws', async (kit) => {
  // RFC 6455 §1.3's example: a wrong GUID passes a client that shares it, never a real one.
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  kit.step('the accept key is RFC 6455\'s');
  const { port } = await startListening(kit, 'fake_server.js');
  const { ws, runtime } = await setUp(port);
  await checkSeedAndRefusals(kit, port, runtime);
  await checkPush(kit, port, ws, runtime);
  const again = await setUp(port);
  await checkFaults(kit, port, again.ws, again.runtime);
  await checkBatchClaim(kit, port, again.ws);
});
