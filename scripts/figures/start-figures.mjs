// Start-to-ready and idle RSS of `brook start`, over N starts (default 10):
//   node scripts/figures/start-figures.mjs [N] [--npx] [extra brook start args...]
// Each start: `node packages/cli/bin/brook.js start --port 0 --data-dir <new tmp dir> --log-level warn`,
// or with --npx `npx brook start ...` (same arguments, run from the repository root, so npm's own
// start-up is included).
// Start-to-ready = spawn → the "brook listening on" line (printed once connections are accepted).
// Idle RSS = VmRSS of the broker process (with --npx: the node process running brook.js under npm)
// 1 s after ready, with no client connected.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'packages/cli/bin/brook.js');
const args = process.argv.slice(2);
const n = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 10;
const viaNpx = args[0] === '--npx';
if (viaNpx) args.shift();
const extra = args;

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** The broker under `pid`: pid itself, or (npx) the descendant whose command line runs brook.js. */
function brokerPid(pid) {
  const cmdline = (p) => readFileSync(`/proc/${p}/cmdline`, 'utf8');
  const children = (p) =>
    readdirSync(`/proc/${p}/task`).flatMap((t) =>
      readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    if (/brook(\.js)?\0start\0/.test(cmdline(p)) && !/npm|npx/.test(cmdline(p).split('\0')[1] ?? '')) return p;
    queue.push(...children(p));
  }
  throw new Error(`no brook process under ${pid}`);
}

async function once() {
  const dir = mkdtempSync(join(tmpdir(), 'brook-start-'));
  const startArgs = ['start', '--port', '0', '--data-dir', dir, '--log-level', 'warn', ...extra];
  const t0 = process.hrtime.bigint();
  const child = viaNpx
    ? spawn('npx', ['brook', ...startArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, [bin, ...startArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const readyMs = await new Promise((res, rej) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('brook listening on')) res(Number(process.hrtime.bigint() - t0) / 1e6);
    });
    child.once('exit', (code) => rej(new Error(`exited ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 1000));
  const pid = viaNpx ? brokerPid(child.pid) : child.pid;
  const rss = rssMb(pid);
  // The broker itself gets SIGTERM (npm would forward it, but not on every version).
  process.kill(pid, 'SIGTERM');
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
console.log(`starts: ${n}${viaNpx ? ' via npx brook start' : ''}  node ${process.version}`);
console.log(
  `start-to-ready ms: median ${median(ready).toFixed(1)}  min ${Math.min(...ready).toFixed(1)}  max ${Math.max(...ready).toFixed(1)}`,
);
console.log(
  `idle RSS MB:       median ${median(rss).toFixed(1)}  min ${Math.min(...rss).toFixed(1)}  max ${Math.max(...rss).toFixed(1)}`,
);
console.log(`all ready ms: ${ready.map((x) => x.toFixed(0)).join(' ')}`);
