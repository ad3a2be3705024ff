// Start-to-ready and idle RSS of `brook start`, over N starts (default 10):
//   node scripts/figures/start-figures.mjs [N] [extra brook start args...]
// Start-to-ready = spawn → the "brook listening on" line (printed once connections are accepted).
// Idle RSS = VmRSS of the broker process 1 s after ready, with no client connected.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../../packages/cli/bin/brook.js');
const n = Number(process.argv[2] ?? 10);
const extra = process.argv.slice(3);

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function once() {
  const dir = mkdtempSync(join(tmpdir(), 'brook-start-'));
  const t0 = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [bin, 'start', '--port', '0', '--data-dir', dir, '--log-level', 'warn', ...extra],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const readyMs = await new Promise((res, rej) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('brook listening on')) res(Number(process.hrtime.bigint() - t0) / 1e6);
    });
    child.once('exit', (code) => rej(new Error(`exited ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  rmSync(dir, { recursive: true, force: true });
  return { readyMs, rss };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const runs = [];
for (let i = 0; i < n; i++) runs.push(await once());
const ready = runs.map((r) => r.readyMs);
const rss = runs.map((r) => r.rss);
console.log(`starts: ${n}  node ${process.version}`);
console.log(
  `start-to-ready ms: median ${median(ready).toFixed(1)}  min ${Math.min(...ready).toFixed(1)}  max ${Math.max(...ready).toFixed(1)}`,
);
console.log(
  `idle RSS MB:       median ${median(rss).toFixed(1)}  min ${Math.min(...rss).toFixed(1)}  max ${Math.max(...rss).toFixed(1)}`,
);
console.log(`all ready ms: ${ready.map((x) => x.toFixed(0)).join(' ')}`);
