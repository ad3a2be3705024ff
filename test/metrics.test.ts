// The Prometheus endpoint: produce a known amount (batches built here, so their exact bytes are
// known), fetch it back, commit an offset, and read matching counters from /metrics.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Broker, startBroker } from '@brook/broker';
import { buildRecordBatch, CompressionType } from '@brook/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../packages/cli/src/client/index.js';

let broker: Broker;
let client: KafkaClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null, metricsPort: 0 });
  client = await KafkaClient.connect({ brokers: [broker.bootstrap] });
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
});

async function scrape(port = broker.metricsPort!): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample, e.g. value(text, 'brook_topic_records_in_total{topic="m"}'). */
function value(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}

describe('metrics endpoint', () => {
  it('counts bytes and records in and out per topic, requests per API, connections, sizes and lag', async () => {
    await client.createTopic('metered', { partitions: 2 });
    await client.createTopic('other', { partitions: 1 });
    const batches = [
      {
        partition: 0,
        batch: buildRecordBatch({ records: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}` })) }),
      },
      {
        partition: 0,
        batch: buildRecordBatch({ records: Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: `w${i}` })) }),
      },
      {
        partition: 1,
        batch: buildRecordBatch({
          records: Array.from({ length: 100 }, (_, i) => ({ value: 'x'.repeat(100 + i) })),
          compression: CompressionType.Gzip,
        }),
      },
    ];
    const { ProduceRequest, ProduceResponse } = await import('@brook/protocol');
    for (const b of batches) {
      const res = await client.call(ProduceRequest, ProduceResponse, () => ({
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'metered', partitionData: [{ index: b.partition, records: b.batch }] }],
      }));
      expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    }
    await client.produce('other', 0, [{ value: 'one' }]);
    const bytesIn = batches.reduce((n, b) => n + b.batch.length, 0);
    const p0Bytes = batches[0]!.batch.length + batches[1]!.batch.length;
    const p1Bytes = batches[2]!.batch.length;

    // Read everything back once (whole batches: bytes out = bytes in).
    const fetched = await client.fetch([
      { topic: 'metered', partition: 0, offset: 0n },
      { topic: 'metered', partition: 1, offset: 0n },
    ]);
    expect(fetched.reduce((n, r) => n + r.records.length, 0)).toBe(250);

    // A group that consumed 120 of partition 0 and nothing of partition 1 (committed 0).
    await client.commitOffsets('meter-group', [
      { topic: 'metered', partition: 0, offset: 120n },
      { topic: 'metered', partition: 1, offset: 0n },
    ]);

    const text = await scrape();
    expect(value(text, 'brook_topic_bytes_in_total{topic="metered"}')).toBe(bytesIn);
    expect(value(text, 'brook_topic_records_in_total{topic="metered"}')).toBe(250);
    expect(value(text, 'brook_topic_records_in_total{topic="other"}')).toBe(1);
    expect(value(text, 'brook_topic_bytes_out_total{topic="metered"}')).toBe(bytesIn);
    expect(value(text, 'brook_topic_records_out_total{topic="metered"}')).toBe(250);
    expect(value(text, 'brook_topic_records_out_total{topic="other"}')).toBeUndefined();

    expect(value(text, 'brook_requests_total{api="Produce"}')).toBe(4);
    expect(value(text, 'brook_requests_total{api="Fetch"}')).toBe(1);
    expect(value(text, 'brook_requests_total{api="CreateTopics"}')).toBe(2);
    expect(value(text, 'brook_request_duration_seconds_count{api="Produce"}')).toBe(4);
    expect(value(text, 'brook_request_duration_seconds_bucket{le="+Inf",api="Produce"}')).toBe(4);
    expect(value(text, 'brook_request_duration_seconds_sum{api="Produce"}')).toBeGreaterThan(0);

    expect(value(text, 'brook_connections')).toBe(1);
    expect(value(text, 'brook_connections_accepted_total')).toBe(1);

    expect(value(text, 'brook_partition_size_bytes{topic="metered",partition="0"}')).toBe(p0Bytes);
    expect(value(text, 'brook_partition_size_bytes{topic="metered",partition="1"}')).toBe(p1Bytes);
    expect(value(text, 'brook_partition_log_end_offset{topic="metered",partition="0"}')).toBe(150);
    expect(value(text, 'brook_consumer_group_lag{group="meter-group",topic="metered",partition="0"}')).toBe(30);
    expect(value(text, 'brook_consumer_group_lag{group="meter-group",topic="metered",partition="1"}')).toBe(100);
    expect(text).toContain('brook_process_resident_memory_bytes');

    // A second connection shows up, and goes away again.
    const second = await KafkaClient.connect({ brokers: [broker.bootstrap] });
    expect(value(await scrape(), 'brook_connections')).toBe(2);
    await second.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(value(await scrape(), 'brook_connections')).toBe(1);

    const notFound = await fetch(`http://127.0.0.1:${broker.metricsPort}/nope`);
    expect(notFound.status).toBe(404);
  });

  it('is off unless a metrics port is set', async () => {
    const b = await startBroker({ port: 0, dataDir: null });
    expect(b.metricsPort).toBeNull();
    await b.close();
  });

  it('brook start --metrics-port serves the endpoint', async () => {
    const bin = resolve(import.meta.dirname, '../packages/cli/bin/brook.js');
    const dir = mkdtempSync(join(tmpdir(), 'brook-metrics-'));
    const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--metrics-port', '0', '--data-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BROOK_LOG_LEVEL: 'info' },
    });
    try {
      let err = '';
      const url = await new Promise<string>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no metrics line: ${err}`)), 15_000);
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
          const m = /metrics at (http:\/\/[^"\s]+)/.exec(err);
          if (m) {
            clearTimeout(t);
            res(m[1]!);
          }
        });
      });
      const body = await (await fetch(url)).text();
      expect(body).toContain('# TYPE brook_requests_total counter');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
