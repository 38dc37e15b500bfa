// One turn of the fake Codex: the vocabulary scenarios are written in
// (agentMessage, command, fileChange, reasoning, tokenUsage, request, sleep,
// hang, fail). Each helper emits the notifications Codex would, in its order
// (spec codex-app-server.md §4.1).
//
// Interruption: turn/interrupt calls interrupt(); every await inside a helper
// then rejects with Interrupted and every later notify throws it, so a
// scenario stops at its next step without checking anything itself.
'use strict';

const items = require('./codex_items');
const { newUuidV7 } = require('./wire');

class Interrupted extends Error {
  constructor() {
    super('turn interrupted');
  }
}

class Turn {
  constructor(server, thread, prompt) {
    this.server = server;
    this.thread = thread;
    this.id = newUuidV7();
    this.prompt = prompt;
    this.startedAt = items.nowSeconds();
    this.startedMs = Date.now();
    this.interrupted = false;
    this.waiters = new Set();
    this.pendingRequestIds = new Set();
    this.finalMessage = null; // last completed agentMessage item
    this.failure = null; // turn error object when the turn fails
    this.endInterrupted = false; // a scenario may end the turn as Codex does on "cancel"
  }

  // ---- control ----------------------------------------------------------

  interrupt() {
    this.interrupted = true;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  check() {
    if (this.interrupted) throw new Interrupted();
  }

  // Resolves like `promise`, or rejects with Interrupted if the turn is
  // interrupted first.
  wait(promise) {
    this.check();
    return new Promise((resolve, reject) => {
      const wake = () => reject(new Interrupted());
      this.waiters.add(wake);
      promise.then((v) => {
        this.waiters.delete(wake);
        if (this.interrupted) reject(new Interrupted());
        else resolve(v);
      }, reject);
    });
  }

  sleep(ms) {
    let timer;
    return this.wait(new Promise((r) => { timer = setTimeout(r, ms); })).finally(() => clearTimeout(timer));
  }

  hang() {
    return this.wait(new Promise(() => {}));
  }

  // Lets stdout drain (and stdin be read) between bursts of output.
  drain() {
    return this.wait(this.server.out.drained());
  }

  notify(method, params) {
    this.check();
    this.server.notify(method, params);
  }

  // A raw line on stdout (for garbage and over-long lines).
  writeRaw(text) {
    this.check();
    return this.server.out.writeRaw(text);
  }

  // ---- items ------------------------------------------------------------

  ids() {
    return { threadId: this.thread.id, turnId: this.id };
  }

  started(item) {
    this.notify('item/started', { item, ...this.ids(), startedAtMs: item.startedAtMs });
  }

  completed(item) {
    this.notify('item/completed', { item, ...this.ids(), contentTokenCount: null, completedAtMs: item.completedAtMs });
  }

  userMessage() {
    const item = items.userMessageItem(newUuidV7(), this.prompt);
    this.started({ ...item, completedAtMs: null });
    this.completed(item);
  }

  agentMessage(text) {
    const id = `msg_${this.server.nextItemNumber()}`;
    const startedAtMs = Date.now();
    this.started(items.agentMessageItem(id, '', startedAtMs));
    if (text) this.notify('item/agentMessage/delta', { ...this.ids(), itemId: id, delta: text });
    const done = items.agentMessageItem(id, text, startedAtMs, Date.now());
    this.completed(done);
    this.finalMessage = done;
    return done;
  }

  command(cmd, output, exitCode = 0) {
    const id = this.newCallId();
    const startedAtMs = Date.now();
    this.started(items.commandItem(id, cmd, this.thread.cwd, startedAtMs, { status: 'inProgress' }));
    if (output) this.notify('item/commandExecution/outputDelta', { ...this.ids(), itemId: id, delta: output });
    this.completed(items.commandItem(id, cmd, this.thread.cwd, startedAtMs, {
      status: exitCode === 0 ? 'completed' : 'failed', output: output || null, exitCode,
      durationMs: Date.now() - startedAtMs, completedAtMs: Date.now(),
    }));
    return id;
  }

  fileChange(fileName, content) {
    const id = this.newCallId();
    const filePath = `${this.thread.cwd}/${fileName}`;
    const startedAtMs = Date.now();
    this.started(items.fileChangeItem(id, filePath, content, 'inProgress', startedAtMs));
    this.completed(items.fileChangeItem(id, filePath, content, 'completed', startedAtMs, Date.now()));
    const lines = content.split('\n').filter((l, i, all) => i < all.length - 1 || l).map((l) => `+${l}`).join('\n');
    this.notify('turn/diff/updated', { ...this.ids(),
      diff: `diff --git a/${fileName} b/${fileName}\nnew file mode 100644\n--- /dev/null\n+++ b/${fileName}\n${lines}\n` });
  }

  reasoning(summary, content = 'raw chain') {
    const id = `rs_${this.server.nextItemNumber()}`;
    const startedAtMs = Date.now();
    this.started(items.reasoningItem(id, [], [], startedAtMs));
    this.notify('item/reasoning/summaryTextDelta', { ...this.ids(), itemId: id, delta: summary, summaryIndex: 0 });
    this.completed(items.reasoningItem(id, [summary], [content], startedAtMs, Date.now()));
  }

  // `last`: {input, cached, output, reasoning} of one model response; the
  // thread's running total is what Codex reports as `total`.
  tokenUsage(last) {
    this.thread.usageTotal = items.addUsage(this.thread.usageTotal, last);
    this.notify('thread/tokenUsage/updated', { ...this.ids(), tokenUsage: {
      total: items.usageBreakdown(this.thread.usageTotal), last: items.usageBreakdown(last),
      modelContextWindow: 258400 } });
    this.notify('account/rateLimits/updated', { rateLimits: { limitId: 'codex', primary: null, secondary: null } });
  }

  status(type, activeFlags) {
    this.notify('thread/status/changed', { threadId: this.thread.id,
      status: activeFlags ? { type, activeFlags } : { type } });
  }

  newCallId() {
    return `call_${this.server.nextItemNumber()}`;
  }

  // A server -> client request; resolves to {result} or {error}.
  async request(method, params) {
    this.check();
    const { id, reply } = this.server.request(method, params);
    this.pendingRequestIds.add(id);
    const answer = await this.wait(reply);
    this.pendingRequestIds.delete(id);
    return { id, ...answer };
  }

  fail(message, codexErrorInfo) {
    this.failure = items.turnError(message, codexErrorInfo);
  }
}

module.exports = { Turn, Interrupted };
