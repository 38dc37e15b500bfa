// Writes N task folders shaped like a daemon's after a few days of work
// (bench/gc.sh): <root>/<workspace>/<task8>/ with .gc_meta.json (ended
// within the last 5 days), a seeded codex-home with one session, workdir/
// with context files and a small repository (.git with a pack), empty
// logs/, output/ and tmp/; every `every`-th folder also has a node_modules
// of `pkgs` packages x 5 files. Prints {"folders","files","dirs","bytes"}.
//
//   node seed_tasks.mjs ROOT N [WORKSPACES=10] [EVERY=5] [PKGS=10]
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const [root, n, workspaces = '10', every = '5', pkgs = '10'] = process.argv.slice(2);
const count = Number(n);
let files = 0, dirs = 0, bytes = 0;
const dir = (p) => { mkdirSync(p, { recursive: true }); dirs++; };
const file = (p, size) => { writeFileSync(p, Buffer.alloc(size, 0x61)); files++; bytes += size; };

const wsIds = Array.from({ length: Number(workspaces) }, () => randomUUID());
const now = Date.now();
for (let i = 0; i < count; i++) {
  const ws = wsIds[i % wsIds.length];
  const task = join(root, ws, randomUUID().replaceAll('-', '').slice(0, 8));
  for (const d of ['codex-home/sessions', 'workdir/repo/src', 'workdir/repo/.git/objects/pack', 'logs', 'output', 'tmp']) dir(join(task, d));
  const ended = new Date(now - Math.floor(Math.random() * 5 * 86400e3)).toISOString().replace(/\.\d+Z$/, 'Z');
  writeFileSync(join(task, '.gc_meta.json'), JSON.stringify({ issue_id: randomUUID(), workspace_id: ws, completed_at: ended }));
  files++;
  file(join(task, 'codex-home/config.toml'), 600);
  file(join(task, 'codex-home/sessions/rollout.jsonl'), 6000);
  file(join(task, 'workdir/AGENTS.md'), 1500);
  file(join(task, 'workdir/repo/README.md'), 2000);
  for (const s of ['a', 'b', 'c', 'd', 'e']) file(join(task, `workdir/repo/src/${s}.js`), 3000);
  file(join(task, 'workdir/repo/.git/HEAD'), 23);
  file(join(task, 'workdir/repo/.git/config'), 300);
  file(join(task, 'workdir/repo/.git/index'), 1200);
  file(join(task, 'workdir/repo/.git/objects/pack/pack-1.pack'), 40000);
  if (i % Number(every) === 0) {
    for (let p = 0; p < Number(pkgs); p++) {
      const pkg = join(task, `workdir/repo/node_modules/pkg${p}/lib`);
      dir(pkg);
      for (let f = 0; f < 5; f++) file(join(pkg, `f${f}.js`), 8000);
    }
  }
}
process.stdout.write(JSON.stringify({ folders: count, files, dirs, bytes }) + '\n');
