// Decodes a request body the way Go's json.Decoder fills a struct, so the fake
// rejects exactly what the real server rejects with 400 "invalid request body":
// malformed JSON, an empty body, a non-object top level, or a field of the
// wrong type. Unknown fields are ignored, field names match case-insensitively,
// a literal null decodes as "all fields absent", and absent fields get Go's
// zero value.
//
// A schema maps field name -> type: 'string', 'int' (int64), 'int32', 'map'
// (map[string]any: object or null), 'any', an array [elementType], or a nested
// schema object (a struct). Pointer fields, whose absence the handler can see,
// are 'nstring' (*string) and 'nfloat' (*float64): absent -> undefined,
// null -> null.
'use strict';

class DecodeError extends Error {}

const NULLABLE = ['nstring', 'nfloat'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function decodeBody(rawText, schema) {
  if (rawText.trim() === '') throw new DecodeError('EOF');
  let parsed;
  try {
    parsed = JSON.parse(rawText);
  } catch (e) {
    throw new DecodeError(e.message);
  }
  return decodeValue(parsed, schema, 'body');
}

function decodeValue(value, type, where) {
  if (Array.isArray(type)) return decodeArray(value, type[0], where);
  if (typeof type === 'object') return decodeStruct(value, type, where);
  if (value === null) return NULLABLE.includes(type) ? null : zeroValue(type);
  switch (type) {
    case 'string':
    case 'nstring':
      if (typeof value !== 'string') throw new DecodeError(`${where}: want string`);
      return value;
    case 'nfloat':
      if (typeof value !== 'number') throw new DecodeError(`${where}: want number`);
      return value;
    case 'int':
    case 'int32':
      return decodeInteger(value, type, where);
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) throw new DecodeError(`${where}: want object`);
      return value;
    case 'any':
      return value;
    default:
      throw new Error(`bad schema type ${type}`);
  }
}

function decodeInteger(value, type, where) {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new DecodeError(`${where}: want integer`);
  // Precision beyond 2^53 is lost by JSON.parse; the daemon never gets near it.
  if (type === 'int32' && (value < INT32_MIN || value > INT32_MAX)) throw new DecodeError(`${where}: overflows int32`);
  return value;
}

function decodeArray(value, elementType, where) {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new DecodeError(`${where}: want array`);
  return value.map((v, i) => decodeValue(v, elementType, `${where}[${i}]`));
}

function decodeStruct(value, schema, where) {
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new DecodeError(`${where}: want object`);
  }
  const out = {};
  for (const [field, type] of Object.entries(schema)) {
    const key = value === null ? undefined : findKey(value, field);
    out[field] = key === undefined ? zeroValue(type) : decodeValue(value[key], type, `${where}.${field}`);
  }
  return out;
}

// Go prefers an exact key match and otherwise accepts a case-insensitive one.
function findKey(obj, field) {
  if (Object.prototype.hasOwnProperty.call(obj, field)) return field;
  const lower = field.toLowerCase();
  let found;
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) found = k;
  return found;
}

function zeroValue(type) {
  if (Array.isArray(type)) return [];
  if (typeof type === 'object') return decodeStruct(null, type, '');
  if (type === 'string') return '';
  if (type === 'int' || type === 'int32') return 0;
  if (NULLABLE.includes(type)) return undefined;
  return null;
}

module.exports = { decodeBody, DecodeError };
