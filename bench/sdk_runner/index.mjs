// What a user would script instead of running multicad: one Codex task
// through the official TypeScript SDK (@openai/codex-sdk, which runs
// `codex exec --experimental-json` per turn), as bench/sdk_runner.sh uses it.
//
//   node index.mjs CODEX_EXE CODEX_HOME WORKDIR PROMPT
//
// The same settings the daemon gives Codex: the task's CODEX_HOME (prepared
// by `multicad env prepare`), its workdir, workspace-write with network,
// approvals never. Prints one JSON line: the answer, the item types, the
// usage, ms from this process's start (performance.timeOrigin) to the SDK
// import and to the answer, and this process's own peak RSS (getrusage
// RUSAGE_SELF maxRSS, kB: Node and the SDK only, not Codex).
const started = performance.timeOrigin;
const [codexExe, codexHome, workdir, prompt] = process.argv.slice(2);
if (!prompt) {
  process.stderr.write('usage: index.mjs CODEX_EXE CODEX_HOME WORKDIR PROMPT\n');
  process.exit(2);
}
// The SDK lives in bench/.deps/sdk (CODEX_SDK_DIR), outside this folder's
// node_modules lookup, so it is imported by path.
const { pathToFileURL } = await import('node:url');
const sdkDir = process.env.CODEX_SDK_DIR || new URL('../.deps/sdk', import.meta.url).pathname;
const { Codex } = await import(pathToFileURL(`${sdkDir}/node_modules/@openai/codex-sdk/dist/index.js`).href);
const importedMs = Date.now() - started;

const codex = new Codex({ codexPathOverride: codexExe, env: { ...process.env, CODEX_HOME: codexHome, NO_COLOR: '1' } });
const thread = codex.startThread({
  workingDirectory: workdir, sandboxMode: 'workspace-write', networkAccessEnabled: true,
  approvalPolicy: 'never', skipGitRepoCheck: true,
});
let out;
try {
  const turn = await thread.run(prompt);
  out = { answer: turn.finalResponse, items: turn.items.map((i) => i.type), usage: turn.usage, thread_id: thread.id };
} catch (e) {
  out = { error: String(e.message || e).slice(0, 2000) };
}
out.imported_ms = importedMs;
out.done_ms = Date.now() - started;
out.self_max_rss_kb = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify(out) + '\n');
process.exitCode = out.error ? 1 : 0;
