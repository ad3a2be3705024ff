// `brook group list|describe|reset-offsets|delete`.

import { ErrorCode } from '@brook/protocol';
import {
  COMMON_HELP,
  flag,
  list,
  out,
  type Parsed,
  parseTime,
  prepare,
  str,
  table,
  UsageError,
  withClient,
} from '../args.js';
import { decodeAssignment, EARLIEST, type KafkaClient, KafkaError, LATEST } from '../client/index.js';

export const GROUP_USAGE = `Usage: brook group <list|describe|reset-offsets|delete> [options]

  brook group list
  brook group describe GROUP [--json]
  brook group reset-offsets GROUP (--topic T... | --all-topics) TARGET [--dry-run]
  brook group delete GROUP

Reset targets (exactly one):
      --to-earliest        the first offset still in the log
      --to-latest          the end of the log (skip everything)
      --to-offset N        offset N (clamped to the log's range)
      --to-datetime TIME   the first record at or after TIME (ISO date or ms since epoch)

Options:
  -t, --topic TOPIC[:P,P]  reset this topic (optionally only these partitions; repeatable)
      --all-topics         reset every topic the group has committed offsets for
      --dry-run            print the new offsets without committing them
      --json               describe: print JSON
${COMMON_HELP}

The group must have no active members to reset its offsets.
`;

const OPTIONS = {
  topic: { type: 'string', short: 't', multiple: true },
  'all-topics': { type: 'boolean' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'to-datetime': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function groupCommand(argv: readonly string[]): Promise<number> {
  const r = prepare(argv, OPTIONS, GROUP_USAGE);
  if ('exit' in r) return r.exit;
  const p = r.parsed;
  const [sub, ...names] = p.positionals;
  if (sub === undefined) {
    process.stderr.write(GROUP_USAGE);
    return 2;
  }
  const one = (): string => {
    if (names.length !== 1) throw new UsageError(`group ${sub} needs exactly one group id`);
    return names[0]!;
  };
  return withClient(p, async (client) => {
    switch (sub) {
      case 'list': {
        const groups = await client.listGroups();
        if (groups.length === 0) return 0;
        const rows: string[][] = [['GROUP', 'STATE', 'PROTOCOL-TYPE']];
        for (const g of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
          rows.push([g.groupId, g.state || '-', g.protocolType || '-']);
        }
        out(table(rows));
        return 0;
      }
      case 'describe':
        return describe(client, p, one());
      case 'reset-offsets':
        return reset(client, p, one());
      case 'delete': {
        const g = one();
        await client.deleteGroup(g);
        out(`deleted group ${g}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown group command "${sub}"`);
    }
  });
}

interface LagRow {
  topic: string;
  partition: number;
  currentOffset: bigint;
  logEndOffset: bigint;
  lag: bigint;
  memberId: string;
  clientId: string;
  host: string;
}

async function describe(client: KafkaClient, p: Parsed, groupId: string): Promise<number> {
  const [g, committed] = await Promise.all([client.describeGroup(groupId), client.fetchOffsets(groupId, null)]);
  if (g.groupState === 'Dead' && committed.size === 0) {
    throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `group "${groupId}"`);
  }
  const owner = new Map<string, { memberId: string; clientId: string; host: string }>();
  for (const m of g.members) {
    if (g.protocolType !== 'consumer') break;
    for (const a of safeAssignment(m.memberAssignment)) {
      owner.set(`${a.topic}\0${a.partition}`, { memberId: m.memberId, clientId: m.clientId, host: m.clientHost });
    }
  }
  const keys = new Map<string, Set<number>>();
  for (const [t, parts] of committed) for (const part of parts.keys()) addKey(keys, t, part);
  for (const k of owner.keys()) {
    const [t, part] = k.split('\0');
    addKey(keys, t!, Number(part));
  }
  const rows: LagRow[] = [];
  for (const [topic, parts] of [...keys].sort((a, b) => a[0].localeCompare(b[0]))) {
    const list = [...parts].sort((a, b) => a - b);
    const ends = await client.listOffsets(topic, list, LATEST).catch(() => new Map<number, bigint>());
    for (const part of list) {
      const cur = committed.get(topic)?.get(part) ?? -1n;
      const end = ends.get(part) ?? -1n;
      const o = owner.get(`${topic}\0${part}`);
      rows.push({
        topic,
        partition: part,
        currentOffset: cur,
        logEndOffset: end,
        lag: cur >= 0n && end >= 0n ? (end > cur ? end - cur : 0n) : end >= 0n ? end : 0n,
        memberId: o?.memberId ?? '-',
        clientId: o?.clientId ?? '-',
        host: o?.host ?? '-',
      });
    }
  }
  if (flag(p, 'json')) {
    out(
      `${JSON.stringify(
        {
          groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost })),
          offsets: rows.map((r) => ({
            ...r,
            currentOffset: r.currentOffset >= 0n ? Number(r.currentOffset) : null,
            logEndOffset: Number(r.logEndOffset),
            lag: Number(r.lag),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  let s = `Group: ${groupId}  State: ${g.groupState}  Protocol: ${g.protocolType || '-'}/${g.protocolData || '-'}  Members: ${g.members.length}\n\n`;
  if (rows.length === 0) s += 'No committed offsets.\n';
  else {
    const t: (string | number | bigint)[][] = [
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    ];
    for (const r of rows) {
      t.push([
        r.topic,
        r.partition,
        r.currentOffset >= 0n ? r.currentOffset : '-',
        r.logEndOffset,
        r.lag,
        r.memberId,
        r.host,
        r.clientId,
      ]);
    }
    s += table(t);
  }
  out(s);
  return 0;
}

function addKey(m: Map<string, Set<number>>, topic: string, partition: number): void {
  let s = m.get(topic);
  if (!s) {
    s = new Set();
    m.set(topic, s);
  }
  s.add(partition);
}

function safeAssignment(b: Buffer) {
  try {
    return decodeAssignment(b);
  } catch {
    return [];
  }
}

async function reset(client: KafkaClient, p: Parsed, groupId: string): Promise<number> {
  const targets = ['to-earliest', 'to-latest', 'to-offset', 'to-datetime'].filter((k) => p.values[k] !== undefined);
  if (targets.length !== 1)
    throw new UsageError(
      'reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime TIME',
    );
  const target = targets[0]!;
  const topicSpecs = list(p, 'topic');
  if (topicSpecs.length === 0 && !flag(p, 'all-topics'))
    throw new UsageError('reset-offsets needs --topic TOPIC or --all-topics');

  const g = await client.describeGroup(groupId);
  if (g.members.length > 0) {
    throw new UsageError(
      `group ${groupId} has ${g.members.length} active member${g.members.length === 1 ? '' : 's'} (state ${g.groupState}); stop its consumers before resetting offsets`,
    );
  }

  // topic → partitions (null = all partitions of the topic)
  const wanted = new Map<string, number[] | null>();
  for (const spec of topicSpecs) {
    const i = spec.indexOf(':');
    if (i < 0) wanted.set(spec, null);
    else {
      const parts = spec
        .slice(i + 1)
        .split(',')
        .map((x) => {
          if (!/^\d+$/.test(x)) throw new UsageError(`--topic ${spec}: bad partition "${x}"`);
          return Number(x);
        });
      wanted.set(spec.slice(0, i), parts);
    }
  }
  if (flag(p, 'all-topics')) {
    for (const t of (await client.fetchOffsets(groupId, null)).keys()) if (!wanted.has(t)) wanted.set(t, null);
    if (wanted.size === 0)
      throw new UsageError(`group ${groupId} has no committed offsets; name the topics with --topic`);
  }

  const plan: { topic: string; partition: number; offset: bigint }[] = [];
  for (const [topic, only] of wanted) {
    const meta = await client.topic(topic);
    const parts = only ?? meta.partitions.map((x) => x.partition);
    for (const x of parts) {
      if (!meta.partitions.some((m) => m.partition === x)) throw new UsageError(`topic ${topic} has no partition ${x}`);
    }
    const [lo, hi] = await Promise.all([
      client.listOffsets(topic, parts, EARLIEST),
      client.listOffsets(topic, parts, LATEST),
    ]);
    let at: Map<number, bigint> | null = null;
    if (target === 'to-datetime')
      at = await client.listOffsets(topic, parts, parseTime(str(p, 'to-datetime')!, '--to-datetime'));
    const to = target === 'to-offset' ? str(p, 'to-offset')! : '';
    if (target === 'to-offset' && !/^\d+$/.test(to))
      throw new UsageError(`--to-offset: expected a non-negative integer, got "${to}"`);
    for (const x of parts) {
      const l = lo.get(x) ?? 0n;
      const h = hi.get(x) ?? 0n;
      let o: bigint;
      if (target === 'to-earliest') o = l;
      else if (target === 'to-latest') o = h;
      else if (target === 'to-offset') o = BigInt(to);
      else o = (at!.get(x) ?? -1n) < 0n ? h : at!.get(x)!;
      if (o < l) o = l;
      if (o > h) o = h;
      plan.push({ topic, partition: x, offset: o });
    }
  }
  const dry = flag(p, 'dry-run');
  if (!dry) await client.commitOffsets(groupId, plan);
  const rows: (string | number | bigint)[][] = [['TOPIC', 'PARTITION', 'NEW-OFFSET']];
  for (const e of plan) rows.push([e.topic, e.partition, e.offset]);
  out(table(rows));
  if (dry) out('(dry run: nothing committed)\n');
  return 0;
}
