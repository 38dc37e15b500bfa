// The fake `codex app-server --listen stdio://`: newline-delimited JSON-RPC
// without "jsonrpc" (spec codex-app-server.md §1.3), the handshake rules of
// §2.1, threads (start / resume, with the sandbox reported as in §2.3, §5.1),
// turns run by the chosen scenario, turn/interrupt, and server->client
// requests. One instance per process; all state lives on its event loop.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { readLines, newUuidV7, isUuid } = require('./wire');
const { RpcError, readConfigToml, resolveThreadSettings } = require('./codex_config');
const { Turn, Interrupted } = require('./codex_turn');
const items = require('./codex_items');

const CLIENT_METHODS = ['initialize', 'thread/start', 'thread/resume', 'turn/start', 'turn/interrupt',
  'config/read', 'account/read', 'model/list'];
// Codex answers turn/interrupt at once and completes the turn ~20 ms later.
const INTERRUPT_SETTLE_MS = 20;
// Codex exits within 15-65 ms of stdin closing.
const EOF_EXIT_MS = 15;

// stdout writer that knows when the pipe is full.
class Output {
  constructor(stream) {
    this.stream = stream;
  }

  write(message) {
    return this.writeRaw(JSON.stringify(message) + '\n');
  }

  writeRaw(text) {
    return this.stream.write(text);
  }

  drained() {
    if (!this.stream.writableNeedDrain) return new Promise((r) => setImmediate(r));
    return new Promise((r) => this.stream.once('drain', r));
  }

  flush() {
    return new Promise((r) => this.stream.write('', () => r()));
  }
}

class AppServer {
  constructor(scenario, opts) {
    this.scenario = scenario;
    this.opts = opts; // {version, codexHome, cliOverrides, log(line)}
    this.out = new Output(process.stdout);
    this.threads = new Map();
    this.initialized = false;
    this.clientReady = false; // the client sent `initialized`
    this.deferredNotifications = [];
    this.optOut = new Set();
    this.clientName = 'client';
    this.itemNumber = 0;
    this.serverRequestId = 0;
    this.pendingReplies = new Map();
    const toml = readConfigToml(opts.codexHome);
    this.layers = { toml: toml.values, cli: opts.cliOverrides };
    this.configProblem = scenario.configProblem || toml.problem;
  }

  start() {
    if (this.scenario.beforeStdin) this.scenario.beforeStdin();
    process.stdout.on('error', () => { if (!this.scenario.ignoreShutdown) process.exit(0); });
    if (this.scenario.ignoreShutdown) {
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => {});
      setInterval(() => {}, 1 << 30); // stay alive after stdin closes
    } else {
      process.on('SIGTERM', () => process.exit(0));
    }
    readLines(process.stdin, (line) => this.handleLine(line), () => {
      if (this.scenario.ignoreShutdown) return;
      const hookMs = Number(process.env.FAKE_CODEX_STOP_HOOK_MS || 0);
      if (hookMs > 0) return this.runStopHook(hookMs);
      setTimeout(() => process.exit(0), EOF_EXIT_MS);
    });
  }

  // A Stop hook that runs between the end of the input and the exit: the
  // log says whether it ran to its end or a SIGTERM cut it short.
  runStopHook(ms) {
    this.opts.log(JSON.stringify({ stopHook: 'started' }));
    process.removeAllListeners('SIGTERM');
    process.on('SIGTERM', () => {
      this.opts.log(JSON.stringify({ stopHook: 'cut' }));
      process.exit(0);
    });
    setTimeout(() => {
      this.opts.log(JSON.stringify({ stopHook: 'done' }));
      process.exit(0);
    }, ms);
  }

  // ---- incoming ---------------------------------------------------------

  handleLine(line) {
    this.opts.log(line);
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      // The real server logs and keeps serving, with no reply at all.
      process.stderr.write(`ERROR codex_app_server_transport::transport: Failed to deserialize JSONRPCMessage: ${e.message}\n`);
      return;
    }
    if (msg && typeof msg.method === 'string' && msg.id !== undefined) this.handleRequest(msg);
    else if (msg && typeof msg.method === 'string') this.handleNotification(msg);
    else if (msg && msg.id !== undefined) this.handleReply(msg);
  }

  handleNotification(msg) {
    if (msg.method !== 'initialized') return;
    this.clientReady = true;
    for (const [method, params] of this.deferredNotifications.splice(0)) this.notify(method, params);
  }

  handleReply(msg) {
    const resolve = this.pendingReplies.get(msg.id);
    if (!resolve) return;
    this.pendingReplies.delete(msg.id);
    resolve(msg.error ? { error: msg.error } : { result: msg.result });
  }

  handleRequest(msg) {
    const params = msg.params || {};
    try {
      if (msg.method === 'initialize') return this.initialize(msg.id, params);
      if (!this.initialized) throw new RpcError(-32600, 'Not initialized');
      this.scenario.refuse(msg.method);
      const result = this.dispatch(msg.method, params);
      if (result !== undefined) this.out.write({ id: msg.id, result: this.scenario.reshape(msg.method, result) });
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      this.out.write({ error: { code: e.code, message: e.message }, id: msg.id });
    }
    return undefined;
  }

  dispatch(method, params) {
    switch (method) {
      case 'thread/start': return this.threadStart(params);
      case 'thread/resume': return this.threadResume(params);
      case 'turn/start': return this.turnStart(params);
      case 'turn/interrupt': return this.turnInterrupt(params);
      case 'config/read': return this.configRead();
      case 'account/read': return { account: null, userId: null, requiresOpenaiAuth: false, workspaceRouting: null };
      case 'model/list': return { data: [], nextCursor: null };
      default: {
        const expected = CLIENT_METHODS.map((m) => `\`${m}\``).join(', ');
        throw new RpcError(-32600, `Invalid request: unknown variant \`${method}\`, expected one of ${expected}`);
      }
    }
  }

  // ---- handshake --------------------------------------------------------

  initialize(id, params) {
    if (this.initialized) throw new RpcError(-32600, 'Already initialized');
    const info = params.clientInfo;
    if (!info || typeof info.name !== 'string' || typeof info.version !== 'string') {
      throw new RpcError(-32600, 'Invalid request: missing field `clientInfo`');
    }
    if (!this.scenario.answersInitialize) return;
    this.initialized = true;
    this.clientName = info.name;
    const caps = params.capabilities || {};
    this.optOut = new Set(Array.isArray(caps.optOutNotificationMethods) ? caps.optOutNotificationMethods : []);
    this.out.write({ id, result: this.scenario.reshape('initialize', {
      userAgent: `${info.name}/${this.opts.version} (Debian 12.0.0; x86_64) fake-codex (${info.name}; ${info.version})`,
      codexHome: this.opts.codexHome || path.join(os.homedir(), '.codex'),
      platformFamily: 'unix',
      platformOs: 'linux',
    }) });
    this.notify('remoteControl/status/changed', { status: 'disabled', serverName: os.hostname(), installationId: null });
    if (this.configProblem) {
      this.notify('configWarning', { summary: 'Invalid configuration; using defaults.', details: this.configProblem,
        path: path.join(this.opts.codexHome || '', 'config.toml') });
    }
  }

  configRead() {
    if (this.configProblem) throw new RpcError(-32603, `failed to read configuration layers: ${this.configProblem}`);
    const settings = resolveThreadSettings({}, null, this.layers);
    return { config: { sandbox_mode: settings.mode, approval_policy: this.layers.toml.approval_policy || null,
      model: this.layers.toml.model || null, sandbox_workspace_write: { writable_roots: [],
        network_access: settings.networkAccess, exclude_tmpdir_env_var: false, exclude_slash_tmp: false } },
    origins: {} };
  }

  // ---- threads ----------------------------------------------------------

  threadStart(params) {
    this.checkConfig();
    const settings = resolveThreadSettings(params, null, this.layers);
    const thread = {
      id: newUuidV7(),
      createdAt: items.nowSeconds(),
      usageTotal: { input: 0, cached: 0, output: 0, reasoning: 0 },
      chain: Promise.resolve(),
      activeTurn: null,
    };
    this.applyThreadParams(thread, params, settings);
    this.threads.set(thread.id, thread);
    this.saveThread(thread);
    const result = this.threadResult(thread);
    setImmediate(() => this.notifyWhenReady('thread/started', { thread: result.thread }));
    return result;
  }

  threadResume(params) {
    this.checkConfig();
    const id = params.threadId;
    this.scenario.resume(id);
    if (typeof id !== 'string' || !isUuid(id)) {
      throw new RpcError(-32600, 'invalid session id: invalid character: expected an optional prefix of ' +
        `\`urn:uuid:\` followed by [0-9a-fA-F-], found \`${String(id).charAt(0)}\` at 1`);
    }
    const thread = this.threads.get(id) || this.loadThread(id);
    if (!thread) throw new RpcError(-32600, `no rollout found for thread id ${id}`);
    this.applyThreadParams(thread, params, resolveThreadSettings(params, thread.settings, this.layers));
    this.threads.set(thread.id, thread);
    this.saveThread(thread);
    return this.threadResult(thread);
  }

  checkConfig() {
    if (this.configProblem) throw new RpcError(-32600, `failed to load configuration: ${this.configProblem}`);
  }

  applyThreadParams(thread, params, settings) {
    thread.settings = settings;
    thread.cwd = params.cwd ? path.resolve(params.cwd) : (thread.cwd || process.cwd());
    thread.model = params.model || thread.model || process.env.FAKE_CODEX_MODEL || this.layers.toml.model || 'fake-model';
    thread.modelProvider = params.modelProvider || this.layers.toml.model_provider || 'openai';
  }

  threadResult(thread) {
    const agentsMd = path.join(thread.cwd, 'AGENTS.md');
    return {
      thread: { id: thread.id, sessionId: thread.id, preview: '', ephemeral: false, historyMode: 'paginated',
        modelProvider: thread.modelProvider, model: thread.model, createdAt: thread.createdAt,
        status: { type: 'idle' }, path: this.threadFile(thread.id), cwd: thread.cwd, cliVersion: this.opts.version,
        originator: this.clientName, source: 'vscode', turns: [] },
      model: thread.model,
      modelProvider: thread.modelProvider,
      serviceTier: null,
      disabledPluginIds: [],
      cwd: thread.cwd,
      runtimeWorkspaceRoots: [],
      instructionSources: fs.existsSync(agentsMd) ? [agentsMd] : [],
      approvalPolicy: thread.settings.approvalPolicy,
      approvalsReviewer: 'user',
      sandbox: this.scenario.reportedSandbox(thread.settings.sandbox),
      activePermissionProfile: null,
      reasoningEffort: null,
      multiAgentMode: 'explicitRequestOnly',
    };
  }

  // Threads persist under $CODEX_HOME/sessions like real rollouts, so a new
  // process with the same CODEX_HOME can resume them and another cannot.
  threadFile(id) {
    return this.opts.codexHome ? path.join(this.opts.codexHome, 'sessions', 'fake', `rollout-${id}.json`) : null;
  }

  saveThread(thread) {
    const file = this.threadFile(thread.id);
    if (!file) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ id: thread.id, createdAt: thread.createdAt, cwd: thread.cwd,
        model: thread.model, settings: thread.settings, usageTotal: thread.usageTotal }));
    } catch (e) {
      process.stderr.write(`fake codex: cannot save thread: ${e.message}\n`);
    }
  }

  loadThread(id) {
    const file = this.threadFile(id);
    try {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      return { ...saved, chain: Promise.resolve(), activeTurn: null };
    } catch (e) {
      return null;
    }
  }

  // ---- turns ------------------------------------------------------------

  threadFor(threadId) {
    const thread = this.threads.get(threadId);
    if (!thread) throw new RpcError(-32600, `thread not found: ${threadId}`);
    return thread;
  }

  turnStart(params) {
    const thread = this.threadFor(params.threadId);
    if (params.cwd) thread.cwd = path.resolve(params.cwd);
    if (params.model) thread.model = params.model;
    if (params.approvalPolicy) thread.settings.approvalPolicy = params.approvalPolicy;
    if (params.sandboxPolicy) thread.settings.sandbox = params.sandboxPolicy;
    const input = Array.isArray(params.input) ? params.input : [];
    const prompt = input.filter((i) => i && i.type === 'text').map((i) => i.text).join('\n');
    const turn = new Turn(this, thread, prompt);
    // A turn started while another runs is queued behind it (§2.5).
    thread.chain = thread.chain.then(() => this.runTurn(thread, turn));
    return { turn: { ...items.turnObject(turn, 'inProgress'), startedAt: null } };
  }

  turnInterrupt(params) {
    const thread = this.threadFor(params.threadId);
    const turn = thread.activeTurn;
    if (!turn || turn.id !== params.turnId) throw new RpcError(-32600, 'no active turn to interrupt');
    if (process.env.FAKE_CODEX_IGNORE_INTERRUPT !== '1') setImmediate(() => turn.interrupt());
    return {};
  }

  async runTurn(thread, turn) {
    thread.activeTurn = turn;
    try {
      turn.status('active', []);
      turn.notify('turn/started', { threadId: thread.id, turn: items.turnObject(turn, 'inProgress') });
      turn.userMessage();
      await this.scenario.turn(turn);
      if (turn.endInterrupted) await this.finishInterrupted(thread, turn);
      else this.finishTurn(thread, turn);
    } catch (e) {
      if (e instanceof Interrupted) await this.finishInterrupted(thread, turn);
      else {
        process.stderr.write(`fake codex: scenario error: ${e.stack}\n`);
        turn.failure = items.turnError(`fake codex scenario error: ${e.message}`);
        this.finishTurn(thread, turn);
      }
    } finally {
      thread.activeTurn = null;
      this.saveThread(thread);
    }
  }

  finishTurn(thread, turn) {
    const threadId = thread.id;
    if (turn.failure) {
      this.notify('thread/status/changed', { threadId, status: { type: 'systemError' } });
      this.notify('error', { error: turn.failure, willRetry: false, threadId, turnId: turn.id });
      this.notify('turn/completed', { threadId, turn: items.turnObject(turn, 'failed', { error: turn.failure }) });
      return;
    }
    this.notify('thread/status/changed', { threadId, status: { type: 'idle' } });
    const final = turn.finalMessage ? [turn.finalMessage] : [];
    this.notify('turn/completed', { threadId, turn: items.turnObject(turn, 'completed',
      { items: final, itemsView: 'summary' }) });
  }

  async finishInterrupted(thread, turn) {
    await new Promise((r) => setTimeout(r, INTERRUPT_SETTLE_MS));
    this.notify('thread/status/changed', { threadId: thread.id, status: { type: 'idle' } });
    this.notify('turn/completed', { threadId: thread.id, turn: items.turnObject(turn, 'interrupted') });
    for (const requestId of turn.pendingRequestIds) {
      this.pendingReplies.delete(requestId);
      this.notify('serverRequest/resolved', { threadId: thread.id, requestId });
    }
  }

  // ---- outgoing ---------------------------------------------------------

  notify(method, params) {
    if (this.optOut.has(method)) return;
    this.out.write({ method, params: this.scenario.reshape(method, params), emittedAtMs: Date.now() });
  }

  // thread/started reaches the client only once it has sent `initialized`.
  notifyWhenReady(method, params) {
    if (this.clientReady) this.notify(method, params);
    else this.deferredNotifications.push([method, params]);
  }

  // -> {id, reply: Promise<{result}|{error}>}
  request(method, params) {
    const id = this.serverRequestId++;
    const reply = new Promise((resolve) => this.pendingReplies.set(id, resolve));
    this.out.write({ method, id, params });
    return { id, reply };
  }

  nextItemNumber() {
    return ++this.itemNumber;
  }

  recordChildPid(pid) {
    if (process.env.FAKE_CODEX_PIDS && pid) fs.appendFileSync(process.env.FAKE_CODEX_PIDS, `${pid}\n`);
  }

  async exit(code) {
    await this.out.flush();
    process.exit(code);
  }
}

module.exports = { AppServer };
