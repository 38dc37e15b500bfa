// Wire-format helpers shared by the fakes: JSON encoded the way Go's encoder
// does it, RFC 3339 timestamps, identifiers, and newline-delimited line
// splitting without a length limit. Pure functions except readLines.
'use strict';

const crypto = require('node:crypto');

// Go's encoding/json escapes these even inside strings; the daemon's parser
// must cope with \u003c etc., so the fake produces them too.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

function goJson(value) {
  return JSON.stringify(value).replace(GO_ESCAPED, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// Handlers that answer a Go map[string]any get its keys in sorted order.
function goMap(obj) {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

// Task and runtime timestamps: whole seconds, UTC.
function rfc3339Seconds(ms) {
  if (ms === null || ms === undefined) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// gc-check updated_at: fractional seconds with trailing zeros removed.
function rfc3339Fraction(ms) {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits) => (digits ? '.' + digits : '') + 'Z');
}

// Go's time.Parse(time.RFC3339, s): a fraction is accepted, the offset is
// Z or ±hh:mm, fields are range-checked. -> epoch ms, or null when invalid.
const RFC3339_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function parseRfc3339(text) {
  const m = RFC3339_RE.exec(text);
  if (!m) return null;
  const [, , mon, day, hh, mm, ss, , zone] = m;
  if (+mon < 1 || +mon > 12 || +day < 1 || +day > 31 || +hh > 23 || +mm > 59 || +ss > 59) return null;
  if (zone !== 'Z' && (+zone.slice(1, 3) > 23 || +zone.slice(4) > 59)) return null;
  const ms = Date.parse(text);
  // Date.parse rolls 2026-02-31 over to March; Go rejects it.
  if (Number.isNaN(ms) || new Date(Date.parse(`${text.slice(0, 10)}T00:00:00Z`)).getUTCDate() !== +day) return null;
  return ms;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuid(s) {
  return typeof s === 'string' && UUID_RE.test(s);
}

function newUuid() {
  return crypto.randomUUID();
}

// Codex thread and turn ids are UUIDv7 (time-ordered); mimic that shape.
function newUuidV7() {
  const bytes = crypto.randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Ping and update request ids are 32 lowercase hex characters, not UUIDs.
function newHexId() {
  return crypto.randomBytes(16).toString('hex');
}

function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

// Calls onLine for every '\n'-terminated line of a stream (and a final
// unterminated one at end). Lines may be arbitrarily long: chunks are kept in
// a list and only the new chunk is scanned, so a 100 MiB line stays linear.
function readLines(stream, onLine, onEnd) {
  let pending = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      pending.push(chunk.slice(start, nl));
      const line = pending.join('');
      pending = [];
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
  });
  stream.on('end', () => {
    if (pending.length) onLine(pending.join(''));
    pending = [];
    if (onEnd) onEnd();
  });
}

module.exports = {
  goJson, goMap, rfc3339Seconds, rfc3339Fraction, parseRfc3339, isUuid, newUuid, newUuidV7, newHexId, sha256Hex, readLines,
};
