// `brook produce TOPIC`: one record per input line, from stdin or a file.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CompressionType, type RecordInput } from '@brook/protocol';
import { COMMON_HELP, int, keyValues, type Parsed, prepare, str, UsageError, withClient } from '../args.js';
import { type KafkaClient, keyPartition, type TopicMeta } from '../client/index.js';

export const PRODUCE_USAGE = `Usage: brook produce TOPIC [options]

Reads records from stdin (or a file), one per line, and appends them to TOPIC.

Options:
  -f, --file FILE            read lines from FILE instead of stdin
  -K, --key-separator SEP    split each line at the first SEP into key and value (e.g. -K :)
  -H, --header key=value     add a header to every record (repeatable)
  -p, --partition N          write every record to partition N (default: by key hash, or round-robin)
  -z, --compression CODEC    none|gzip|snappy|lz4|zstd (default none)
      --acks N               -1 (all, default), 1 or 0
  -q, --quiet                do not print the summary line on stderr
${COMMON_HELP}
`;

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  'key-separator': { type: 'string', short: 'K' },
  header: { type: 'string', short: 'H', multiple: true },
  partition: { type: 'string', short: 'p' },
  compression: { type: 'string', short: 'z' },
  acks: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const CODECS: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** Records are sent in chunks of this many lines, so large inputs stream. */
const CHUNK_LINES = 5000;

export async function produceCommand(argv: readonly string[]): Promise<number> {
  const r = prepare(argv, OPTIONS, PRODUCE_USAGE);
  if ('exit' in r) return r.exit;
  const p = r.parsed;
  return withClient(p, (client) => produce(client, p));
}

async function produce(client: KafkaClient, p: Parsed): Promise<number> {
  if (p.positionals.length !== 1) throw new UsageError('produce needs exactly one topic name');
  const topic = p.positionals[0]!;
  const sep = str(p, 'key-separator');
  if (sep === '') throw new UsageError('--key-separator must not be empty');
  const headers = Object.entries(keyValues(p, 'header')).map(([key, value]) => ({ key, value }));
  const partitionOpt = int(p, 'partition', 0);
  const codecName = (str(p, 'compression') ?? 'none').toLowerCase();
  const compression = CODECS[codecName];
  if (compression === undefined)
    throw new UsageError(`--compression: unknown codec "${codecName}" (none|gzip|snappy|lz4|zstd)`);
  const acks = int(p, 'acks', -1) ?? -1;
  if (acks !== -1 && acks !== 0 && acks !== 1) throw new UsageError('--acks must be -1, 0 or 1');

  // Metadata (auto-creates the topic when the broker allows it).
  const md = await client.metadata([topic], true);
  const t: TopicMeta | undefined = md.topics.find((x) => x.name === topic);
  if (t?.errorCode !== 0 || t.partitions.length === 0) await client.topic(topic); // throws the error
  const meta = t!;
  const n = meta.partitions.length;
  if (partitionOpt !== undefined && partitionOpt >= n) {
    throw new UsageError(`--partition ${partitionOpt}: topic ${topic} has ${n} partition${n === 1 ? '' : 's'}`);
  }
  const leaders = new Map(meta.partitions.map((x) => [x.partition, x.leader]));

  const file = str(p, 'file');
  const input = file ? createReadStream(file) : process.stdin;
  const opened = new Promise<void>((resolve, reject) => {
    if (!file) return resolve();
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });

  let rr = 0;
  let total = 0;
  let pending = new Map<number, RecordInput[]>();
  let count = 0;
  const flush = async () => {
    const batch = pending;
    pending = new Map();
    count = 0;
    await Promise.all(
      [...batch].map(([partition, records]) =>
        client.produce(topic, partition, records, { acks, compression, leader: leaders.get(partition) }),
      ),
    );
  };
  for await (const line of lines) {
    let key: string | null = null;
    let value = line;
    if (sep !== undefined) {
      const i = line.indexOf(sep);
      if (i >= 0) {
        key = line.slice(0, i);
        value = line.slice(i + sep.length);
      }
    }
    const partition =
      partitionOpt ?? (key !== null ? keyPartition(Buffer.from(key), n) : meta.partitions[rr++ % n]!.partition);
    let l = pending.get(partition);
    if (!l) {
      l = [];
      pending.set(partition, l);
    }
    l.push(headers.length > 0 ? { key, value, headers } : { key, value });
    total++;
    if (++count >= CHUNK_LINES) await flush();
  }
  await flush();
  if (str(p, 'quiet') === undefined && p.values.quiet !== true) {
    process.stderr.write(`produced ${total} record${total === 1 ? '' : 's'} to ${topic}\n`);
  }
  return 0;
}
