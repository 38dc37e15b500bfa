// Self-test of fake_codex.js: drives `fake_codex.js app-server` over stdio
// through the handshake and turns of several scenarios, and checks --version.
//   node test/fakes/selftest_fake_codex.js     (exit 0 = pass; bounded to 60 s)
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { FAKES_DIR, runSelftest, RpcPeer, withTimeout } = require('./lib/selftest_kit');

const FAKE_CODEX = path.join(FAKES_DIR, 'fake_codex.js');

function startCodex(kit, home, scenario, extraEnv = {}) {
  const env = { ...process.env, CODEX_HOME: home, FAKE_CODEX_SCENARIO: scenario, ...extraEnv };
  const child = kit.spawn(process.execPath, [FAKE_CODEX, 'app-server', '--listen', 'stdio://'],
    { env, stdio: ['pipe', 'pipe', 'pipe'] });
  return new RpcPeer(child);
}

async function handshake(peer) {
  const reply = await peer.request('initialize', { clientInfo: { name: 'selftest', version: '0.0.1' },
    capabilities: { experimentalApi: false, optOutNotificationMethods: ['account/rateLimits/updated'] } });
  peer.notify('initialized');
  return reply;
}

async function startThread(peer, params = {}) {
  const reply = await peer.request('thread/start', { cwd: os.tmpdir(), ...params });
  assert.ok(reply.result, `thread/start failed: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

// Starts a turn and returns {reply, completed, during: [messages of the turn]}.
async function runTurn(peer, threadId, text) {
  const from = peer.messages.length;
  const reply = await peer.request('turn/start', { threadId, input: [{ type: 'text', text }] });
  assert.ok(reply.result, `turn/start failed: ${JSON.stringify(reply.error)}`);
  const turnId = reply.result.turn.id;
  const completed = await peer.waitFor((m) => m.method === 'turn/completed' && m.params.turn.id === turnId,
    10000, 'turn/completed', from);
  return { reply, completed, during: peer.messages.slice(from) };
}

function completedItems(during, type) {
  return during.filter((m) => m.method === 'item/completed' && m.params.item.type === type).map((m) => m.params.item);
}

async function checkVersion(kit) {
  assert.equal(execFileSync(FAKE_CODEX, ['--version']).toString(), 'codex-cli 0.171.0\n');
  const custom = execFileSync(FAKE_CODEX, ['--version'], { env: { ...process.env, FAKE_CODEX_VERSION: '1.2.3' } });
  assert.equal(custom.toString(), 'codex-cli 1.2.3\n');
  const garbage = execFileSync(FAKE_CODEX, ['--version'],
    { env: { ...process.env, FAKE_CODEX_SCENARIO: 'version_garbage' } });
  assert.equal(garbage.toString(), 'codex nightly\n');
  kit.step('--version');
}

async function checkNormal(kit, home) {
  const log = path.join(home, 'log.jsonl');
  const peer = startCodex(kit, home, 'normal', { FAKE_CODEX_LOG: log, MULTICA_TOKEN: 'mul_secret', CUSTOM_X: '1' });
  const early = await peer.request('thread/start', {});
  assert.deepEqual(early.error, { code: -32600, message: 'Not initialized' });
  const init = await handshake(peer);
  assert.equal(init.result.codexHome, home);
  const thread = await startThread(peer, { sandbox: 'workspace-write', approvalPolicy: 'never',
    config: { sandbox_workspace_write: { network_access: false } } });
  assert.deepEqual(thread.sandbox, { type: 'workspaceWrite', writableRoots: [], networkAccess: false,
    excludeTmpdirEnvVar: false, excludeSlashTmp: false });
  assert.equal(thread.approvalPolicy, 'never');
  const dotted = await startThread(peer, { sandbox: 'workspace-write', config: { 'sandbox_workspace_write.network_access': true } });
  assert.equal(dotted.sandbox.networkAccess, true);
  const threadId = thread.thread.id;

  const turn = await runTurn(peer, threadId, 'hello fake codex');
  const methods = turn.during.map((m) => m.method).filter((m) => m && m !== 'thread/started');
  const startedIndex = turn.during.findIndex((m) => m.method === 'turn/started');
  assert.ok(turn.during.indexOf(turn.reply) < startedIndex, 'turn/start answered before turn/started');
  assert.deepEqual(methods.slice(0, 4), ['thread/status/changed', 'turn/started', 'item/started', 'item/completed']);
  assert.ok(turn.during.every((m) => !('jsonrpc' in m)), 'no jsonrpc member');
  assert.ok(turn.during.filter((m) => m.method).every((m) => Number.isInteger(m.emittedAtMs)), 'emittedAtMs');
  assert.equal(peer.notifications('account/rateLimits/updated').length, 0, 'opt-out respected');
  assert.equal(turn.completed.params.turn.status, 'completed');
  assert.equal(turn.completed.params.turn.items[0].text, 'done: hello fake codex');
  const usage1 = turn.during.find((m) => m.method === 'thread/tokenUsage/updated').params.tokenUsage;
  assert.deepEqual(usage1.total, usage1.last);

  const second = await runTurn(peer, threadId, 'again');
  const usage2 = second.during.find((m) => m.method === 'thread/tokenUsage/updated').params.tokenUsage;
  assert.equal(usage2.total.inputTokens, 2 * usage2.last.inputTokens, 'total is cumulative');

  peer.child.stdin.end();
  assert.deepEqual(await withTimeout(peer.exited, 5000, 'exit on EOF'), { code: 0, signal: null });
  const records = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records[0].argv, ['app-server', '--listen', 'stdio://']);
  assert.equal(records[0].env.MULTICA_TOKEN_SET, true);
  assert.equal(records[0].env.CUSTOM_X, '1');
  assert.ok(!fs.readFileSync(log, 'utf8').includes('mul_secret'), 'token value never logged');
  assert.ok(records.some((r) => r.method === 'turn/start'), 'stdin lines logged');
  kit.step('normal: handshake, sandbox, turns, usage, log, EOF exit');
  return threadId;
}

async function checkResumeAcrossProcesses(kit, home, threadId) {
  const peer = startCodex(kit, home, 'normal');
  await handshake(peer);
  const resumed = await peer.request('thread/resume', { threadId, sandbox: 'danger-full-access' });
  assert.equal(resumed.result.thread.id, threadId);
  assert.deepEqual(resumed.result.sandbox, { type: 'dangerFullAccess' });
  const otherHome = fs.mkdtempSync(path.join(home, 'other-'));
  const stranger = startCodex(kit, otherHome, 'normal');
  await handshake(stranger);
  const refused = await stranger.request('thread/resume', { threadId });
  assert.equal(refused.error.message, `no rollout found for thread id ${threadId}`);
  kit.step('resume: same CODEX_HOME works, another does not');
}

async function checkTools(kit, home) {
  const peer = startCodex(kit, home, 'tools');
  await handshake(peer);
  const { thread } = await startThread(peer);
  const turn = await runTurn(peer, thread.id, 'use tools');
  const [cmd] = completedItems(turn.during, 'commandExecution');
  assert.equal(cmd.status, 'completed');
  assert.equal(cmd.exitCode, 0);
  assert.ok(cmd.aggregatedOutput.length > 0);
  assert.ok(turn.during.some((m) => m.method === 'item/commandExecution/outputDelta'));
  assert.equal(completedItems(turn.during, 'fileChange')[0].status, 'completed');
  assert.ok(completedItems(turn.during, 'reasoning')[0].summary[0].includes('Planning'));
  assert.equal(turn.during.filter((m) => m.method === 'thread/tokenUsage/updated').length, 2);
  assert.equal(turn.completed.params.turn.items[0].type, 'agentMessage');
  kit.step('tools');
}

async function checkFailTurn(kit, home) {
  const peer = startCodex(kit, home, 'fail_turn', { FAKE_CODEX_ERROR: 'boom from test' });
  await handshake(peer);
  const { thread } = await startThread(peer);
  const turn = await runTurn(peer, thread.id, 'fail please');
  const errorIndex = turn.during.findIndex((m) => m.method === 'error');
  assert.ok(errorIndex >= 0 && errorIndex < turn.during.indexOf(turn.completed), 'error before turn/completed');
  assert.equal(turn.during[errorIndex].params.willRetry, false);
  assert.equal(turn.completed.params.turn.status, 'failed');
  assert.equal(turn.completed.params.turn.error.message, 'boom from test');
  kit.step('fail_turn');
}

async function checkSandboxAndResumeScenarios(kit, home) {
  const looser = startCodex(kit, home, 'looser_sandbox');
  await handshake(looser);
  assert.deepEqual((await startThread(looser, { sandbox: 'read-only' })).sandbox, { type: 'dangerFullAccess' });
  const resume = startCodex(kit, home, 'resume_fails');
  await handshake(resume);
  const id = '12fe45d8-501e-4e00-98ce-e3c318396bcf';
  const refused = await resume.request('thread/resume', { threadId: id });
  assert.deepEqual(refused.error, { code: -32600, message: `no rollout found for thread id ${id}` });
  await startThread(resume);
  kit.step('looser_sandbox, resume_fails');
}

async function checkApproval(kit, home) {
  const peer = startCodex(kit, home, 'approval');
  let approvalRequest = null;
  peer.onServerRequest = (msg) => {
    approvalRequest = msg;
    peer.send({ id: msg.id, result: { decision: 'accept' } });
  };
  await handshake(peer);
  const { thread } = await startThread(peer);
  const turn = await runTurn(peer, thread.id, 'needs approval');
  assert.equal(approvalRequest.method, 'item/commandExecution/requestApproval');
  assert.equal(approvalRequest.params.threadId, thread.id);
  assert.ok(approvalRequest.params.command.includes('touch /var/tmp/x'));
  assert.equal(turn.completed.params.turn.items[0].text, 'decision: accept');
  kit.step('approval');
}

async function checkInterrupt(kit, home) {
  const peer = startCodex(kit, home, 'hang');
  await handshake(peer);
  const { thread } = await startThread(peer);
  const reply = await peer.request('turn/start', { threadId: thread.id, input: [{ type: 'text', text: 'hang' }] });
  const turnId = reply.result.turn.id;
  await peer.waitFor((m) => m.method === 'turn/started', 5000, 'turn/started');
  assert.deepEqual((await peer.request('turn/interrupt', { threadId: thread.id, turnId })).result, {});
  const done = await peer.waitFor((m) => m.method === 'turn/completed', 5000, 'interrupted turn');
  assert.equal(done.params.turn.status, 'interrupted');
  peer.child.kill('SIGTERM');
  assert.deepEqual(await withTimeout(peer.exited, 5000, 'exit on SIGTERM'), { code: 0, signal: null });
  kit.step('hang + turn/interrupt, SIGTERM exit 0');
}

async function checkCrashes(kit, home) {
  const crash = startCodex(kit, home, 'crash');
  await handshake(crash);
  const { thread } = await startThread(crash);
  crash.send({ id: 99, method: 'turn/start', params: { threadId: thread.id, input: [{ type: 'text', text: 'x' }] } });
  assert.equal((await withTimeout(crash.exited, 5000, 'crash exit')).code, 1);
  assert.ok(crash.notifications('turn/started').length === 1);
  assert.ok(crash.notifications('item/completed').length >= 1);
  assert.equal(crash.notifications('turn/completed').length, 0);
  const early = startCodex(kit, home, 'exit_before_init');
  assert.equal((await withTimeout(early.exited, 5000, 'exit_before_init')).code, 3);
  kit.step('crash, exit_before_init');
}

runSelftest('selftest_fake_codex', async (kit) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-codex-selftest-'));
  kit.onCleanup(() => fs.rmSync(home, { recursive: true, force: true }));
  await checkVersion(kit);
  const threadId = await checkNormal(kit, home);
  await checkResumeAcrossProcesses(kit, home, threadId);
  await checkTools(kit, home);
  await checkFailTurn(kit, home);
  await checkSandboxAndResumeScenarios(kit, home);
  await checkApproval(kit, home);
  await checkInterrupt(kit, home);
  await checkCrashes(kit, home);
});
