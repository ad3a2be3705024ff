// OffsetCommit v2-4 retentionTimeMs: Kafka expires an offset committed with an explicit retention at
// commit time + retention (instead of offsets.retention.minutes), and keeps that expiry in
// __consumer_offsets (OffsetCommitValue v1), so it survives a restart.
import { OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse } from '@brook/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker, tempDataDir } from './helpers/data-broker.js';

const dataDir = tempDataDir('brook-offset-retention-');
const config = { 'offsets.retention.check.interval.ms': 50 };
let tb: TestBroker | undefined;
afterAll(async () => {
  await tb?.destroy();
});

async function commit(c: CodecClient, version: number, partition: number, offset: bigint, retentionTimeMs: bigint) {
  const r = await c.request(OffsetCommitRequest, OffsetCommitResponse, version, {
    groupId: 'retained',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs,
    topics: [
      {
        name: 'ret',
        partitions: [{ partitionIndex: partition, committedOffset: offset, committedMetadata: null }],
      },
    ],
  });
  expect(r.topics[0]!.partitions[0]!.errorCode).toBe(0);
}

async function offsets(c: CodecClient): Promise<bigint[]> {
  const r = await c.request(OffsetFetchRequest, OffsetFetchResponse, 3, {
    groupId: 'retained',
    topics: [{ name: 'ret', partitionIndexes: [0, 1, 2] }],
  });
  return r.topics![0]!.partitions.map((p) => p.committedOffset);
}

/** Polls until `check` holds; returns the ms it took. */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

describe('OffsetCommit retentionTimeMs', () => {
  it('expires an offset at commit time + retention; -1 and long retentions keep theirs', async () => {
    tb = await startTestBroker({ dataDir, config });
    await tb.broker.state.topics.create('ret', { partitions: 3 });
    const c = await CodecClient.open(tb.port);
    const committedAt = Date.now();
    await commit(c, 2, 0, 10n, 600n);
    await commit(c, 2, 1, 11n, -1n); // the broker's offsets.retention.minutes (a week)
    await commit(c, 4, 2, 12n, 60_000n);
    expect(await offsets(c)).toEqual([10n, 11n, 12n]);

    await until(async () => (await offsets(c))[0] === -1n);
    expect(Date.now() - committedAt).toBeGreaterThanOrEqual(600);
    expect(await offsets(c)).toEqual([-1n, 11n, 12n]);
    c.close();
  });

  it('keeps the explicit expiry across a restart', async () => {
    const c = await CodecClient.open(tb!.port);
    const committedAt = Date.now();
    await commit(c, 3, 0, 20n, 2500n);
    c.close();
    await tb!.stop();
    tb = await startTestBroker({ dataDir, config });
    const c2 = await CodecClient.open(tb.port);
    expect(await offsets(c2)).toEqual([20n, 11n, 12n]);
    await until(async () => (await offsets(c2))[0] === -1n);
    expect(Date.now() - committedAt).toBeGreaterThanOrEqual(2500);
    expect(await offsets(c2)).toEqual([-1n, 11n, 12n]);
    c2.close();
  });
});
