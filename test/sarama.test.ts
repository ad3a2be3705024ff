// Sarama (Go) against Brook: test/fixtures/sarama/main.go, built offline from Debian's packages
// (golang-go, golang-github-shopify-sarama-dev: sarama 1.22, protocol version V2_1_0_0), creates a topic,
// produces keyed records with headers, reads every partition back, reads the topic again in a consumer
// group and commits. Counts, payloads, partitions and committed offsets are checked here.
// Skips with a reason when go or sarama's sources are missing; fails in CI.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { assertTool, shouldRun, type ToolCheck } from './helpers/external-tools.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GO = '/usr/bin/go';
const GOPATH = '/usr/share/gocode';
const SARAMA_SRC = join(GOPATH, 'src/github.com/Shopify/sarama');
const N = 50;
const PARTITIONS = 3;

function check(): ToolCheck {
  if (!existsSync(GO)) return { ok: false, reason: `${GO} not found (apt-get install golang-go)` };
  if (!existsSync(SARAMA_SRC)) {
    return { ok: false, reason: `${SARAMA_SRC} not found (apt-get install golang-github-shopify-sarama-dev)` };
  }
  return { ok: true, reason: '' };
}
const saramaCheck = check();

function run(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...opts, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

interface SaramaRecord {
  key: string;
  value: string;
  partition: number;
  offset: number;
  headers?: Record<string, string>;
}

interface SaramaResult {
  produced: SaramaRecord[];
  consumed: SaramaRecord[];
  highWatermarks: Record<string, number>;
  group: SaramaRecord[];
  groupCommitted: Record<string, number>;
  groupsListed: Record<string, string>;
}

const byPosition = (a: SaramaRecord, b: SaramaRecord) => a.partition - b.partition || a.offset - b.offset;

describe.runIf(shouldRun('sarama', saramaCheck))('sarama (Go, Debian 1.22)', () => {
  let broker: TestBroker;
  let workDir: string;
  let result: SaramaResult;

  beforeAll(async () => {
    assertTool(saramaCheck);
    workDir = mkdtempSync(join(tmpdir(), 'brook-sarama-'));
    const bin = join(workDir, 'sarama-check');
    // GOPATH mode over Debian's sources: no module download is possible or needed.
    await run(GO, ['build', '-o', bin, './test/fixtures/sarama'], {
      cwd: ROOT,
      timeout: 240_000,
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH,
        GOPROXY: 'off',
        GOFLAGS: '',
        GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'brook-go-build-cache'),
      },
    });
    broker = await startTestBroker();
    const { stdout } = await run(
      bin,
      ['-brokers', broker.bootstrap, '-topic', 'sarama-check', '-partitions', String(PARTITIONS), '-n', String(N)],
      { timeout: 150_000 },
    );
    result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as SaramaResult;
  }, 400_000);

  afterAll(async () => {
    await broker?.destroy();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('produces N keyed records with offsets dense per partition, each key on one partition', () => {
    expect(result.produced).toHaveLength(N);
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const r of result.produced) {
      expect(r.partition).toBeGreaterThanOrEqual(0);
      expect(r.partition).toBeLessThan(PARTITIONS);
      partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition));
    }
    for (const [key, ps] of partitionsOfKey) expect([...ps], key).toHaveLength(1);
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = result.produced.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('reads every partition back: same records, payloads and headers where they were produced', () => {
    expect(result.consumed).toHaveLength(N);
    expect([...result.consumed].sort(byPosition)).toEqual([...result.produced].sort(byPosition));
    expect(Object.keys(result.highWatermarks)).toHaveLength(PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(result.highWatermarks[String(p)]).toBe(result.produced.filter((r) => r.partition === p).length);
    }
  });

  it('consumer group reads everything once and commits the high watermarks', () => {
    expect([...result.group].sort(byPosition)).toEqual([...result.produced].sort(byPosition));
    expect(result.groupCommitted).toEqual(result.highWatermarks);
    expect(result.groupsListed['sarama-check-group']).toBe('consumer');
  });
});
