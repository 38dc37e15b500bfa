// RFC 6455 framing, by hand (Node's standard library has no WebSocket
// server): the handshake's accept key (§4.2.2), a frame encoder for the
// server side (never masked, §5.1), and an incremental decoder for client
// frames (always masked; an unmasked one is a protocol error). Used by the
// fake server's daemon WebSocket and by its self-test acting as a client.
'use strict';

const crypto = require('node:crypto');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3
const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

function acceptKey(key) {
  return crypto.createHash('sha1').update(key + GUID).digest('base64');
}

// The header of a frame with `length` payload bytes; `mask` adds a masking
// key (a client's frames) and returns it with the header.
function frameHeader(opcode, length, { fin = true, mask = null } = {}) {
  const lenBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? length : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(length, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (mask) mask.copy(header, 2 + lenBytes);
  return header;
}

// One whole frame; `masked` for a client's frame (the self-test's).
function encodeFrame(opcode, payload, { masked = false } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload || '', 'utf8');
  if (!masked) return Buffer.concat([frameHeader(opcode, data.length), data]);
  const mask = crypto.randomBytes(4);
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) out[i] ^= mask[i % 4];
  return Buffer.concat([frameHeader(opcode, data.length, { mask }), out]);
}

// A close frame's payload: the status code, then a UTF-8 reason.
function closePayload(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return Buffer.concat([b, Buffer.from(reason, 'utf8')]);
}

// Feeds bytes in, calls onFrame({opcode, fin, payload}) per complete frame
// (payload unmasked); fragmented messages are reassembled into one
// onMessage(opcode, payload). Throws Error on a protocol violation: the
// caller closes with 1002. `requireMask`: frames from a client (§5.1).
class FrameDecoder {
  constructor({ requireMask, maxPayload = 64 * 1024 * 1024, onMessage, onControl }) {
    this.requireMask = requireMask;
    this.maxPayload = maxPayload;
    this.onMessage = onMessage;
    this.onControl = onControl;
    this.buffer = Buffer.alloc(0);
    this.fragments = null; // {opcode, parts}
  }

  push(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const frame = this.next();
      if (!frame) return;
      this.handle(frame);
    }
  }

  next() {
    const b = this.buffer;
    if (b.length < 2) return null;
    const fin = (b[0] & 0x80) !== 0;
    if (b[0] & 0x70) throw new Error('reserved bits set');
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    if (masked !== this.requireMask) throw new Error(masked ? 'a server frame must not be masked' : 'a client frame must be masked');
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayload)) throw new Error(`frame of ${big} bytes is over the limit`);
      length = Number(big);
      offset = 10;
    }
    if (length > this.maxPayload) throw new Error(`frame of ${length} bytes is over the limit`);
    const maskKey = masked ? b.subarray(offset, offset + 4) : null;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i % 4];
    this.buffer = b.subarray(offset + length);
    return { fin, opcode, payload };
  }

  handle({ fin, opcode, payload }) {
    if (opcode >= 0x8) {
      if (!fin || payload.length > 125) throw new Error('bad control frame');
      this.onControl(opcode, payload);
      return;
    }
    if (opcode === OP.continuation) {
      if (!this.fragments) throw new Error('continuation without a first fragment');
      this.fragments.parts.push(payload);
    } else {
      if (this.fragments) throw new Error('new message inside a fragmented one');
      if (opcode !== OP.text && opcode !== OP.binary) throw new Error(`unknown opcode ${opcode}`);
      this.fragments = { opcode, parts: [payload] };
    }
    if (!fin) return;
    const { opcode: op, parts } = this.fragments;
    this.fragments = null;
    this.onMessage(op, Buffer.concat(parts));
  }
}

module.exports = { OP, acceptKey, frameHeader, encodeFrame, closePayload, FrameDecoder };
