import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BROKER_CONFIG_DEFS,
  BrokerConfig,
  ConfigError,
  ConfigSource,
  describeTopicConfig,
  effectiveTopicConfig,
  envNameOf,
  parseListener,
  parseProperties,
  TOPIC_CONFIG_DEFS,
  toLogConfig,
  validateTopicOverrides,
} from '../src/config.js';

function propsFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'brook-cfg-'));
  const f = join(dir, 'server.properties');
  writeFileSync(f, text);
  return f;
}

describe('properties parsing', () => {
  it('handles comments, separators, continuations and escapes', () => {
    const p = parseProperties(
      [
        '# comment',
        '! also a comment',
        'a=1',
        'b : 2',
        'c 3',
        '  d=x\\',
        '    y',
        'e=tab\\there',
        'f\\=g=h',
        'u=\\u0041',
        'empty=',
      ].join('\n'),
    );
    expect(Object.fromEntries(p)).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: 'xy',
      e: 'tab\there',
      'f=g': 'h',
      u: 'A',
      empty: '',
    });
  });
});

describe('BrokerConfig', () => {
  it('has Kafka defaults and documented Brook defaults', () => {
    const c = BrokerConfig.load();
    expect(c.getNumber('num.partitions')).toBe(1);
    expect(c.getBoolean('auto.create.topics.enable')).toBe(true);
    expect(c.getNumber('message.max.bytes')).toBe(1048588);
    expect(c.getNumber('socket.request.max.bytes')).toBe(104857600);
    expect(c.getNumber('connections.max.idle.ms')).toBe(600000);
    expect(c.getNumber('node.id')).toBe(1);
    expect(c.getList('log.cleanup.policy')).toEqual(['delete']);
    // log.retention.ms is unset: resolved through log.retention.hours (168h).
    expect(c.getNumber('log.retention.ms')).toBe(168 * 3600 * 1000);
    expect(c.getNumber('log.roll.ms')).toBe(168 * 3600 * 1000);
    for (const d of BROKER_CONFIG_DEFS) expect(d.doc.length, d.name).toBeGreaterThan(5);
  });

  it('applies precedence defaults < file < env < overrides', () => {
    const file = propsFile('num.partitions=2\nlog.retention.hours=1\ndefault.replication.factor=1\nunknown.key=1\n');
    const warnings: string[] = [];
    const env = { BROOK_NUM_PARTITIONS: '3', BROOK_LOG_SEGMENT_BYTES: '2048', UNRELATED: 'x' };
    const c1 = BrokerConfig.load({ file, onWarning: (m) => warnings.push(m) });
    expect(c1.getNumber('num.partitions')).toBe(2);
    expect(c1.getNumber('log.retention.ms')).toBe(3600_000);
    expect(warnings.join()).toContain('unknown.key');
    const c2 = BrokerConfig.load({ file, env });
    expect(c2.getNumber('num.partitions')).toBe(3);
    expect(c2.getNumber('log.segment.bytes')).toBe(2048);
    const c3 = BrokerConfig.load({ file, env, overrides: { 'num.partitions': 4 } });
    expect(c3.getNumber('num.partitions')).toBe(4);
    expect(c3.describe('num.partitions')).toEqual({
      name: 'num.partitions',
      value: '4',
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
    expect(c3.staticSource('num.partitions')).toBe('override');
    expect(c3.staticSource('log.segment.bytes')).toBe('env');
    expect(envNameOf('num.partitions')).toBe('BROOK_NUM_PARTITIONS');
  });

  it('resolves unit synonyms in priority order', () => {
    const c = BrokerConfig.load({ overrides: { 'log.retention.minutes': 5, 'log.retention.hours': 2 } });
    expect(c.getNumber('log.retention.ms')).toBe(300_000);
    const names = c.synonyms('log.retention.ms').map((e) => `${e.name}:${e.source}`);
    expect(names).toEqual(['log.retention.minutes:4', 'log.retention.hours:4', 'log.retention.hours:5']);
    const c2 = BrokerConfig.load({ overrides: { 'log.retention.ms': -1 } });
    expect(c2.getNumber('log.retention.ms')).toBe(-1);
  });

  it('names the key in validation errors', () => {
    const bad: [string, string | number | boolean][] = [
      ['num.partitions', 0],
      ['num.partitions', 'abc'],
      ['auto.create.topics.enable', 'yes'],
      ['log.cleanup.policy', 'delete,shred'],
      ['log.message.timestamp.type', 'Now'],
      ['compression.type', 'brotli'],
      ['message.max.bytes', '99999999999'],
      ['listeners', 'SSL://:9093'],
      ['listeners', 'nonsense'],
      ['log.cleaner.min.cleanable.ratio', 2],
      ['no.such.key', 1],
    ];
    for (const [k, v] of bad) {
      let err: unknown;
      try {
        BrokerConfig.load({ overrides: { [k]: v } });
      } catch (e) {
        err = e;
      }
      expect(err, `${k}=${v}`).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe(k);
      expect((err as Error).message).toContain(k);
    }
    expect(() => BrokerConfig.load({ env: { BROOK_NUM_PARTITIONS: '-1' } })).toThrow(/num.partitions/);
    expect(() => BrokerConfig.load({ file: propsFile('log.segment.bytes=1\n') })).toThrow(/log.segment.bytes/);
    expect(() =>
      BrokerConfig.load({ overrides: { 'group.min.session.timeout.ms': 10, 'group.max.session.timeout.ms': 5 } }),
    ).toThrow(/group.min.session.timeout.ms/);
  });

  it('parses listeners', () => {
    expect(parseListener('PLAINTEXT://:9092')).toEqual({ name: 'PLAINTEXT', host: '', port: 9092 });
    expect(parseListener('plaintext://[::1]:0')).toEqual({ name: 'PLAINTEXT', host: '::1', port: 0 });
  });

  it('keeps dynamic layers above static ones and rejects static keys', () => {
    const c = BrokerConfig.load({ overrides: { 'log.retention.bytes': 100 } });
    expect(c.checkDynamic('log.retention.bytes', '5')).toBeNull();
    expect(c.checkDynamic('socket.request.max.bytes', '5')?.message).toMatch(/dynamically/);
    expect(c.checkDynamic('log.retention.bytes', 'x')).toBeInstanceOf(ConfigError);
    c.setDynamic('default', new Map([['log.retention.bytes', '200']]));
    expect(c.getNumber('log.retention.bytes')).toBe(200);
    c.setDynamic('broker', new Map([['log.retention.bytes', '300']]));
    expect(c.describe('log.retention.bytes')).toMatchObject({
      value: '300',
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
    });
    expect(c.synonyms('log.retention.bytes').map((e) => e.source)).toEqual([2, 3, 4, 5]);
  });
});

describe('topic configs', () => {
  it('inherit broker synonyms and report sources like Kafka', () => {
    const c = BrokerConfig.load({ overrides: { 'log.retention.hours': 1 } });
    const e = describeTopicConfig(c, {}, 'retention.ms');
    expect(e.value).toBe('3600000');
    expect(e.source).toBe(ConfigSource.STATIC_BROKER_CONFIG);
    expect(e.synonyms.map((s) => s.name)).toEqual(['log.retention.hours', 'log.retention.hours']);
    const o = describeTopicConfig(c, { 'retention.ms': '1000' }, 'retention.ms');
    expect(o).toMatchObject({ value: '1000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(o.synonyms[0]).toEqual({ name: 'retention.ms', value: '1000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    const d = describeTopicConfig(BrokerConfig.load(), {}, 'cleanup.policy');
    expect(d).toMatchObject({ value: 'delete', source: ConfigSource.DEFAULT_CONFIG });
    for (const t of TOPIC_CONFIG_DEFS)
      expect(describeTopicConfig(BrokerConfig.load(), {}, t.name).value, t.name).not.toBeNull();
  });

  it('validates overrides and maps to storage LogConfig', () => {
    expect(() => validateTopicOverrides({ 'retention.ms': 'soon' })).toThrow(/retention.ms/);
    expect(() => validateTopicOverrides({ 'cleanup.policy': 'delete,compact,x' })).toThrow(/cleanup.policy/);
    expect(() => validateTopicOverrides({ 'no.such': '1' })).toThrow(/no.such/);
    expect(() => validateTopicOverrides({ 'min.insync.replicas': '0' })).toThrow(/min.insync.replicas/);
    const c = BrokerConfig.load({ overrides: { 'brook.fsync.before.ack': true } });
    const lc = toLogConfig(
      effectiveTopicConfig(c, {
        'cleanup.policy': 'compact,delete',
        'segment.bytes': '1048576',
        'message.timestamp.type': 'LogAppendTime',
      }),
      c,
    );
    expect(lc).toMatchObject({
      cleanupPolicy: 'compact,delete',
      segmentBytes: 1048576,
      messageTimestampType: 'LogAppendTime',
      retentionMs: 604800000,
      fsyncOnAppend: true,
      maxMessageBytes: 1048588,
      flushMessages: Number.MAX_SAFE_INTEGER,
    });
  });
});
