// `brook consume TOPIC`: prints records as text, JSON or a kcat-like format string.
import type { DecodedRecord } from '@brook/protocol';
import { COMMON_HELP, flag, int, type Parsed, parseTime, prepare, str, UsageError, withClient } from '../args.js';
import {
  EARLIEST,
  type FetchPartitionResult,
  GroupConsumer,
  type KafkaClient,
  KafkaError,
  LATEST,
} from '../client/index.js';

export const CONSUME_USAGE = `Usage: brook consume TOPIC [options]

Prints the records of TOPIC, one per line. Stops on Ctrl-C, after -n records, or with -e at the end.

Where to start (default: the beginning; in a group: the committed offset, else -o):
  -o, --offset POS         beginning | end | N (an offset) | -N (N before the end)
      --from-beginning     same as -o beginning
  -t, --timestamp TIME     first record at or after TIME (ms since epoch or ISO date)
  -p, --partition N        read only partition N (default: all)
  -g, --group GROUP        consume as a member of GROUP and commit offsets

When to stop:
  -n, --count N            exit after N records
  -e, --exit               exit when the end of every partition is reached

Output (default: the value of each record):
  -J, --json               one JSON object per record
  -f, --format FMT         kcat-like format: %t topic, %p partition, %o offset, %k key, %s value,
                           %T timestamp, %h headers, %K key length, %S value length, %% percent;
                           \\n \\t \\\\ escapes. e.g. -f '%p:%o %k=%s\\n'
      --print-key          text: print KEY<separator>VALUE
  -K, --key-separator SEP  separator for --print-key (default a tab)
${COMMON_HELP}
`;

const OPTIONS = {
  offset: { type: 'string', short: 'o' },
  'from-beginning': { type: 'boolean' },
  timestamp: { type: 'string', short: 't' },
  partition: { type: 'string', short: 'p' },
  group: { type: 'string', short: 'g' },
  count: { type: 'string', short: 'n' },
  exit: { type: 'boolean', short: 'e' },
  json: { type: 'boolean', short: 'J' },
  format: { type: 'string', short: 'f' },
  'print-key': { type: 'boolean' },
  'key-separator': { type: 'string', short: 'K' },
} as const;

type Start =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'relative'; back: bigint }
  | { kind: 'time'; ts: bigint };

export async function consumeCommand(argv: readonly string[]): Promise<number> {
  const r = prepare(argv, OPTIONS, CONSUME_USAGE);
  if ('exit' in r) return r.exit;
  const p = r.parsed;
  return withClient(p, (client) => consume(client, p));
}

function parseStart(p: Parsed): Start {
  const o = str(p, 'offset');
  const ts = str(p, 'timestamp');
  const given = [o !== undefined, ts !== undefined, flag(p, 'from-beginning')].filter(Boolean).length;
  if (given > 1) throw new UsageError('use only one of --offset, --timestamp and --from-beginning');
  if (ts !== undefined) return { kind: 'time', ts: parseTime(ts, '--timestamp') };
  if (o === undefined || o === 'beginning' || o === 'earliest') return { kind: 'beginning' };
  if (o === 'end' || o === 'latest') return { kind: 'end' };
  if (/^\d+$/.test(o)) return { kind: 'offset', offset: BigInt(o) };
  if (/^-\d+$/.test(o)) return { kind: 'relative', back: -BigInt(o) };
  throw new UsageError(`--offset: expected beginning, end, N or -N, got "${o}"`);
}

/** Compiles a kcat-like format string into a record formatter. */
export function compileFormat(fmt: string): (topic: string, partition: number, r: DecodedRecord) => string {
  const parts: ((topic: string, partition: number, r: DecodedRecord) => string)[] = [];
  let lit = '';
  const pushLit = () => {
    if (lit) {
      const s = lit;
      parts.push(() => s);
      lit = '';
    }
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '\\' && i + 1 < fmt.length) {
      const n = fmt[++i]!;
      lit += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : n;
      continue;
    }
    if (c !== '%' || i + 1 >= fmt.length) {
      lit += c;
      continue;
    }
    const n = fmt[++i]!;
    if (n === '%') {
      lit += '%';
      continue;
    }
    pushLit();
    switch (n) {
      case 't':
        parts.push((t) => t);
        break;
      case 'p':
        parts.push((_t, p) => String(p));
        break;
      case 'o':
        parts.push((_t, _p, r) => String(r.offset));
        break;
      case 'k':
        parts.push((_t, _p, r) => r.key?.toString('utf8') ?? '');
        break;
      case 's':
        parts.push((_t, _p, r) => r.value?.toString('utf8') ?? '');
        break;
      case 'K':
        parts.push((_t, _p, r) => String(r.key?.length ?? -1));
        break;
      case 'S':
        parts.push((_t, _p, r) => String(r.value?.length ?? -1));
        break;
      case 'T':
        parts.push((_t, _p, r) => String(r.timestamp));
        break;
      case 'h':
        parts.push((_t, _p, r) => r.headers.map((h) => `${h.key}=${h.value?.toString('utf8') ?? ''}`).join(','));
        break;
      default:
        throw new UsageError(`--format: unknown directive "%${n}"`);
    }
  }
  pushLit();
  return (t, p, r) => {
    let s = '';
    for (const f of parts) s += f(t, p, r);
    return s;
  };
}

function formatter(p: Parsed): (topic: string, partition: number, r: DecodedRecord) => string {
  const fmt = str(p, 'format');
  if (fmt !== undefined && flag(p, 'json')) throw new UsageError('use only one of --json and --format');
  if (fmt !== undefined) return compileFormat(fmt);
  if (flag(p, 'json')) {
    return (topic, partition, r) =>
      `${JSON.stringify({
        topic,
        partition,
        offset: Number(r.offset),
        timestamp: Number(r.timestamp),
        key: r.key?.toString('utf8') ?? null,
        value: r.value?.toString('utf8') ?? null,
        headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
      })}\n`;
  }
  if (flag(p, 'print-key')) {
    const sep = str(p, 'key-separator') ?? '\t';
    return (_t, _p, r) => `${r.key?.toString('utf8') ?? ''}${sep}${r.value?.toString('utf8') ?? ''}\n`;
  }
  return (_t, _p, r) => `${r.value?.toString('utf8') ?? ''}\n`;
}

/** Writes to stdout, waiting when the pipe is full; rejects with EPIPE when the reader went away. */
function write(s: string): Promise<void> | null {
  if (process.stdout.write(s)) return null;
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(e);
    process.stdout.once('error', onErr);
    process.stdout.once('drain', () => {
      process.stdout.off('error', onErr);
      resolve();
    });
  });
}

async function consume(client: KafkaClient, p: Parsed): Promise<number> {
  if (p.positionals.length !== 1) throw new UsageError('consume needs exactly one topic name');
  const topic = p.positionals[0]!;
  const start = parseStart(p);
  const limit = int(p, 'count', 0);
  const exitAtEnd = flag(p, 'exit');
  const partitionOpt = int(p, 'partition', 0);
  const group = str(p, 'group');
  const fmt = formatter(p);
  if (group !== undefined && partitionOpt !== undefined)
    throw new UsageError('use either --group or --partition, not both');

  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stdoutError: Error | null = null;
  const onStdoutError = (e: Error) => {
    stdoutError = e;
    stopping = true;
  };
  process.stdout.on('error', onStdoutError);

  let printed = 0;
  /** Prints what a fetch returned, up to the limit; returns, per partition, the offset after the last printed record. */
  const print = async (results: FetchPartitionResult[]): Promise<Map<string, bigint>> => {
    const upto = new Map<string, bigint>();
    for (const res of results) {
      for (const rec of res.records) {
        if (limit !== undefined && printed >= limit) {
          // Not printed: rewind this partition (and later ones) to their first unprinted record.
          upto.set(`${res.topic}\0${res.partition}`, rec.offset);
          for (const later of results.slice(results.indexOf(res) + 1)) {
            const first = later.records[0];
            if (first) upto.set(`${later.topic}\0${later.partition}`, first.offset);
          }
          return upto;
        }
        const w = write(fmt(res.topic, res.partition, rec));
        printed++;
        upto.set(`${res.topic}\0${res.partition}`, rec.offset + 1n);
        if (w) await w;
      }
      upto.set(`${res.topic}\0${res.partition}`, res.nextOffset);
    }
    return upto;
  };
  const done = () => stopping || (limit !== undefined && printed >= limit);

  const meta = await client.topic(topic);
  try {
    if (group === undefined) {
      const parts = meta.partitions
        .map((x) => x.partition)
        .filter((x) => partitionOpt === undefined || x === partitionOpt);
      if (parts.length === 0)
        throw new UsageError(`--partition ${partitionOpt}: topic ${topic} has ${meta.partitions.length} partitions`);
      const positions = await startPositions(client, topic, parts, start);
      const atEnd = new Set<number>();
      const conn = await client.newConnection();
      while (!done()) {
        if (limit === 0) break;
        const results = await client.fetch(
          parts.map((partition) => ({ topic, partition, offset: positions.get(partition)! })),
          { maxWaitMs: 500, conn },
        );
        for (const res of results) {
          if (res.errorCode === 1 /* OFFSET_OUT_OF_RANGE */) {
            const o = await client.listOffsets(
              topic,
              [res.partition],
              res.nextOffset < res.logStartOffset ? EARLIEST : LATEST,
            );
            positions.set(res.partition, o.get(res.partition) ?? 0n);
            res.records = [];
          } else if (res.errorCode !== 0) {
            throw new KafkaError(res.errorCode, `fetch ${topic}/${res.partition}`);
          }
        }
        await print(results);
        for (const res of results) {
          if (res.errorCode !== 0) continue;
          positions.set(res.partition, res.nextOffset);
          if (res.nextOffset >= res.highWatermark) atEnd.add(res.partition);
          else atEnd.delete(res.partition);
        }
        if (exitAtEnd && atEnd.size === parts.length) break;
      }
    } else {
      const reset: 'earliest' | 'latest' = start.kind === 'end' ? 'latest' : 'earliest';
      if (start.kind !== 'beginning' && start.kind !== 'end') {
        throw new UsageError(
          'in a group, --offset takes only beginning or end (for partitions without a committed offset)',
        );
      }
      const consumer = new GroupConsumer(client, {
        groupId: group,
        topics: [topic],
        reset,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
      });
      try {
        await consumer.join();
        while (!done()) {
          if (limit === 0) break;
          const results = await consumer.poll(500);
          const upto = await print(results);
          // Commit exactly what was printed (a partial fetch under -n rewinds the rest).
          for (const [k, off] of upto) {
            const [t, part] = k.split('\0');
            consumer.seek(t!, Number(part), off);
          }
          if (upto.size > 0) await consumer.commit();
          if (
            exitAtEnd &&
            results.length === consumer.assignment.length &&
            results.every(
              (x) => x.errorCode === 0 && consumer.positions.get(`${x.topic}\0${x.partition}`)! >= x.highWatermark,
            )
          ) {
            break;
          }
        }
        await consumer.commit().catch(() => {});
      } finally {
        await consumer.close();
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stdoutError && (stdoutError as NodeJS.ErrnoException).code === 'EPIPE') return 0;
  return 0;
}

async function startPositions(
  client: KafkaClient,
  topic: string,
  parts: number[],
  start: Start,
): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  switch (start.kind) {
    case 'beginning':
      return client.listOffsets(topic, parts, EARLIEST);
    case 'end':
      return client.listOffsets(topic, parts, LATEST);
    case 'offset': {
      const [lo, hi] = await Promise.all([
        client.listOffsets(topic, parts, EARLIEST),
        client.listOffsets(topic, parts, LATEST),
      ]);
      for (const x of parts) {
        const o = start.offset;
        out.set(x, clamp(o, lo.get(x)!, hi.get(x)!));
      }
      return out;
    }
    case 'relative': {
      const [lo, hi] = await Promise.all([
        client.listOffsets(topic, parts, EARLIEST),
        client.listOffsets(topic, parts, LATEST),
      ]);
      for (const x of parts) {
        out.set(x, clamp(hi.get(x)! - start.back, lo.get(x)!, hi.get(x)!));
      }
      return out;
    }
    case 'time': {
      const [at, hi] = await Promise.all([
        client.listOffsets(topic, parts, start.ts),
        client.listOffsets(topic, parts, LATEST),
      ]);
      for (const x of parts) {
        const o = at.get(x) ?? -1n;
        out.set(x, o < 0n ? hi.get(x)! : o);
      }
      return out;
    }
  }
}

function clamp(v: bigint, lo: bigint, hi: bigint): bigint {
  if (v < lo) return lo;
  return v > hi ? hi : v;
}
