// Scenarios of the fake Codex, chosen by FAKE_CODEX_SCENARIO. A scenario is
// an object of optional hooks layered over `base`:
//   version(ver)         what `--version` does
//   beforeStdin()        runs before stdin is read (exit_before_init)
//   answersInitialize    false = never answer initialize
//   configProblem        text that makes the config invalid (configWarning + failing thread/start)
//   reportedSandbox(s)   the sandbox thread/start reports, given the requested one
//   resume(threadId)     throw an RpcError to refuse thread/resume
//   ignoreShutdown       ignore SIGTERM/SIGINT/SIGHUP and stdin EOF
//   turn(t)              async; the body of every turn (t is a Turn)
//   refuse(method)       throw an RpcError to refuse a request before it is handled
//   reshape(method, x)   the result of a request, or the params of a notification, as sent
//                        (protocol drift: a later or broken Codex answering another shape)
// To add a scenario, add an entry below and a line to README.md.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { RpcError } = require('./codex_config');
const { commandItem } = require('./codex_items');

const env = process.env;
const intEnv = (name, dflt) => (env[name] && /^\d+$/.test(env[name]) ? Number(env[name]) : dflt);

// Token counts of one model response: FAKE_CODEX_USAGE="input,cached,output,reasoning".
function usageFromEnv() {
  const parts = (env.FAKE_CODEX_USAGE || '').split(',').map(Number);
  if (parts.length === 4 && parts.every(Number.isInteger)) {
    return { input: parts[0], cached: parts[1], output: parts[2], reasoning: parts[3] };
  }
  return { input: 1200, cached: 200, output: 300, reasoning: 50 };
}

function answerFor(t) {
  return env.FAKE_CODEX_ANSWER || `done: ${Array.from(t.prompt).slice(0, 40).join('')}`;
}

// The usual end of a turn: the answer, then the usage of that response.
function answer(t, text = answerFor(t)) {
  t.agentMessage(text);
  t.tokenUsage(usageFromEnv());
}

const base = {
  version: (ver) => {
    process.stdout.write(`codex-cli ${ver}\n`);
    return 0;
  },
  answersInitialize: true,
  configProblem: null,
  reportedSandbox: (requested) => requested,
  resume: () => {},
  ignoreShutdown: false,
  turn: async (t) => answer(t),
  refuse: () => {},
  reshape: (method, x) => x,
};

// The shape of a reply or notification changed, as a Codex release outside
// the supported range might send it (spec §2.1, §2.3, §2.5, §4.2).
function drift(method, change) {
  return { reshape: (m, x) => (m === method ? change(x) : x) };
}

const scenarios = {
  normal: {},

  tools: {
    turn: async (t) => {
      t.command('ls -la', 'total 0\ndrwxr-xr-x 2 user user 40 .\n', 0);
      t.tokenUsage(usageFromEnv());
      t.fileChange('fake_file.txt', 'hello from fake codex\n');
      t.reasoning('**Planning** I will answer.');
      answer(t);
    },
  },

  fail_turn: {
    turn: async (t) => t.fail(env.FAKE_CODEX_ERROR || 'unexpected status 401 Unauthorized: mock unauthorized',
      { httpConnectionFailed: { httpStatusCode: 401 } }),
  },

  empty_answer: {
    turn: async (t) => t.tokenUsage(usageFromEnv()),
  },

  crash: {
    turn: async (t) => {
      t.command('echo about to crash', 'about to crash\n', 0);
      process.stderr.write('fake codex: crashing on purpose (scenario crash)\n');
      await t.server.exit(1);
    },
  },

  hang: { turn: (t) => t.hang() },

  hang_before_init: { answersInitialize: false },

  exit_before_init: {
    beforeStdin: () => process.exit(3),
  },

  flood: { turn: flood },

  long_line: {
    turn: async (t) => {
      await writeLongLine(t, intEnv('FAKE_CODEX_LINE_BYTES', 100 * 1024 * 1024));
      answer(t);
    },
  },

  garbage: {
    turn: async (t) => {
      const lines = (env.FAKE_CODEX_GARBAGE ||
        'this is not json\n{"broken": json\n\u001b[31mERROR\u001b[0m panic at the disco\n' +
        crypto.randomBytes(12).toString('base64')).split('\n');
      for (const line of lines) t.writeRaw(line + '\n');
      t.agentMessage(answerFor(t));
      t.writeRaw(lines[0] + '\n');
      t.tokenUsage(usageFromEnv());
    },
  },

  ignore_sigterm: { ignoreShutdown: true, turn: (t) => t.hang() },

  grandchild_stdout: {
    turn: async (t) => {
      // Holds our stdout and stderr open after we exit.
      const child = spawn('/bin/sh', ['-c', 'exec sleep 300'], { stdio: ['ignore', 'inherit', 'inherit'] });
      t.server.recordChildPid(child.pid);
      await t.hang();
    },
  },

  setsid_child: {
    turn: async (t) => {
      // detached = setsid(): escapes our process group, so only a kill of
      // its own group (or pid) ends it.
      const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
      child.unref();
      t.server.recordChildPid(child.pid);
      await t.hang();
    },
  },

  looser_sandbox: { reportedSandbox: () => ({ type: 'dangerFullAccess' }) },

  stricter_sandbox: { reportedSandbox: () => ({ type: 'readOnly', networkAccess: false }) },

  resume_fails: {
    resume: (threadId) => {
      throw new RpcError(-32600, `no rollout found for thread id ${threadId}`);
    },
  },

  approval: { turn: approval },

  init_without_user_agent: drift('initialize', ({ userAgent, ...rest }) => rest),

  thread_without_id: drift('thread/start', (r) => ({ ...r, thread: { ...r.thread, id: undefined } })),

  turn_without_id: drift('turn/start', (r) => ({ turn: { ...r.turn, id: undefined } })),

  unknown_turn_status: drift('turn/completed', (p) => ({ ...p, turn: { ...p.turn, status: 'paused' } })),

  malformed_turn_completed: drift('turn/completed', (p) => ({ ...p, turn: 'completed' })),

  thread_start_unknown: {
    refuse: (method) => {
      if (method !== 'thread/start') return;
      throw new RpcError(-32600, 'Invalid request: unknown variant `thread/start`, expected one of `initialize`');
    },
  },

  unknown_request: {
    turn: async (t) => {
      const reply = await t.request('item/tool/requestUserInput', { ...t.ids(), itemId: t.newCallId(),
        questions: [{ id: 'q1', header: 'Question', question: 'Which option?', isOther: false, options: null }] });
      answer(t, reply.error ? 'got error reply' : 'got result');
    },
  },

  slow: {
    turn: async (t) => {
      await t.sleep(intEnv('FAKE_CODEX_DELAY_MS', 2000));
      answer(t);
    },
  },

  invalid_config: {
    configProblem: '$CODEX_HOME/config.toml:1:1: fake invalid configuration (scenario invalid_config)',
  },

  version_hang: {
    version: () => {
      setInterval(() => {}, 1 << 30);
      return null; // never exits
    },
  },

  version_garbage: {
    version: () => {
      process.stdout.write('codex nightly\n');
      return 0;
    },
  },
};

// FAKE_CODEX_EVENTS items (alternating agentMessage and commandExecution) as
// fast as stdout takes them, or FAKE_CODEX_RATE per second; then the answer.
// FAKE_CODEX_EVENT_TIMESTAMPS=1 (for benchmarks) appends ` @<epoch ms>`, the
// time the item is written, to each message text, command and command output,
// and at the end appends a record of what was emitted to FAKE_CODEX_LOG.
async function flood(t) {
  const count = intEnv('FAKE_CODEX_EVENTS', 10000);
  const rate = intEnv('FAKE_CODEX_RATE', 0);
  const stamped = env.FAKE_CODEX_EVENT_TIMESTAMPS === '1';
  const stamp = () => (stamped ? ` @${Date.now()}` : '');
  const emitted = { agentMessages: 0, commands: 0, firstMs: Date.now(), lastMs: null };
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      t.agentMessage(`flood message ${i}${stamp()}`);
      emitted.agentMessages++;
    } else {
      const at = stamp();
      t.command(`echo ${i}${at}`, `${i}${at}\n`, 0);
      emitted.commands++;
    }
    emitted.lastMs = Date.now();
    if (rate) {
      const due = start + ((i + 1) * 1000) / rate;
      if (due > Date.now()) await t.sleep(due - Date.now());
    } else if (i % 100 === 99) {
      await t.drain();
    }
  }
  if (stamped && env.FAKE_CODEX_LOG) {
    fs.appendFileSync(env.FAKE_CODEX_LOG, JSON.stringify({ flood: { pid: process.pid, items: count, ...emitted } }) + '\n');
  }
  answer(t);
}

// One stdout line of exactly `bytes` bytes (newline excluded): a valid JSON
// notification of an unknown method whose padding string fills the rest.
async function writeLongLine(t, bytes) {
  const head = `{"method":"fake/longLine","params":{"threadId":"${t.thread.id}","padding":"`;
  const tail = `"},"emittedAtMs":${Date.now()}}`;
  let left = Math.max(0, bytes - head.length - tail.length);
  t.writeRaw(head);
  const chunk = 'x'.repeat(1 << 20);
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    t.writeRaw(n === chunk.length ? chunk : chunk.slice(0, n));
    left -= n;
    await t.drain();
  }
  t.writeRaw(tail + '\n');
}

// An approval request for a command (shape of spec §3.2); the decision is
// reported in the answer. "cancel" ends the turn interrupted, as Codex does.
async function approval(t) {
  const cmd = env.FAKE_CODEX_COMMAND || 'touch /var/tmp/x';
  const itemId = t.newCallId();
  const startedAtMs = Date.now();
  const item = (state) => commandItem(itemId, cmd, t.thread.cwd, startedAtMs, state);
  t.status('active', ['waitingOnApproval']);
  t.started(item({ status: 'inProgress', source: 'agent' }));
  const reply = await t.request('item/commandExecution/requestApproval', {
    kind: 'command', ...t.ids(), itemId, startedAtMs, environmentId: 'local',
    reason: 'Need to write outside the workspace', command: `/bin/bash -lc '${cmd}'`, cwd: t.thread.cwd,
    commandActions: [{ type: 'unknown', command: cmd }], proposedExecpolicyAmendment: cmd.split(' '),
    availableDecisions: ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: cmd.split(' ') } }, 'cancel'],
  });
  t.notify('serverRequest/resolved', { threadId: t.thread.id, requestId: reply.id });
  t.status('active', []);
  const decision = reply.error ? 'error' : reply.result && reply.result.decision;
  const label = typeof decision === 'string' ? decision : JSON.stringify(decision);
  const accepted = decision === 'accept' || decision === 'acceptForSession' ||
    (decision && typeof decision === 'object' && decision.acceptWithExecpolicyAmendment);
  const done = { completedAtMs: Date.now(), durationMs: 5 };
  if (accepted) t.completed(item({ ...done, status: 'completed', output: '', exitCode: 0 }));
  else if (decision === 'decline' || decision === 'cancel') t.completed(item({ ...done, status: 'declined', source: 'agent' }));
  else t.completed(item({ ...done, status: 'failed', exitCode: -1, output: 'Rejected("approval request failed")' }));
  if (decision === 'cancel') {
    t.endInterrupted = true;
    return;
  }
  t.tokenUsage(usageFromEnv());
  answer(t, `decision: ${label}`);
}

function scenarioNamed(name) {
  if (!Object.prototype.hasOwnProperty.call(scenarios, name)) return null;
  return { name, ...base, ...scenarios[name] };
}

module.exports = { scenarioNamed, scenarioNames: Object.keys(scenarios), usageFromEnv };
