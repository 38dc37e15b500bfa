// Harness for the fakes' self-tests: a bounded test run that always stops the
// processes it started, child processes that announce {"port": N}, a small
// HTTP client, and a JSON-RPC peer over a child's stdio (Codex framing).
'use strict';

const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

const { readLines } = require('./wire');

const FAKES_DIR = path.resolve(__dirname, '..');
const STOP_GRACE_MS = 2000;

class TimeoutError extends Error {}

function withTimeout(promise, ms, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${label}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs `body(kit)` with a deadline; cleanups run in reverse order whatever
// happens; exit status 0 = pass.
function runSelftest(name, body, { timeoutMs = 60000 } = {}) {
  const cleanups = [];
  const kit = {
    onCleanup: (fn) => cleanups.push(fn),
    spawn: (cmd, args, opts) => {
      const child = spawn(cmd, args, opts);
      child.on('error', () => {}); // reported through exit/asserts instead
      cleanups.push(() => stopChild(child));
      return child;
    },
    step: (text) => process.stderr.write(`  - ${text}\n`),
  };
  let done = false;
  const finish = async (err) => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`cleanup failed: ${e.message}\n`);
      }
    }
    if (err) {
      process.stderr.write(`FAIL ${name}: ${err.stack || err}\n`);
      process.exit(1);
    }
    process.stdout.write(`PASS ${name}\n`);
    process.exit(0);
  };
  const deadline = setTimeout(() => finish(new Error(`self-test timed out after ${timeoutMs} ms`)), timeoutMs);
  Promise.resolve().then(() => body(kit)).then(() => finish(null), finish);
}

function exitOf(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

// SIGTERM, a grace period, then SIGKILL. Already exited is fine.
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  try {
    await withTimeout(exited, STOP_GRACE_MS, 'stop');
  } catch (e) {
    child.kill('SIGKILL');
    await withTimeout(exited, STOP_GRACE_MS, 'kill').catch(() => {});
  }
}

// Starts `node <script> args...` and waits for its {"port": N} line.
async function startListening(kit, script, args = [], env = process.env) {
  const child = kit.spawn(process.execPath, [path.join(FAKES_DIR, script), ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const firstLine = new Promise((resolve, reject) => {
    readLines(child.stdout, resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code} before listening: ${stderr}`)));
  });
  const line = await withTimeout(firstLine, 10000, `${script} start`);
  return { child, port: JSON.parse(line).port, stderr: () => stderr };
}

// -> {status, headers, text, json}; rejects when the connection fails.
function request(port, method, urlPath, { body, token, headers = {}, rawBody, timeoutMs = 10000 } = {}) {
  const payload = rawBody !== undefined ? rawBody : body !== undefined ? JSON.stringify(body) : null;
  const allHeaders = { ...headers };
  if (token) allHeaders.Authorization = `Bearer ${token}`;
  const typed = Object.keys(allHeaders).some((k) => k.toLowerCase() === 'content-type');
  if (payload !== null && !typed) allHeaders['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: allHeaders, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch (e) {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      });
    req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError(`${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    req.end(payload === null ? undefined : payload);
  });
}

// A client of a newline-delimited JSON-RPC server on a child's stdio.
class RpcPeer {
  constructor(child) {
    this.child = child;
    this.messages = [];
    this.nonJson = [];
    this.nextId = 1;
    this.waiters = [];
    this.stderr = '';
    this.onServerRequest = null;
    child.stderr.on('data', (d) => { this.stderr += d; });
    readLines(child.stdout, (line) => this.receive(line));
    this.exited = exitOf(child);
  }

  receive(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      this.nonJson.push(line);
      return;
    }
    this.messages.push(msg);
    if (msg.method && msg.id !== undefined && this.onServerRequest) this.onServerRequest(msg);
    for (const w of [...this.waiters]) w();
  }

  send(message) {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  request(method, params, timeoutMs = 10000) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return this.waitFor((m) => m.id === id && m.method === undefined, timeoutMs, `reply to ${method}`);
  }

  notify(method, params) {
    this.send(params === undefined ? { method } : { method, params });
  }

  // The first message (from index `from`) matching `pred`.
  waitFor(pred, timeoutMs = 10000, label = 'message', from = 0) {
    const found = new Promise((resolve) => {
      const check = () => {
        const i = this.messages.findIndex((m, idx) => idx >= from && pred(m));
        if (i < 0) return false;
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(this.messages[i]);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
    return withTimeout(found, timeoutMs, `${label} (stderr: ${this.stderr.slice(-500)})`);
  }

  notifications(method, from = 0) {
    return this.messages.slice(from).filter((m) => m.method === method && m.id === undefined);
  }
}

module.exports = { FAKES_DIR, runSelftest, startListening, request, RpcPeer, withTimeout, exitOf, stopChild };
