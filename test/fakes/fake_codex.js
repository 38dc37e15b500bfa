#!/usr/bin/env node
// A scripted stand-in for the `codex` CLI, run by the daemon exactly like the
// real one:
//   fake_codex.js --version                      -> "codex-cli 0.171.0"
//   fake_codex.js app-server --listen stdio://   -> the app-server protocol
//   fake_codex.js app-server --print-startup-config
// Behaviour is picked by FAKE_CODEX_SCENARIO (default "normal") and FAKE_CODEX_*
// parameters; see test/fakes/README.md and lib/codex_scenarios.js.
// FAKE_CODEX_LOG=<file> appends a start record and every stdin line (JSON
// lines); FAKE_CODEX_PIDS=<file> appends our pid and every child's pid;
// FAKE_CODEX_EXIT_LOG=<file> appends {"argv1", "pid", "exit_ms"} as the
// process exits (benchmarks time what follows the agent's end from it).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// Per-agent settings: with FAKE_CODEX_AGENT_DIR set (in the daemon's own
// environment, which Codex inherits), <dir>/<MULTICA_AGENT_NAME>.json holds
// FAKE_CODEX_* settings for that agent's tasks, so one daemon can run tasks
// of different scenarios. (An agent's custom_env cannot carry them: the
// daemon gives it to the commands Codex runs, never to Codex itself.)
// Read before anything else looks at the environment.
function loadAgentSettings() {
  const dir = process.env.FAKE_CODEX_AGENT_DIR;
  const name = process.env.MULTICA_AGENT_NAME;
  if (!dir || !name || !/^[A-Za-z0-9_.-]+$/.test(name)) return;
  let settings;
  try {
    settings = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  } catch (e) {
    return;  // no file: this agent runs with the process environment as it is
  }
  for (const [key, value] of Object.entries(settings)) {
    if (key.startsWith('FAKE_CODEX_') && typeof value === 'string') process.env[key] = value;
  }
}
loadAgentSettings();

const { scenarioNamed, scenarioNames } = require('./lib/codex_scenarios');

if (process.env.FAKE_CODEX_EXIT_LOG) {
  const file = process.env.FAKE_CODEX_EXIT_LOG;
  process.on('exit', () => {
    const record = { argv1: process.argv[2] || '', pid: process.pid, exit_ms: performance.timeOrigin + performance.now() };
    fs.appendFileSync(file, JSON.stringify(record) + '\n');
  });
}
const { parseCliOverrides, readConfigToml } = require('./lib/codex_config');
const { AppServer } = require('./lib/codex_app_server');

const env = process.env;
const VERSION = env.FAKE_CODEX_VERSION || '0.171.0';

function appendLog(record) {
  if (env.FAKE_CODEX_LOG) fs.appendFileSync(env.FAKE_CODEX_LOG, (typeof record === 'string' ? record : JSON.stringify(record)) + '\n');
}

// A received line goes to the log verbatim when it is JSON, else wrapped, so
// the log stays one JSON value per line.
function logStdinLine(line) {
  if (!env.FAKE_CODEX_LOG) return;
  try {
    JSON.parse(line);
    appendLog(line);
  } catch (e) {
    appendLog({ nonJsonLine: line });
  }
}

function processGroupId() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch (e) {
    return null;
  }
}

// Which environment the daemon gave us; the token's value is never written.
function interestingEnv() {
  const out = { CODEX_HOME: env.CODEX_HOME === undefined ? null : env.CODEX_HOME, PATH: env.PATH };
  for (const [key, value] of Object.entries(env)) {
    if (key === 'MULTICA_TOKEN') continue;
    if (key.startsWith('MULTICA_') || key.startsWith('FAKE_') || key.startsWith('CUSTOM_')) out[key] = value;
  }
  out.MULTICA_TOKEN_SET = env.MULTICA_TOKEN !== undefined;
  return out;
}

// at_ms: when this record is written (after Node booted and loaded us);
// time_origin_ms: when this process started, as Node measured it at its own
// start (performance.timeOrigin), which benchmarks use as the spawn time.
function recordStart(argv) {
  appendLog({ argv, env: interestingEnv(), cwd: process.cwd(), pid: process.pid, pgid: processGroupId(),
    at_ms: Date.now(), time_origin_ms: Math.round(performance.timeOrigin * 1000) / 1000 });
  if (env.FAKE_CODEX_PIDS) fs.appendFileSync(env.FAKE_CODEX_PIDS, `${process.pid}\n`);
}

function runVersion(scenario) {
  const code = scenario.version(VERSION);
  if (code !== null) process.exitCode = code;
}

// --print-startup-config / --strict-config: validate and exit (§1.1).
function runConfigCheck(scenario, argv) {
  const problem = scenario.configProblem || readConfigToml(env.CODEX_HOME).problem;
  if (argv.includes('--print-startup-config')) {
    if (problem) {
      process.stdout.write(JSON.stringify({ error: { code: -32600, data: { reason: 'configLoad', detail: problem },
        message: `failed to load configuration: ${problem}` } }) + '\n');
      process.stderr.write('Error: startup configuration unavailable\n');
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({ appServerVersion: VERSION,
      configRequirements: { supportsIndependentSpeedModes: true, requirements: null } }) + '\n');
    process.exit(0);
  }
  if (problem && argv.includes('--strict-config')) {
    process.stderr.write(`Error: ${problem}\n`);
    process.exit(1);
  }
}

function main() {
  const argv = process.argv.slice(2);
  recordStart(argv);
  const scenario = scenarioNamed(env.FAKE_CODEX_SCENARIO || 'normal');
  if (!scenario) {
    process.stderr.write(`fake codex: unknown FAKE_CODEX_SCENARIO ${env.FAKE_CODEX_SCENARIO}; ` +
      `known: ${scenarioNames.join(', ')}\n`);
    process.exit(2);
  }
  if (argv[0] === '--version' || argv[0] === '-V') return runVersion(scenario);
  const positional = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '-c' && argv[i - 1] !== '--config' &&
    argv[i - 1] !== '--listen');
  if (positional[0] !== 'app-server') {
    process.stderr.write(`fake codex: only "--version" and "app-server" are faked (got: ${argv.join(' ')})\n`);
    process.exit(2);
  }
  runConfigCheck(scenario, argv);
  new AppServer(scenario, {
    version: VERSION,
    codexHome: env.CODEX_HOME,
    cliOverrides: parseCliOverrides(argv),
    log: logStdinLine,
  }).start();
  return undefined;
}

main();
