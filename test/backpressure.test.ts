// Backpressure on unsent response bytes (brook.connection.max.pending.bytes): a client that pipelines
// many large fetches and never reads makes the broker stop reading its connection, so the responses
// built for it stay bounded (the rest of its requests wait in the socket, unprocessed, even one that
// would create a topic), while another client is served normally. Once the client reads, everything
// is answered in order.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type Broker, startBroker } from '@brook/broker';
import {
  buildRecordBatch,
  CreateTopicsRequest,
  CreateTopicsResponse,
  decodeResponseHeader,
  encodeRequestHeader,
  FetchRequest,
  type MessageCodec,
  ProduceRequest,
  ProduceResponse,
  Reader,
  Writer,
} from '@brook/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';

const BATCH_VALUE = 1_000_000; // one ~1 MB batch per fetch response
const FETCHES = 150;

let broker: Broker;

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    dataDir: null,
    metricsPort: 0,
    config: {
      'brook.connection.max.pending.bytes': 64 * 1024,
      // Far above the pipeline, so only the pending-bytes limit can stop the reads.
      'brook.connection.max.inflight.requests': 10_000,
    },
  });
  await broker.state.topics.create('bp', { partitions: 1 });
  await broker.state.topics.create('bp-other', { partitions: 1 });
  const c = await CodecClient.open(broker.port);
  const r = await c.request(ProduceRequest, ProduceResponse, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      {
        name: 'bp',
        partitionData: [{ index: 0, records: buildRecordBatch({ records: [{ value: randomBytes(BATCH_VALUE) }] }) }],
      },
    ],
  });
  expect(r.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
  c.close();
});
afterAll(async () => {
  await broker?.close();
});

function frame<T>(codec: MessageCodec<T>, version: number, correlationId: number, body: T): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, { apiKey: codec.apiKey, apiVersion: version, correlationId, clientId: 'no-reader' });
  codec.encode(w, body, version);
  w.patchInt32(size, w.length - 4);
  return w.toBuffer();
}

const fetchFrame = (correlationId: number) =>
  frame(FetchRequest, 4, correlationId, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 2 << 20,
    isolationLevel: 0,
    topics: [{ topic: 'bp', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 2 << 20 }] }],
  });

/** Record bytes the broker has put into Fetch responses for topic bp (from /metrics). */
async function bytesOut(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('brook_topic_bytes_out_total{topic="bp"} '));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until bytesOut() has not changed for `quietMs`; returns the settled value. */
async function settled(quietMs = 400): Promise<number> {
  let last = await bytesOut();
  let since = Date.now();
  for (;;) {
    await sleep(50);
    const now = await bytesOut();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
}

describe('backpressure on unsent response bytes', () => {
  it('stops reading a connection whose client does not read, serves others, and catches up once it reads', async () => {
    const s: Socket = connect({ port: broker.port, host: '127.0.0.1' });
    await once(s, 'connect');
    s.pause(); // never read until the end of the test

    // Pipeline the fetches one frame per write, a few ms apart, so the broker reads them as they come
    // rather than as one chunk (every frame of a chunk it has read is dispatched).
    for (let i = 1; i <= FETCHES; i++) {
      s.write(fetchFrame(i));
      await sleep(10);
    }
    const stalled = await settled();
    // Only as many responses as the kernel buffers took, plus the pending-bytes allowance: far fewer
    // than were asked for. Without the pause every one of them would have been built by now.
    const answered = Math.floor(stalled / BATCH_VALUE);
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThan(FETCHES / 2);

    // A request with a side effect behind them is not processed either, until the client reads.
    s.write(
      frame(CreateTopicsRequest, 5, FETCHES + 1, {
        topics: [{ name: 'bp-marker', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      }),
    );

    // Meanwhile another client is served: produce and consume, comparing the payload.
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const payload = randomBytes(1024);
    await producer.send({ topic: 'bp-other', messages: [{ key: 'k', value: payload }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'bp-other-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'bp-other', fromBeginning: true });
    const got = await new Promise<Buffer>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value!) }).catch(reject);
    });
    await consumer.disconnect();
    expect(got.equals(payload)).toBe(true);

    await sleep(200);
    expect(await bytesOut()).toBe(stalled);
    expect(broker.state.topics.get('bp-marker')).toBeUndefined();

    // The client reads: every response arrives, in order, and the held-back requests run.
    const correlations: number[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let createTopicsError = -1;
    const done = new Promise<void>((resolve) => {
      s.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const body = buf.subarray(4, 4 + buf.readInt32BE(0));
          buf = buf.subarray(4 + body.length);
          const correlationId = body.readInt32BE(0);
          correlations.push(correlationId);
          if (correlationId === FETCHES + 1) {
            const r = new Reader(body);
            decodeResponseHeader(r, CreateTopicsRequest.apiKey, 5);
            createTopicsError = CreateTopicsResponse.decode(r, 5).topics[0]!.errorCode;
            resolve();
          }
        }
      });
    });
    s.resume();
    await done;
    s.destroy();
    expect(correlations).toEqual(Array.from({ length: FETCHES + 1 }, (_, i) => i + 1));
    expect(createTopicsError).toBe(0);
    expect(broker.state.topics.get('bp-marker')).toBeDefined();
    expect(await settled(100)).toBeGreaterThan(FETCHES * BATCH_VALUE);
  });
});
