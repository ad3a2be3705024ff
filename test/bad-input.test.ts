// Hostile or broken peers on raw sockets: each case closes only that connection (or answers with an
// error where Kafka does), and the broker keeps serving separate kafkajs clients afterwards: a topic is
// created, a record produced and read back byte for byte.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type Broker, startBroker } from '@brook/broker';
import { ApiVersionsResponse, ErrorCode, encodeRequestHeader, Reader, Writer } from '@brook/protocol';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let broker: Broker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startBroker({ port: 0, config: { 'connections.max.idle.ms': 1500 } });
  kafka = new Kafka({ clientId: 'bystander', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
});

function frame(apiKey: number, apiVersion: number, body: Buffer = Buffer.alloc(0), correlationId = 1): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, { apiKey, apiVersion, correlationId, clientId: 'bad-input' });
  w.writeRaw(body);
  w.patchInt32(size, w.length - 4);
  return w.toBuffer();
}

async function rawSocket(): Promise<{ s: Socket; received: () => Buffer; closed: (ms?: number) => Promise<boolean> }> {
  const s = connect(broker.port, '127.0.0.1');
  await once(s, 'connect');
  const chunks: Buffer[] = [];
  let isClosed = false;
  s.on('data', (c: Buffer) => chunks.push(c));
  s.on('error', () => {});
  s.on('close', () => {
    isClosed = true;
  });
  return {
    s,
    received: () => Buffer.concat(chunks),
    closed: (ms = 3000) =>
      isClosed
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const t = setTimeout(() => resolve(false), ms);
            s.once('close', () => {
              clearTimeout(t);
              resolve(true);
            });
          }),
  };
}

let n = 0;
/** Other clients are still served: create a topic, produce a record, consume it and compare the bytes. */
async function stillServing(): Promise<void> {
  const topic = `after-bad-${++n}`;
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(true);
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  expect(md.topics[0]!.partitions).toHaveLength(1);
  const value = Buffer.from(`still serving ${n} \u00e9\u0000\u00ff`, 'utf8');
  const [sent] = await producer.send({ topic, messages: [{ key: `k${n}`, value }] });
  expect(sent!.errorCode).toBe(0);
  const consumer = kafka.consumer({ groupId: `still-serving-${n}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<{ key: string; value: Buffer; offset: string }>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) =>
            resolve({ key: message.key!.toString(), value: message.value!, offset: message.offset }),
        })
        .catch(reject);
    });
    expect(got.key).toBe(`k${n}`);
    expect(got.value.equals(value)).toBe(true);
    expect(got.offset).toBe('0');
  } finally {
    await consumer.disconnect();
  }
}

describe('bad input on raw sockets', () => {
  it('garbage bytes', async () => {
    const c = await rawSocket();
    c.s.write(Buffer.from('GET / HTTP/1.1\r\nHost: brook\r\n\r\n'));
    expect(await c.closed()).toBe(true);
    expect(c.received().length).toBe(0);
    await stillServing();
  });

  it('random bytes in many connections at once', async () => {
    const socks = await Promise.all(Array.from({ length: 20 }, () => rawSocket()));
    for (const [i, c] of socks.entries()) {
      const junk = Buffer.alloc(64 + i * 13);
      for (let j = 0; j < junk.length; j++) junk[j] = (j * 131 + i * 7) & 0xff;
      junk.writeInt32BE(junk.length - 4 + (i % 3), 0); // plausible sizes, nonsense bodies
      c.s.write(junk);
      if (i % 2 === 0) c.s.end();
    }
    await Promise.all(socks.map((c) => c.closed()));
    await stillServing();
  });

  it('a frame over socket.request.max.bytes is refused before it is buffered', async () => {
    const c = await rawSocket();
    const header = Buffer.alloc(4);
    header.writeInt32BE(200 * 1024 * 1024); // 200 MiB > 100 MiB default
    c.s.write(header);
    expect(await c.closed()).toBe(true);
    const neg = await rawSocket();
    neg.s.write(Buffer.from([0x80, 0, 0, 0]));
    expect(await neg.closed()).toBe(true);
    await stillServing();
  });

  it('a declared size never completed, then the client goes away', async () => {
    const c = await rawSocket();
    const partial = frame(3, 1, Buffer.alloc(100)).subarray(0, 50);
    c.s.write(partial);
    await new Promise((r) => setTimeout(r, 50));
    c.s.destroy();
    await stillServing();
  });

  it('an unknown API key closes the connection', async () => {
    const c = await rawSocket();
    c.s.write(frame(9999, 0));
    expect(await c.closed()).toBe(true);
    expect(c.received().length).toBe(0);
    await stillServing();
  });

  it('an unsupported version closes the connection, except ApiVersions which answers UNSUPPORTED_VERSION', async () => {
    const c = await rawSocket();
    c.s.write(frame(3, 99)); // Metadata v99
    expect(await c.closed()).toBe(true);

    const a = await rawSocket();
    a.s.write(frame(18, 77, Buffer.from([0]), 42));
    const end = Date.now() + 3000;
    while (a.received().length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const buf = a.received();
    const r = new Reader(buf.subarray(4, 4 + buf.readInt32BE(0)));
    expect(r.readInt32()).toBe(42);
    const res = ApiVersionsResponse.decode(r, 0);
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    expect(await a.closed(200)).toBe(false); // the client may retry with v0 on the same connection
    a.s.destroy();
    await stillServing();
  });

  it('a truncated body closes the connection', async () => {
    const c = await rawSocket();
    // CreateTopics v4: topics array says 5 entries, then nothing.
    c.s.write(frame(19, 4, Buffer.from([0, 0, 0, 5])));
    expect(await c.closed()).toBe(true);
    const d = await rawSocket();
    // A frame shorter than the request header.
    d.s.write(Buffer.from([0, 0, 0, 5, 0, 3, 0, 1, 0]));
    expect(await d.closed()).toBe(true);
    await stillServing();
  });

  it('idle connections are closed after connections.max.idle.ms', async () => {
    const c = await rawSocket();
    expect(await c.closed(5000)).toBe(true);
    await stillServing();
  });
});
