// multipart/form-data as Go's ParseMultipartForm reads it (fields and file
// parts, file names reduced to their base name), and the content type an
// upload is stored with: Go's http.DetectContentType on the first 512 bytes
// (the signatures a test meets), then upstream's per-extension overrides.
// Pure functions over Buffers.
'use strict';

const path = require('node:path');

class MultipartError extends Error {}

// -> {fields: {name: value}, files: [{field, filename, content_type, data}]}
function parseMultipart(contentType, body) {
  const type = /^multipart\/form-data\s*;(.*)$/i.exec(contentType || '');
  if (!type) throw new MultipartError("request Content-Type isn't multipart/form-data");
  const b = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type[1]);
  if (!b) throw new MultipartError('no multipart boundary param in Content-Type');
  const delimiter = Buffer.from(`--${b[1] || b[2]}`);
  const out = { fields: {}, files: [] };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('multipart: NextPart: EOF');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return out;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new MultipartError('multipart: bad delimiter line');
    const headerEnd = body.indexOf('\r\n\r\n', pos + 2);
    if (headerEnd < 0) throw new MultipartError('multipart: unexpected EOF in headers');
    const headers = parseHeaders(body.subarray(pos + 2, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('multipart: NextPart: EOF');
    addPart(out, headers, body.subarray(headerEnd + 4, next));
    pos = next + 2;
  }
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function addPart(out, headers, data) {
  const disposition = headers['content-disposition'] || '';
  const name = dispositionParam(disposition, 'name');
  const filename = dispositionParam(disposition, 'filename');
  if (name === null) return; // Go skips parts without a form name
  if (filename === null) {
    if (!(name in out.fields)) out.fields[name] = data.toString('utf8');
    return;
  }
  out.files.push({ field: name, filename: path.posix.basename(filename.replace(/\\/g, '/')),
    content_type: headers['content-type'] || '', data: Buffer.from(data) });
}

function dispositionParam(disposition, key) {
  const m = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${key}=([^;\\s]+)`, 'i').exec(disposition);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

// Go's sniffer gets these wrong; upstream overrides by extension.
const EXTENSION_TYPES = { '.svg': 'image/svg+xml', '.css': 'text/css', '.js': 'application/javascript',
  '.mjs': 'application/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

const SIGNATURES = [
  ['%PDF-', 'application/pdf'],
  ['\x89PNG\r\n\x1a\n', 'image/png'],
  ['\xff\xd8\xff', 'image/jpeg'],
  ['GIF87a', 'image/gif'],
  ['GIF89a', 'image/gif'],
  ['PK\x03\x04', 'application/zip'],
  ['\x1f\x8b\x08', 'application/x-gzip'],
];

function sniffContentType(filename, data) {
  const ext = EXTENSION_TYPES[path.posix.extname(filename || '').toLowerCase()];
  return ext || detectContentType(data.subarray(0, 512));
}

function detectContentType(head) {
  for (const [magic, type] of SIGNATURES) {
    if (head.subarray(0, magic.length).equals(Buffer.from(magic, 'latin1'))) return type;
  }
  const text = head.toString('latin1').replace(/^[\t\n\x0c\r ]+/, '').toLowerCase();
  if (/^<(!doctype html|html|head|body|p|div|script)[ >]/.test(text)) return 'text/html; charset=utf-8';
  if (text.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  const binary = head.some((c) => c <= 0x08 || c === 0x0b || (c >= 0x0e && c <= 0x1a) || (c >= 0x1c && c <= 0x1f));
  return binary ? 'application/octet-stream' : 'text/plain; charset=utf-8';
}

module.exports = { parseMultipart, MultipartError, sniffContentType };
