// `brook start` as a real process (needs `npm run build`; the root `npm test` builds first):
// one stdout line with host:port, kafkajs works against it, SIGTERM stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLEAN_SHUTDOWN_MARKER } from '@brook/storage';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'brook.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function listening(r: Run, ms = 15_000): Promise<{ host: string; port: number }> {
  const end = Date.now() + ms;
  for (;;) {
    const m = /listening on (\S+):(\d+)\n/.exec(r.stdout());
    if (m) return { host: m[1]!, port: Number(m[2]) };
    if (Date.now() > end || r.child.exitCode !== null) throw new Error(`no listening line; stderr:\n${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('brook start', () => {
  it('prints host:port, serves kafkajs, persists topics and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'brook-cli-'));
    const r = run(['start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'info']);
    const { host, port } = await listening(r);
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);

    const kafka = new Kafka({ clientId: 'cli-test', brokers: [`${host}:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'from-cli-test', numPartitions: 2 }] })).toBe(true);
    expect(await admin.listTopics()).toContain('from-cli-test');
    await admin.disconnect();

    const t0 = Date.now();
    r.child.kill('SIGTERM');
    const exit = await r.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(join(dataDir, CLEAN_SHUTDOWN_MARKER))).toBe(true);
    // stdout is exactly the one line; logs (JSON) went to stderr.
    expect(r.stdout()).toBe(`brook listening on ${host}:${port}\n`);
    expect(r.stderr()).toContain('"msg":"broker started"');

    // Same data dir again: the topic is back.
    const r2 = run(['start', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
    const again = await listening(r2);
    const admin2 = new Kafka({ brokers: [`${again.host}:${again.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    expect(await admin2.listTopics()).toContain('from-cli-test');
    await admin2.disconnect();
    r2.child.kill('SIGINT');
    expect((await r2.exited).code).toBe(0);
  });

  it('takes config from a properties file, BROOK_* env and --set, in that precedence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-cli-cfg-'));
    const file = join(dir, 'server.properties');
    writeFileSync(file, `num.partitions=2\nlog.dirs=${join(dir, 'data')}\nlog.retention.hours=5\n`);
    const r = run(
      ['start', '--port', '0', '--config', file, '--set', 'log.retention.hours=7', '--log-level', 'silent'],
      {
        BROOK_NUM_PARTITIONS: '3',
        BROOK_LOG_RETENTION_HOURS: '6',
      },
    );
    const { host, port } = await listening(r);
    const admin = new Kafka({ brokers: [`${host}:${port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cfg' }] });
    expect((await admin.fetchTopicMetadata({ topics: ['cfg'] })).topics[0]!.partitions).toHaveLength(3);
    const d = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: 'cfg', configNames: ['retention.ms'] }],
    });
    expect(d.resources[0]!.configEntries[0]!.configValue).toBe(String(7 * 3600_000));
    await admin.disconnect();
    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
    expect(existsSync(join(dir, 'data', CLEAN_SHUTDOWN_MARKER))).toBe(true);
  });

  it('rejects bad arguments and bad config with exit code 2 and a one-line reason', async () => {
    // A bad argument: one line naming it, then a pointer to --help (no usage dump).
    const hint = 'Run "brook start --help" for the options.';
    const unknown = run(['start', '--bogus']);
    expect((await unknown.exited).code).toBe(2);
    expect(unknown.stderr()).toBe(`brook start: unknown option "--bogus"\n${hint}\n`);
    expect(unknown.stdout()).toBe('');

    const badPort = run(['start', '--port', 'abc']);
    expect((await badPort.exited).code).toBe(2);
    expect(badPort.stderr()).toBe(`brook start: --port: invalid port "abc"\n${hint}\n`);

    const badCfg = run([
      'start',
      '--port',
      '0',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'brook-cli-bad-')),
      '--set',
      'num.partitions=0',
    ]);
    expect((await badCfg.exited).code).toBe(2);
    expect(badCfg.stderr().trim().split('\n')).toHaveLength(1);
    expect(badCfg.stderr()).toContain('num.partitions');

    const help = run(['--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toContain('start');
    const startHelp = run(['start', '--help']);
    expect((await startHelp.exited).code).toBe(0);
    expect(startHelp.stdout()).toContain('--data-dir');
  });
});
