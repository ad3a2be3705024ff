// Drives every `brook` client subcommand (the built binary, as a user runs it) against a real
// in-process broker and checks its output: produce N lines → consume the same N lines, group
// reset → consume from the new position, describe output, one-line errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Broker, startBroker } from '@brook/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessResult, runProcess } from './helpers/run-process.js';

const BIN = resolve(import.meta.dirname, '../packages/cli/bin/brook.js');

async function run(
  args: string[],
  input?: string,
  opts: { brokers?: string | null; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const full = opts.brokers === null ? args : [...args, '-b', opts.brokers ?? bootstrap];
  const r = await runProcess(process.execPath, [BIN, ...full], {
    input: input ?? '',
    timeoutMs: opts.timeoutMs ?? 20_000,
  });
  if (r.timedOut) throw new Error(`brook ${full.join(' ')} timed out\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Runs and expects exit code 0. */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await run(args, input);
  if (r.code !== 0) throw new Error(`brook ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

let broker: Broker;
let bootstrap: string;
let tmp: string;

beforeAll(async () => {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null });
  bootstrap = broker.bootstrap;
  tmp = mkdtempSync(join(tmpdir(), 'brook-cli-test-'));
});
afterAll(async () => {
  await broker?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('brook --help', () => {
  it('prints usage for the command and every subcommand, exit 0', async () => {
    const top = await run(['--help'], undefined, { brokers: null });
    expect(top.code).toBe(0);
    for (const c of ['start', 'topic', 'produce', 'consume', 'group', 'cluster'])
      expect(top.stdout).toContain(`  ${c} `);
    const results = await Promise.all(
      ['start', 'topic', 'produce', 'consume', 'group', 'cluster'].map((c) =>
        run([c, '--help'], undefined, { brokers: null }),
      ),
    );
    for (const [i, r] of results.entries()) {
      expect(r.code, `${i}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^Usage: brook /);
    }
    expect(results[3]!.stdout).toContain('--format');
    expect(results[4]!.stdout).toContain('--to-datetime');
  });
});

describe('brook cluster', () => {
  it('info shows the cluster id, controller and broker', async () => {
    const s = await ok(['cluster', 'info']);
    expect(s).toContain(`Cluster ID:  ${broker.state.clusterId}`);
    expect(s).toMatch(new RegExp(`1 \\(controller\\)\\s+127\\.0\\.0\\.1\\s+${broker.port}`));
    const j = JSON.parse(await ok(['cluster', 'info', '--json', '--api-versions']));
    expect(j.clusterId).toBe(broker.state.clusterId);
    expect(j.apiVersions.some((a: { api: string }) => a.api === 'Produce')).toBe(true);
  });
});

describe('brook topic', () => {
  it('create, list, describe (partitions, offsets, configs), alter-config, delete', async () => {
    expect(await ok(['topic', 'create', 'cli-topic', '-p', '3', '-c', 'retention.ms=123456'])).toBe(
      'created topic cli-topic with 3 partitions\n',
    );
    expect((await ok(['topic', 'list'])).split('\n')).toContain('cli-topic');

    await ok(['produce', 'cli-topic', '-p', '1', '-q'], 'a\nb\n');
    const d = await ok(['topic', 'describe', 'cli-topic']);
    expect(d).toMatch(/^Topic: cli-topic {2}Id: [0-9a-f-]{36} {2}Partitions: 3\n/);
    expect(d).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR\s+START-OFFSET\s+END-OFFSET\s+RECORDS/);
    expect(d).toMatch(/\n0\s+1\s+1\s+1\s+0\s+0\s+0\n1\s+1\s+1\s+1\s+0\s+2\s+2\n2\s+1\s+1\s+1\s+0\s+0\s+0\n/);
    expect(d).toContain('Configs (overrides):\n  retention.ms=123456\n');

    expect(
      await ok(['topic', 'alter-config', 'cli-topic', '--set', 'cleanup.policy=compact', '--delete', 'retention.ms']),
    ).toBe('updated 2 configs of topic cli-topic\n');
    const j = JSON.parse(await ok(['topic', 'describe', 'cli-topic', '--json']));
    expect(j.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(j.partitions[1]).toMatchObject({ partition: 1, startOffset: '0', endOffset: '2' });
    const all = await ok(['topic', 'describe', 'cli-topic', '--all-configs']);
    expect(all).toContain('  segment.bytes=');

    expect(await ok(['topic', 'delete', 'cli-topic'])).toBe('deleted topic cli-topic\n');
    expect((await ok(['topic', 'list'])).split('\n')).not.toContain('cli-topic');
  });

  it('errors are one line that says what to do', async () => {
    const dup = await run(['topic', 'create', 'dup-topic']);
    expect(dup.code).toBe(0);
    const again = await run(['topic', 'create', 'dup-topic']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^brook: create topic "dup-topic": TOPIC_ALREADY_EXISTS.* — pick another name, or delete it first with: brook topic delete NAME\n$/,
    );
    const missing = await run(['topic', 'describe', 'no-such-topic']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'brook: topic "no-such-topic": UNKNOWN_TOPIC_OR_PARTITION — check the name with: brook topic list\n',
    );
    const usage = await run(['topic', 'create']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('brook: topic create needs exactly one topic name (see --help)\n');
  });
});

describe('brook produce / consume', () => {
  it('produces N lines from stdin and consumes the same N lines', async () => {
    await ok(['topic', 'create', 'lines', '-p', '1']);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    const r = await run(['produce', 'lines'], `${lines.join('\n')}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('produced 500 records to lines\n');
    expect(await ok(['consume', 'lines', '-e'])).toBe(`${lines.join('\n')}\n`);
    // -n stops after N records; -o N starts at an offset; -o -N counts back from the end.
    expect(await ok(['consume', 'lines', '-n', '3'])).toBe(`${lines.slice(0, 3).join('\n')}\n`);
    expect(await ok(['consume', 'lines', '-o', '497', '-e'])).toBe(`${lines.slice(497).join('\n')}\n`);
    expect(await ok(['consume', 'lines', '-o', '-2', '-e'])).toBe(`${lines.slice(498).join('\n')}\n`);
    expect(await ok(['consume', 'lines', '-o', 'end', '-e'])).toBe('');
  });

  it('keys, headers, explicit partition, compression and a file; JSON and format output', async () => {
    await ok(['topic', 'create', 'keyed', '-p', '4']);
    const file = join(tmp, 'in.txt');
    writeFileSync(file, 'k1:v1\nk2:v2\nnokey\nk3:v:3\n');
    for (const z of ['gzip', 'snappy', 'lz4', 'zstd']) {
      await ok(['produce', 'keyed', '-f', file, '-K', ':', '-H', 'src=cli', '-H', `z=${z}`, '-p', '2', '-z', z, '-q']);
    }
    const json = (await ok(['consume', 'keyed', '-p', '2', '-e', '-J']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json).toHaveLength(16);
    expect(json.slice(0, 4).map((j) => [j.key, j.value])).toEqual([
      ['k1', 'v1'],
      ['k2', 'v2'],
      [null, 'nokey'],
      ['k3', 'v:3'],
    ]);
    expect(json[0]).toMatchObject({ topic: 'keyed', partition: 2, offset: 0, headers: { src: 'cli', z: 'gzip' } });
    expect(json[15]).toMatchObject({ offset: 15, headers: { src: 'cli', z: 'zstd' } });

    const fmt = await ok(['consume', 'keyed', '-p', '2', '-n', '3', '-f', '%t/%p@%o %k=%s [%h] %K,%S\\n']);
    expect(fmt).toBe(
      'keyed/2@0 k1=v1 [src=cli,z=gzip] 2,2\nkeyed/2@1 k2=v2 [src=cli,z=gzip] 2,2\nkeyed/2@2 =nokey [src=cli,z=gzip] -1,5\n',
    );
    const keyed = await ok(['consume', 'keyed', '-p', '2', '-n', '1', '--print-key', '-K', ' => ']);
    expect(keyed).toBe('k1 => v1\n');

    // Without -p, keyed records go to the Java default partitioner's partition: the same key, the same partition.
    await ok(['produce', 'keyed', '-K', ':', '-q'], 'same:1\nsame:2\nsame:3\n');
    const parts = (await ok(['consume', 'keyed', '-e', '-f', '%k %p\\n']))
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('same '));
    expect(parts).toHaveLength(3);
    expect(new Set(parts).size).toBe(1);
  });

  it('consumes from a timestamp', async () => {
    await ok(['topic', 'create', 'timed', '-p', '1']);
    await ok(['produce', 'timed', '-q'], 'old1\nold2\n');
    await new Promise((r) => setTimeout(r, 50));
    const mid = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await ok(['produce', 'timed', '-q'], 'new1\nnew2\n');
    expect(await ok(['consume', 'timed', '-t', String(mid), '-e'])).toBe('new1\nnew2\n');
    expect(await ok(['consume', 'timed', '-t', new Date(mid).toISOString(), '-e'])).toBe('new1\nnew2\n');
    expect(await ok(['consume', 'timed', '-t', String(Date.now() + 60_000), '-e'])).toBe('');
  });
});

describe('brook group', () => {
  it('consume in a group commits; describe shows lag; reset-offsets then consume from the new position; delete', async () => {
    await ok(['topic', 'create', 'gt', '-p', '2']);
    const lines = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await ok(['produce', 'gt', '-p', '0', '-q'], `${lines.slice(0, 6).join('\n')}\n`);
    await ok(['produce', 'gt', '-p', '1', '-q'], `${lines.slice(6).join('\n')}\n`);

    // The group reads 4 records of partition 0 then stops: 4 committed there.
    expect(await ok(['consume', 'gt', '-g', 'cli-group', '-n', '4', '-f', '%p:%s\\n'])).toBe(
      '0:m0\n0:m1\n0:m2\n0:m3\n',
    );
    expect(await ok(['group', 'list'])).toMatch(/GROUP\s+STATE\s+PROTOCOL-TYPE\ncli-group\s+Empty\s+consumer\n/);
    const d = await ok(['group', 'describe', 'cli-group']);
    expect(d).toMatch(/^Group: cli-group {2}State: Empty {2}Protocol: consumer\/.* {2}Members: 0\n/);
    expect(d).toMatch(/TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
    expect(d).toMatch(/\ngt\s+0\s+4\s+6\s+2\s/);
    const dj = JSON.parse(await ok(['group', 'describe', 'cli-group', '--json']));
    expect(dj.offsets).toEqual([
      expect.objectContaining({ topic: 'gt', partition: 0, currentOffset: 4, logEndOffset: 6, lag: 2 }),
      // Partition 1 was assigned but nothing of it printed: its position (0) is committed too.
      expect.objectContaining({ topic: 'gt', partition: 1, currentOffset: 0, logEndOffset: 4, lag: 4 }),
    ]);

    // Continuing in the group resumes at the committed offsets.
    expect((await ok(['consume', 'gt', '-g', 'cli-group', '-e'])).split('\n').sort().join(',')).toBe(
      ',m4,m5,m6,m7,m8,m9',
    );
    expect(await ok(['consume', 'gt', '-g', 'cli-group', '-e'])).toBe('');

    // reset --to-offset, then consume from there.
    expect(await ok(['group', 'reset-offsets', 'cli-group', '--topic', 'gt', '--to-offset', '2'])).toMatch(
      /TOPIC\s+PARTITION\s+NEW-OFFSET\ngt\s+0\s+2\ngt\s+1\s+2\n/,
    );
    expect((await ok(['consume', 'gt', '-g', 'cli-group', '-e', '-f', '%p:%s\\n'])).split('\n').sort().join(',')).toBe(
      ',0:m2,0:m3,0:m4,0:m5,1:m8,1:m9',
    );
    // --to-earliest for one partition only.
    await ok(['group', 'reset-offsets', 'cli-group', '--topic', 'gt:1', '--to-earliest']);
    expect(await ok(['consume', 'gt', '-g', 'cli-group', '-e'])).toBe('m6\nm7\nm8\nm9\n');
    // --to-datetime in the future = the end; --dry-run commits nothing.
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const dry = await ok(['group', 'reset-offsets', 'cli-group', '--all-topics', '--to-earliest', '--dry-run']);
    expect(dry).toContain('(dry run: nothing committed)');
    expect(await ok(['consume', 'gt', '-g', 'cli-group', '-e'])).toBe('');
    await ok(['group', 'reset-offsets', 'cli-group', '--all-topics', '--to-earliest']);
    await ok(['group', 'reset-offsets', 'cli-group', '--topic', 'gt', '--to-datetime', future]);
    expect(await ok(['consume', 'gt', '-g', 'cli-group', '-e'])).toBe('');
    await ok(['group', 'reset-offsets', 'cli-group', '--topic', 'gt', '--to-latest']);
    expect(await ok(['group', 'describe', 'cli-group'])).toMatch(/\ngt\s+1\s+4\s+4\s+0\s/);

    expect(await ok(['group', 'delete', 'cli-group'])).toBe('deleted group cli-group\n');
    expect(await ok(['group', 'list'])).not.toContain('cli-group');
    const gone = await run(['group', 'reset-offsets', 'cli-group', '--topic', 'gt', '--to-offset', 'x']);
    expect(gone.code).toBe(2);
  });
});

describe('errors', () => {
  it('an unreachable broker gives one line with what to do, no stack trace', async () => {
    const r = await run(['topic', 'list'], undefined, { brokers: '127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'brook: cannot reach 127.0.0.1:1 (connection refused) — is the broker running? start one with: npx brook start\n',
    );
    const u = await run(['consume', 'x', '--no-such-option'], undefined, { brokers: null });
    expect(u.code).toBe(2);
    expect(u.stderr).toBe('brook: unknown option "--no-such-option" (see --help)\n');
  });
});
