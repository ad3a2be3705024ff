import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@brook/protocol';
import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../src/config.js';
import { BrokerError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { TOPICS_FILE, TopicRegistry, type TopicStorage, topicNameError } from '../src/state/topics.js';

function fakeStorage() {
  const parts = new Map<string, unknown>();
  const storage: TopicStorage = {
    async createPartition(t, p, c) {
      parts.set(`${t}-${p}`, c);
    },
    async deletePartition(t, p) {
      parts.delete(`${t}-${p}`);
    },
    updatePartitionConfig(t, p, c) {
      parts.set(`${t}-${p}`, c);
    },
  };
  return { storage, parts };
}

function registry(dataDir: string | null, overrides: Record<string, string | number | boolean> = {}) {
  const s = fakeStorage();
  const reg = new TopicRegistry({
    config: BrokerConfig.load({ overrides }),
    storage: s.storage,
    dataDir,
    log: silentLogger(),
  });
  return { reg, ...s };
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    return (e as BrokerError).code;
  }
}

describe('topic names', () => {
  it('follows Kafka rules', () => {
    for (const ok of ['a', 'A-b_c.d', 'x'.repeat(249), '__consumer_offsets', '...'])
      expect(topicNameError(ok), ok).toBeNull();
    for (const bad of ['', '.', '..', 'x'.repeat(250), 'a b', 'a/b', 'é', 'a\u0000', 'a:b']) {
      expect(topicNameError(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });
});

describe('TopicRegistry', () => {
  it('creates, validates, grows, reconfigures and deletes', async () => {
    const { reg, parts } = registry(null, { 'num.partitions': 3 });
    const t = await reg.create('orders');
    expect(t.partitions).toBe(3);
    expect(t.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parts.size).toBe(3);
    expect(reg.getById(t.topicId)?.name).toBe('orders');
    expect(await codeOf(reg.create('orders'))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await codeOf(reg.create('orders_x', { partitions: 0 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(reg.create('orders_x', { replicationFactor: 3 }))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(await codeOf(reg.create('bad name'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(reg.create('a.b'))).toBe(0);
    expect(await codeOf(reg.create('a_b'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(reg.create('c', { configs: { 'retention.ms': 'x' } }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(await codeOf(reg.create('v', { validateOnly: true }))).toBe(0);
    expect(reg.get('v')).toBeUndefined();

    expect(await codeOf(reg.createPartitions('orders', 2))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(reg.createPartitions('orders', 3))).toBe(ErrorCode.INVALID_PARTITIONS);
    await reg.createPartitions('orders', 5);
    expect(reg.get('orders')?.partitions).toBe(5);
    expect(parts.has('orders-4')).toBe(true);

    await reg.setConfigs('orders', { 'retention.ms': '1000' });
    expect(parts.get('orders-0')).toMatchObject({ retentionMs: 1000 });
    expect(await codeOf(reg.setConfigs('orders', { 'segment.bytes': '1' }))).toBe(ErrorCode.INVALID_CONFIG);

    await reg.delete('orders');
    expect(reg.get('orders')).toBeUndefined();
    expect([...parts.keys()].some((k) => k.startsWith('orders-'))).toBe(false);
    expect(await codeOf(reg.delete('orders'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('auto-creates only when allowed', async () => {
    const on = registry(null).reg;
    expect(typeof (await on.getOrAutoCreate('auto1'))).toBe('object');
    expect(await on.getOrAutoCreate('auto2', false)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await on.getOrAutoCreate('bad/name')).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const off = registry(null, { 'auto.create.topics.enable': false }).reg;
    expect(await off.getOrAutoCreate('auto1')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    off.registerInternalTopic('__consumer_offsets', () => ({
      partitions: 2,
      configs: { 'cleanup.policy': 'compact' },
    }));
    const internal = await off.getOrAutoCreate('__consumer_offsets');
    expect(internal).toMatchObject({ internal: true, partitions: 2 });
  });

  it('serializes concurrent creates of the same topic', async () => {
    const { reg } = registry(null);
    const codes = await Promise.all([1, 2, 3, 4].map(() => codeOf(reg.create('race'))));
    expect(codes.sort()).toEqual([0, 36, 36, 36]);
  });

  it('persists atomically and reloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-topics-'));
    const a = registry(dir);
    const t = await a.reg.create('persisted', { partitions: 2, configs: { 'cleanup.policy': 'compact' } });
    await a.reg.create('gone');
    await a.reg.delete('gone');
    const onDisk = JSON.parse(readFileSync(join(dir, TOPICS_FILE), 'utf8'));
    expect(onDisk.topics.map((x: { name: string }) => x.name)).toEqual(['persisted']);
    const b = registry(dir);
    await b.reg.load();
    expect(b.reg.get('persisted')).toEqual({ ...t, internal: false });
    expect(b.parts.size).toBe(2);
    expect(b.parts.get('persisted-1')).toMatchObject({ cleanupPolicy: 'compact' });
  });
});
