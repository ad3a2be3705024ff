// Crash safety: a broker child process takes acks=-1 produces in a loop, gets SIGKILLed, restarts on the
// same data dir, and still has every acknowledged record at its acknowledged offset with its payload.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPartition as javaPartition } from '../packages/cli/src/client/partitioner.js';
import { tempDataDir } from './helpers/data-broker.js';
import { readPartition, WireConnection } from './helpers/kafkajs-wire.js';

const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'brook.js');
const dataDir = tempDataDir('brook-sigkill-');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `brook start` and resolves with its port once it prints "brook listening on host:port". */
function startChild(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BROOK_LOG_LEVEL: 'warn' },
    });
    children.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /brook listening on .*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited early (${code}):\n${err}`));
    });
  });
}

describe('SIGKILL during acks=-1 produce', () => {
  it('keeps every acknowledged record', async () => {
    const first = await startChild();
    const kafka = new Kafka({
      clientId: 'sigkill',
      brokers: [`127.0.0.1:${first.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
    await producer.connect();
    // "partition:offset" → payload of every acknowledged record. The partition of a keyed record is
    // Java's murmur2 choice, and within a partition a batch's records follow its base offset in order.
    const acked = new Map<string, string>();
    let killed = false;
    let n = 0;
    const loop = (async () => {
      while (!killed) {
        const batch = Array.from({ length: 5 }, () => {
          const i = n++;
          return { key: `k${i % 7}`, value: `payload-${i}-${'x'.repeat(i % 50)}` };
        });
        try {
          const res = await producer.send({ topic: 'crash', acks: -1, messages: batch });
          for (const r of res) {
            const mine = batch.filter((m) => javaPartition(Buffer.from(m.key), 2) === r.partition);
            mine.forEach((m, i) => {
              acked.set(`${r.partition}:${BigInt(r.baseOffset!) + BigInt(i)}`, m.value);
            });
          }
        } catch {
          if (killed) break;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    killed = true;
    first.child.kill('SIGKILL');
    await loop;
    await producer.disconnect().catch(() => {});
    await new Promise<void>((r) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? r() : first.child.once('exit', () => r()),
    );
    expect(acked.size).toBeGreaterThan(20);

    const second = await startChild();
    const wire = await WireConnection.open(second.port);
    try {
      const stored = new Map<string, string>();
      for (let p = 0; p < 2; p++) {
        for (const m of await readPartition(wire, 'crash', p)) stored.set(`${p}:${m.offset}`, m.value!.toString());
      }
      for (const [at, payload] of acked) expect(stored.get(at), at).toBe(payload);
      console.log(`[sigkill] ${acked.size} records acknowledged before the kill; ${stored.size} stored after restart`);
    } finally {
      wire.close();
      second.child.kill('SIGTERM');
    }
  });
});
