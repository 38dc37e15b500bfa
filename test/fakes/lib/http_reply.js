// Responses of the fake Multica server as values ({status, headers, body}),
// one builder per producer of spec §1.3, so faults can rewrite a reply before
// it is written. Also a small method+path router that tells "no such path"
// (404) from "wrong method" (405 with Allow), as chi does.
'use strict';

const { goJson } = require('./wire');

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

// Handler success and handler errors: Go's json.Encoder, trailing "\n".
function jsonReply(status, value) {
  return { status, headers: { 'Content-Type': JSON_TYPE }, body: goJson(value) + '\n' };
}

function handlerError(status, message) {
  return jsonReply(status, { error: message });
}

// Middleware errors (daemon auth, workspace membership): hand-written JSON,
// no trailing newline.
function middlewareError(status, message) {
  return { status, headers: { 'Content-Type': JSON_TYPE }, body: goJson({ error: message }) };
}

function daemonAuthError(message) {
  return middlewareError(401, message);
}

// DELETE answers 204: no body, no Content-Type.
function noContent() {
  return { status: 204, headers: {}, body: '' };
}

// A stored file served as Go's local storage serves it (body is a Buffer).
function fileReply(contentType, data) {
  return { status: 200, headers: { 'Content-Type': contentType }, body: data };
}

// User auth middleware: http.Error with a JSON-looking string.
function userAuthError(message) {
  return { status: 401, headers: plainTextHeaders(), body: goJson({ error: message }) + '\n' };
}

function routerNotFound() {
  return { status: 404, headers: plainTextHeaders(), body: '404 page not found\n' };
}

// chi answers a known path with the wrong method: 405, Allow, empty body.
function methodNotAllowed(allowed) {
  return { status: 405, headers: { Allow: allowed.join(', ') }, body: '' };
}

// /health is written by hand upstream: no trailing newline.
function healthReply() {
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: '{"status":"ok"}' };
}

function plainTextHeaders() {
  return { 'Content-Type': TEXT_TYPE, 'X-Content-Type-Options': 'nosniff' };
}

// Routes are {method, pattern: '/a/:x/b', ...}; ':name' matches one segment
// (even an empty one, so '/issues//gc-check' reaches the handler).
class Router {
  constructor() {
    this.routes = [];
  }

  add(method, pattern, route) {
    this.routes.push({ ...route, method, segments: pattern.split('/') });
  }

  // -> {route, params} | {allowed: [methods]} | null
  match(method, path) {
    const parts = path.split('/');
    const allowed = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function matchSegments(pattern, parts) {
  if (pattern.length !== parts.length) return null;
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = safeDecode(parts[i]);
    else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch (e) {
    return segment;
  }
}

module.exports = {
  jsonReply, handlerError, middlewareError, daemonAuthError, noContent, fileReply, userAuthError, routerNotFound,
  methodNotAllowed, healthReply, Router,
};
