import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogManager } from '../src/index.js';
import { records, rmDir, silentLogger, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));

/** Runs the appender until it acknowledged `atLeast` appends, then SIGKILLs it. */
function runAndKill(dir: string, atLeast: number): Promise<{ start: bigint; acked: bigint[] }> {
  const ackFile = path.join(dir, `acked-${Date.now()}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', fixture, path.join(dir, 'data'), ackFile],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const poll = setInterval(() => {
      let n = 0;
      try {
        n = fs.statSync(ackFile).size;
      } catch {}
      // Each line is at least 2 bytes; read only when it may be enough.
      if (n > atLeast * 2 && fs.readFileSync(ackFile, 'utf8').split('\n').length > atLeast + 2) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      if (signal !== 'SIGKILL') return reject(new Error(`appender exited on its own: ${err}`));
      // Only complete lines count: each was written after append() returned.
      const lines = fs.readFileSync(ackFile, 'utf8').split('\n').slice(0, -1);
      const start = BigInt(lines[0]!.split(' ')[1]!);
      resolve({ start, acked: lines.slice(1).map((l) => BigInt(l)) });
    });
  });
}

describe('SIGKILL during appends', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rmDir(dir);
  });

  it('every acknowledged append survives, with no gap and no duplicate', async () => {
    let expectedStart = 0n;
    for (let round = 0; round < 3; round++) {
      const { start, acked } = await runAndKill(dir, 2000 + round * 500);
      expect(start).toBe(expectedStart);
      expect(acked.length).toBeGreaterThan(2000);
      expect(acked).toEqual(acked.map((_, i) => start + BigInt(i)));
      const mgr = await LogManager.open({ dataDir: path.join(dir, 'data'), logger: silentLogger });
      const log = mgr.get('k', 0)!;
      expect(mgr.recoveredCleanly).toBe(false);
      const last = acked[acked.length - 1]!;
      expect(log.logEndOffset).toBeGreaterThan(last);
      const recs = records(log.read(0n, 1 << 30));
      expect(recs.length).toBe(Number(log.logEndOffset));
      recs.forEach((r, i) => {
        expect(r.offset).toBe(BigInt(i));
        expect(r.value).toBe(`r${i}`);
      });
      expectedStart = log.logEndOffset;
      mgr.abandon();
    }
  }, 60_000);
});
