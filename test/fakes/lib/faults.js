// Fault injection for the fake Multica server. A fault matches requests by
// method and path regex and is consumed in creation order; `count` is how many
// matching requests it affects (-1 = until cleared). Modes:
//   status    answer {status, body} without performing the operation
//   delay     wait delay_ms, then perform the operation normally
//   malformed perform it, answer 200 with a body that is not JSON
//   truncate  perform it, promise more bytes (Content-Length) than sent, close
//   close     destroy the socket without answering (not performed)
//   hang      never answer (not performed) until the client gives up
'use strict';

const { goJson } = require('./wire');

const MODES = ['status', 'delay', 'malformed', 'truncate', 'close', 'hang'];
const DEFAULT_STATUS_BODY = '{"error":"injected"}\n';
const MALFORMED_BODY = '<html>this is not json {"status":';

class FaultBook {
  constructor() {
    this.clear();
  }

  clear() {
    this.faults = [];
    this.nextId = 1;
  }

  // -> the stored fault; throws Error with a message for a bad spec.
  add(spec) {
    if (!MODES.includes(spec.mode)) throw new Error(`mode must be one of ${MODES.join(', ')}`);
    const count = spec.count === undefined ? 1 : spec.count;
    if (!Number.isInteger(count) || count === 0 || count < -1) throw new Error('count must be a positive integer or -1');
    const fault = {
      id: String(this.nextId++),
      method: spec.method ? String(spec.method).toUpperCase() : null,
      path: spec.path || null,
      pathRe: spec.path ? new RegExp(spec.path) : null,
      mode: spec.mode,
      status: Number.isInteger(spec.status) ? spec.status : 500,
      body: spec.body === undefined ? DEFAULT_STATUS_BODY : (typeof spec.body === 'string' ? spec.body : goJson(spec.body) + '\n'),
      delay_ms: Number.isInteger(spec.delay_ms) ? spec.delay_ms : 1000,
      count,
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  // The first live fault matching the request, consumed once; or null.
  take(method, path) {
    const fault = this.faults.find((f) => (!f.method || f.method === method) && (!f.pathRe || f.pathRe.test(path)));
    if (!fault) return null;
    fault.hits++;
    if (fault.count > 0 && --fault.count === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  list() {
    return this.faults.map(({ pathRe, ...rest }) => rest);
  }
}

function statusFaultReply(fault) {
  return { status: fault.status, headers: { 'Content-Type': 'application/json' }, body: fault.body };
}

function malformedReply() {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: MALFORMED_BODY };
}

module.exports = { FaultBook, statusFaultReply, malformedReply };
