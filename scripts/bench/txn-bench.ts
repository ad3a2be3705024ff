// Transactional vs plain idempotent produce throughput, same run: a Brook child process on a temp data
// dir, one raw connection (Brook's codec) sending batches of RECORDS x SIZE bytes, up to 5 in flight
// (the idempotent limit). Modes alternate round by round (A B C A B C ...), so they share conditions:
//   idempotent      InitProducerId without a transactional id, then batches back to back
//   txn-N-batches   AddPartitionsToTxn, N batches, EndTxn(commit), repeat
// usage: npx tsx scripts/bench/txn-bench.ts [--seconds 3] [--rounds 3] [--records 100] [--size 100]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  buildRecordBatch,
  CreateTopicsRequest,
  CreateTopicsResponse,
  EndTxnRequest,
  EndTxnResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  ProduceRequest,
  ProduceResponse,
} from '@brook/protocol';
import { CodecClient } from '../../test/helpers/codec-client.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 3);
const ROUNDS = arg('rounds', 3);
const RECORDS = arg('records', 100);
const SIZE = arg('size', 100);
const IN_FLIGHT = 5;

async function startBrokerProcess(dataDir: string): Promise<{ port: number; stop: () => void }> {
  const code = `import('@brook/broker').then(async (m) => {
    const b = await m.startBroker({ port: 0, host: '127.0.0.1', dataDir: process.argv[1], logLevel: 'warn' });
    console.log('PORT ' + b.port);
  });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = /^PORT (\d+)/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`broker exited ${c}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

interface Producer {
  pid: bigint;
  epoch: number;
  seq: number;
  txnId: string | null;
}

async function initProducer(c: CodecClient, txnId: string | null): Promise<Producer> {
  const r = await c.request(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: txnId,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  if (r.errorCode !== 0) throw new Error(`InitProducerId: ${r.errorCode}`);
  return { pid: r.producerId, epoch: r.producerEpoch, seq: 0, txnId };
}

const value = Buffer.alloc(SIZE, 0x61);
function batch(p: Producer): Buffer {
  const b = buildRecordBatch({
    records: Array.from({ length: RECORDS }, () => ({ value })),
    producerId: p.pid,
    producerEpoch: p.epoch,
    baseSequence: p.seq,
    isTransactional: p.txnId !== null,
  });
  p.seq += RECORDS;
  return b;
}

async function send(c: CodecClient, topic: string, p: Producer): Promise<void> {
  const r = await c.request(ProduceRequest, ProduceResponse, 9, {
    transactionalId: p.txnId,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(p) }] }],
  });
  const code = r.responses[0]!.partitionResponses[0]!.errorCode;
  if (code !== 0) throw new Error(`produce error ${code}`);
}

/** Sends `count` batches keeping IN_FLIGHT in flight (Infinity: until the deadline). */
async function sendBatches(c: CodecClient, topic: string, p: Producer, count: number, deadline: number) {
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  while (sent < count && Date.now() < deadline) {
    const pr = send(c, topic, p).finally(() => inflight.delete(pr));
    inflight.add(pr);
    sent++;
    if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return sent;
}

async function runMode(c: CodecClient, topic: string, mode: string, round: number): Promise<number> {
  const deadline = Date.now() + SECONDS * 1000;
  const start = process.hrtime.bigint();
  let batches = 0;
  if (mode === 'idempotent') {
    const p = await initProducer(c, null);
    batches = await sendBatches(c, topic, p, Number.POSITIVE_INFINITY, deadline);
  } else {
    const perTxn = Number(mode.split('-')[1]);
    const p = await initProducer(c, `bench-${mode}-${round}`);
    while (Date.now() < deadline) {
      const add = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
        v3AndBelowTransactionalId: p.txnId!,
        v3AndBelowProducerId: p.pid,
        v3AndBelowProducerEpoch: p.epoch,
        v3AndBelowTopics: [{ name: topic, partitions: [0] }],
      });
      if (add.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode !== 0) throw new Error('add');
      batches += await sendBatches(c, topic, p, perTxn, Number.POSITIVE_INFINITY);
      const end = await c.request(EndTxnRequest, EndTxnResponse, 3, {
        transactionalId: p.txnId!,
        producerId: p.pid,
        producerEpoch: p.epoch,
        committed: true,
      });
      if (end.errorCode !== 0) throw new Error(`EndTxn ${end.errorCode}`);
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return (batches * RECORDS) / secs;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-txn-bench-'));
  const broker = await startBrokerProcess(dataDir);
  const c = await CodecClient.open(broker.port);
  const modes = ['idempotent', 'txn-1-batches', 'txn-10-batches', 'txn-100-batches'];
  const results = new Map<string, number[]>(modes.map((m) => [m, []]));
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      for (const mode of modes) {
        const topic = `bench-${mode}-${round}`;
        await c.request(CreateTopicsRequest, CreateTopicsResponse, 4, {
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 10_000,
          validateOnly: false,
        });
        const rate = await runMode(c, topic, mode, round);
        if (round > 0) results.get(mode)!.push(rate); // round 0 warms up
      }
    }
  } finally {
    c.close();
    broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(results.get('idempotent')!);
  console.log(
    `# txn-bench: ${RECORDS} x ${SIZE} B records per batch, ${IN_FLIGHT} in flight, acks=-1, ${ROUNDS} rounds x ${SECONDS} s`,
  );
  console.log('mode                 records/s (median)   vs idempotent   rounds');
  for (const [mode, xs] of results) {
    const m = median(xs);
    console.log(
      `${mode.padEnd(20)} ${Math.round(m).toString().padStart(18)}   ${(m / base).toFixed(2).padStart(13)}   ${xs.map((x) => Math.round(x)).join(' ')}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
