// Raw references for the broker cases: the disk ceiling (fs append of the same bytes in the same
// chunk sizes, with and without fdatasync after every chunk) and the transport ceiling (a TCP
// sink process that discards what a client sends it in the same chunk sizes).
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from './harness.js';

export interface RawResult {
  bytes: number;
  seconds: number;
  /** Number of chunks written (appends, or socket writes). */
  chunks: number;
}

const ROLL_BYTES = 256 * 1024 * 1024;

/**
 * Appends `chunkBytes`-sized chunks to a file for `seconds` (synchronously, like a single log
 * writer), optionally with fdatasync after each chunk. Rolls to a new file every 256 MiB and
 * unlinks the old one, as a log with segments and retention would, so the page cache recycles its
 * pages. With `keep`, files stay until the run ends, as a log keeps what it was sent: every chunk
 * then lands in newly allocated page-cache memory, which costs several times more (on these VMs
 * new guest memory is faulted in from the host), and that is what a broker's log pays.
 */
export function rawAppend(opts: {
  dir?: string;
  chunkBytes: number;
  seconds: number;
  fdatasync: boolean;
  keep?: boolean;
}): RawResult {
  const root = mkdtempSync(join(opts.dir ?? tmpdir(), 'brook-bench-append-'));
  const chunk = Buffer.alloc(Math.max(1, Math.round(opts.chunkBytes)), 'x');
  let bytes = 0;
  let chunks = 0;
  let segment = 0;
  let inSegment = 0;
  let path = join(root, `${segment}.log`);
  let fd = openSync(path, 'a');
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  try {
    do {
      for (let i = 0; i < 16; i++) {
        writeSync(fd, chunk);
        if (opts.fdatasync) fdatasyncSync(fd);
        bytes += chunk.length;
        inSegment += chunk.length;
        chunks++;
        if (inSegment >= ROLL_BYTES) {
          closeSync(fd);
          if (!opts.keep) unlinkSync(path);
          path = join(root, `${++segment}.log`);
          fd = openSync(path, 'a');
          inSegment = 0;
        }
      }
    } while (performance.now() < end);
    return { bytes, chunks, seconds: (performance.now() - t0) / 1000 };
  } finally {
    closeSync(fd);
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Copies `chunkBytes`-sized chunks into newly allocated buffers and keeps them all until the run
 * ends: the ceiling for a store that holds what it is sent in memory (new memory has to be faulted
 * in, as for Brook's in-memory log; the mock instead reuses ~5 MB per partition).
 */
export function rawMemoryKeep(opts: { chunkBytes: number; seconds: number }): RawResult {
  const chunk = Buffer.alloc(Math.max(1, Math.round(opts.chunkBytes)), 'x');
  const kept: Buffer[] = [];
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  do {
    for (let i = 0; i < 16; i++) {
      const copy = Buffer.allocUnsafeSlow(chunk.length);
      chunk.copy(copy);
      kept.push(copy);
      bytes += chunk.length;
    }
  } while (performance.now() < end);
  const seconds = (performance.now() - t0) / 1000;
  const chunks = kept.length;
  kept.length = 0;
  return { bytes, chunks, seconds };
}

const SINK_SCRIPT = `
const net = require('node:net');
const server = net.createServer((s) => {
  s.on('data', () => {});
  s.on('end', () => s.end());
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log('port=' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts the discarding TCP sink in a process of its own (so its CPU can be measured). */
export async function startTcpSink(): Promise<{ child: Child; port: number }> {
  const child = new Child('tcp-sink', process.execPath, ['-e', SINK_SCRIPT]);
  const m = await child.waitFor(/port=(\d+)/, 10_000, 'stdout');
  return { child, port: Number(m[1]) };
}

/** Sends `chunkBytes`-sized writes to the sink for `seconds`, honouring backpressure. */
export function tcpSend(opts: { port: number; chunkBytes: number; seconds: number }): Promise<RawResult> {
  const chunk = Buffer.alloc(Math.max(1, Math.round(opts.chunkBytes)), 'x');
  return new Promise((resolve, reject) => {
    const sock = connect({ port: opts.port, host: '127.0.0.1', noDelay: true });
    let bytes = 0;
    let chunks = 0;
    let t0 = 0;
    let end = 0;
    const pump = () => {
      while (performance.now() < end) {
        bytes += chunk.length;
        chunks++;
        if (!sock.write(chunk)) {
          sock.once('drain', pump);
          return;
        }
      }
      sock.end();
    };
    sock.on('connect', () => {
      t0 = performance.now();
      end = t0 + opts.seconds * 1000;
      pump();
    });
    sock.on('data', () => {});
    sock.on('error', reject);
    sock.on('close', () => resolve({ bytes, chunks, seconds: (performance.now() - t0) / 1000 }));
  });
}

if (process.argv[1]?.endsWith('raw-references.ts')) {
  const seconds = Number(process.argv[2] ?? 1);
  for (const chunkBytes of [16 * 1024, 1_000_000]) {
    for (const [fdatasync, keep] of [
      // Kept first: the others free pages that a later kept run would reuse.
      [false, true],
      [false, false],
      [true, false],
    ] as const) {
      const r = rawAppend({ chunkBytes, seconds, fdatasync, keep });
      console.log(
        `append chunk=${chunkBytes} fdatasync=${fdatasync} kept=${keep}: ${(r.bytes / r.seconds / 1e6).toFixed(0)} MB/s, ${(r.chunks / r.seconds).toFixed(0)} chunks/s`,
      );
    }
    const m = rawMemoryKeep({ chunkBytes, seconds });
    console.log(`copy to new memory, kept, chunk=${chunkBytes}: ${(m.bytes / m.seconds / 1e6).toFixed(0)} MB/s`);
    const sink = await startTcpSink();
    const r = await tcpSend({ port: sink.port, chunkBytes, seconds });
    console.log(`tcp chunk=${chunkBytes}: ${(r.bytes / r.seconds / 1e6).toFixed(0)} MB/s`);
    await sink.child.stop();
  }
}
