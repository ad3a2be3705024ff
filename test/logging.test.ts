// The broker's pino log, captured through createLogger's stream option at trace level: connection
// lines carry the connection id, request lines the connection id and the client id, and no line ever
// carries record payload bytes (a distinctive key, value and header are searched for in the raw log,
// as text, hex and base64), not even the reason logged for a request that cannot be decoded.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { type Broker, createLogger, startBroker } from '@brook/broker';
import { buildRecordBatch, encodeRequestHeader, ProduceRequest, Writer } from '@brook/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const captured: string[] = [];
let broker: Broker;

const secret = randomBytes(6).toString('hex');
const VALUE = `PAYLOAD-VALUE-${secret}`;
const KEY = `PAYLOAD-KEY-${secret}`;
const HEADER = `PAYLOAD-HEADER-${secret}`;

beforeAll(async () => {
  const logger = createLogger({ level: 'trace', stream: { write: (line: string) => captured.push(line) } });
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null, logger });
});
afterAll(async () => {
  await broker?.close();
});

type Line = { msg?: string; connId?: string; clientId?: string | null; apiKey?: number; reason?: string };

const lines = (): Line[] =>
  captured
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('broker logs', () => {
  it('bind connection and client ids, and never contain payload bytes', async () => {
    const kafka = new Kafka({ clientId: 'log-probe', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'logged', messages: [{ key: KEY, value: VALUE, headers: { h: HEADER } }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'log-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'logged', fromBeginning: true });
    const got = await new Promise<string>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }).catch(reject);
    });
    await consumer.disconnect();
    expect(got).toBe(VALUE);

    // A Produce frame carrying the payload, cut short so it cannot be decoded: the connection is closed
    // and the reason is logged, without the bytes.
    const w = new Writer();
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey: 0, apiVersion: 9, correlationId: 1, clientId: 'log-broken' });
    ProduceRequest.encode(
      w,
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'logged',
            partitionData: [{ index: 0, records: buildRecordBatch({ records: [{ key: KEY, value: VALUE }] }) }],
          },
        ],
      },
      9,
    );
    w.patchInt32(size, w.length - 4);
    const full = w.toBuffer();
    const cut = full.subarray(0, full.length - 40);
    cut.writeInt32BE(cut.length - 4, 0);
    const s = connect({ port: broker.port, host: '127.0.0.1' });
    await once(s, 'connect');
    s.on('error', () => {});
    s.write(cut);
    await once(s, 'close');

    await broker.close(); // flushes the shutdown lines too
    const all = lines();

    // Connection-scoped lines name their connection.
    const accepted = all.filter((l) => l.msg === 'connection accepted');
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    for (const l of accepted) expect(l.connId).toMatch(/^c\d+$/);
    const closing = all.filter((l) => l.msg === 'closing connection');
    expect(closing.length).toBeGreaterThanOrEqual(1);
    for (const l of closing) expect(l.connId).toMatch(/^c\d+$/);
    expect(closing.some((l) => /ProduceRequest/.test(l.reason ?? ''))).toBe(true);

    // Request-scoped lines name the connection and the client.
    const requests = all.filter((l) => l.msg === 'request');
    expect(requests.map((l) => l.apiKey)).toEqual(expect.arrayContaining([0, 1, 3, 18]));
    for (const l of requests) {
      expect(l.connId).toMatch(/^c\d+$/);
      expect(l.clientId).toBe('log-probe');
    }
    // Requests of one client come from the connections it opened, which were accepted and logged.
    const conns = new Set(accepted.map((l) => l.connId));
    for (const l of requests) expect(conns.has(l.connId)).toBe(true);

    // No payload bytes anywhere, in any encoding.
    const raw = captured.join('');
    for (const p of [VALUE, KEY, HEADER, secret]) {
      const b = Buffer.from(p);
      for (const form of [p, b.toString('hex'), b.toString('base64'), b.toString('base64').slice(0, 12)]) {
        expect(raw.includes(form), `log contains ${form}`).toBe(false);
      }
    }
  });
});
