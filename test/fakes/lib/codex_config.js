// How the fake Codex decides a thread's effective settings, mirroring spec
// codex-app-server.md §2.3 and §5.1: explicit thread/start params win over
// `config` overrides, which win over `-c` flags, which win over the root keys
// of $CODEX_HOME/config.toml. Also spots the two config.toml mistakes the
// real Codex turns into "Invalid configuration" (§6: duplicate keys).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'];
const APPROVAL_POLICIES = ['untrusted', 'on-request', 'never'];

class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// Reads the keys that matter from a config.toml: root keys before the first
// table header (dotted keys flattened), and `[sandbox_workspace_write]`.
// Returns {values: {dotted.key: value}, problem: string|null}.
function readConfigToml(codexHome) {
  const file = codexHome ? path.join(codexHome, 'config.toml') : null;
  let text;
  try {
    text = file ? fs.readFileSync(file, 'utf8') : '';
  } catch (e) {
    return { values: {}, problem: null };
  }
  const values = {};
  let table = '';
  let problem = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) return;
    const header = /^\[([^\][]+)\]$/.exec(line);
    if (header) {
      table = header[1].trim();
      if (table === 'sandbox_workspace_write' && hasPrefix(values, 'sandbox_workspace_write.')) {
        problem = problem || `${file}:${i + 1}:2: duplicate key`;
      }
      return;
    }
    const kv = /^([A-Za-z0-9_.\-"]+)\s*=\s*(.+)$/.exec(line);
    if (!kv || (table && table !== 'sandbox_workspace_write')) return;
    const key = (table ? table + '.' : '') + kv[1].replace(/"/g, '').replace(/\s+/g, '');
    if (key in values) problem = problem || `${file}:${i + 1}:1: duplicate key`;
    values[key] = parseTomlScalar(kv[2]);
  });
  return { values, problem };
}

function hasPrefix(values, prefix) {
  return Object.keys(values).some((k) => k.startsWith(prefix));
}

// Enough TOML for scalars: strings, booleans, numbers; anything else raw.
function parseTomlScalar(text) {
  const t = text.trim();
  if (/^"(.*)"$/.test(t)) return t.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  if (/^'(.*)'$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

// `-c key=value` flags of the command line -> {dotted.key: value}.
function parseCliOverrides(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '-c' || argv[i] === '--config') && i + 1 < argv.length) {
      const [key, ...rest] = argv[++i].split('=');
      out[key.trim()] = parseTomlScalar(rest.join('='));
    }
  }
  return out;
}

// Reads a dotted key from a `config` param that may be nested or dotted.
function lookup(obj, dotted) {
  if (!obj || typeof obj !== 'object') return undefined;
  if (dotted in obj) return obj[dotted];
  const [head, ...rest] = dotted.split('.');
  return rest.length ? lookup(obj[head], rest.join('.')) : undefined;
}

function firstDefined(...values) {
  return values.find((v) => v !== undefined && v !== null);
}

// -> {sandbox: {...camelCase policy...}, mode, approvalPolicy}; throws RpcError.
function resolveThreadSettings(params, stored, layers) {
  const pick = (paramValue, dotted, storedValue) => firstDefined(paramValue, lookup(params.config, dotted),
    storedValue, layers.cli[dotted], layers.toml[dotted]);
  const mode = pick(params.sandbox, 'sandbox_mode', stored && stored.mode);
  if (mode !== undefined && !SANDBOX_MODES.includes(mode)) throw unknownVariant(mode, SANDBOX_MODES);
  const network = pick(undefined, 'sandbox_workspace_write.network_access', stored && stored.networkAccess);
  let approval = pick(params.approvalPolicy, 'approval_policy', stored && stored.approvalPolicy);
  if (approval && typeof approval === 'object') {
    throw new RpcError(-32600, 'askForApproval.granular requires experimentalApi capability');
  }
  if (approval === 'on-failure' && params.approvalPolicy === undefined) approval = 'on-request'; // TOML leniency
  if (approval !== undefined && !APPROVAL_POLICIES.includes(approval)) throw unknownVariant(approval, APPROVAL_POLICIES);
  return {
    mode: mode || 'read-only',
    networkAccess: Boolean(network),
    approvalPolicy: approval || 'on-request',
    sandbox: sandboxPolicy(mode || 'read-only', Boolean(network)),
  };
}

function sandboxPolicy(mode, networkAccess) {
  if (mode === 'danger-full-access') return { type: 'dangerFullAccess' };
  if (mode === 'workspace-write') {
    return { type: 'workspaceWrite', writableRoots: [], networkAccess, excludeTmpdirEnvVar: false,
      excludeSlashTmp: false };
  }
  return { type: 'readOnly', networkAccess: false };
}

function unknownVariant(value, expected) {
  const list = expected.map((e) => `\`${e}\``).join(', ');
  return new RpcError(-32600, `Invalid request: unknown variant \`${value}\`, expected one of ${list}`);
}

module.exports = { RpcError, readConfigToml, parseCliOverrides, resolveThreadSettings, sandboxPolicy, lookup };
