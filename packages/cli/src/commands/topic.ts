// `brook topic create|list|describe|delete|alter-config`.
import {
  COMMON_HELP,
  flag,
  int,
  keyValues,
  list,
  out,
  type Parsed,
  prepare,
  table,
  UsageError,
  withClient,
} from '../args.js';
import { AlterConfigOp, ConfigResourceType, EARLIEST, type KafkaClient, LATEST } from '../client/index.js';

export const TOPIC_USAGE = `Usage: brook topic <create|list|describe|delete|alter-config> [options]

  brook topic create NAME [-p PARTITIONS] [-r REPLICATION] [-c key=value]...
  brook topic list [--internal]
  brook topic describe NAME [--all-configs] [--json]
  brook topic delete NAME
  brook topic alter-config NAME [--set key=value]... [--delete key]...

Options:
  -p, --partitions N          partitions of a new topic (default: the broker's num.partitions)
  -r, --replication-factor N  replication factor of a new topic (default: the broker's)
  -c, --config key=value      topic config of a new topic (repeatable), e.g. -c cleanup.policy=compact
      --internal              list internal topics (__consumer_offsets) too
      --all-configs           describe: show every config, not only the topic's overrides
      --json                  describe: print JSON
      --set key=value         alter-config: set a topic config (repeatable)
      --delete key            alter-config: remove a topic override (repeatable)
${COMMON_HELP}
`;

const OPTIONS = {
  partitions: { type: 'string', short: 'p' },
  'replication-factor': { type: 'string', short: 'r' },
  config: { type: 'string', short: 'c', multiple: true },
  internal: { type: 'boolean' },
  'all-configs': { type: 'boolean' },
  json: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  delete: { type: 'string', multiple: true },
} as const;

export async function topicCommand(argv: readonly string[]): Promise<number> {
  const r = prepare(argv, OPTIONS, TOPIC_USAGE);
  if ('exit' in r) return r.exit;
  const p = r.parsed;
  const [sub, ...names] = p.positionals;
  const one = (): string => {
    if (names.length !== 1) throw new UsageError(`topic ${sub} needs exactly one topic name`);
    return names[0]!;
  };
  if (sub === undefined) {
    process.stderr.write(TOPIC_USAGE);
    return 2;
  }
  return withClient(p, async (client) => {
    switch (sub) {
      case 'create':
        return create(client, p, one());
      case 'list':
        return listTopics(client, p);
      case 'describe':
        return describe(client, p, one());
      case 'delete': {
        const name = one();
        await client.deleteTopic(name);
        out(`deleted topic ${name}\n`);
        return 0;
      }
      case 'alter-config':
        return alterConfig(client, p, one());
      default:
        throw new UsageError(`unknown topic command "${sub}"`);
    }
  });
}

async function create(client: KafkaClient, p: Parsed, name: string): Promise<number> {
  const partitions = int(p, 'partitions', 1);
  const rf = int(p, 'replication-factor', 1);
  await client.createTopic(name, { partitions, replicationFactor: rf, configs: keyValues(p, 'config') });
  const t = await client.topic(name).catch(() => null);
  out(
    `created topic ${name}${t ? ` with ${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}` : ''}\n`,
  );
  return 0;
}

async function listTopics(client: KafkaClient, p: Parsed): Promise<number> {
  const md = await client.metadata(null);
  const names = md.topics
    .filter((t) => flag(p, 'internal') || !t.isInternal)
    .map((t) => t.name)
    .sort();
  out(names.map((n) => `${n}\n`).join(''));
  return 0;
}

async function describe(client: KafkaClient, p: Parsed, name: string): Promise<number> {
  const t = await client.topic(name);
  const parts = t.partitions.map((x) => x.partition);
  const [start, end, configs] = await Promise.all([
    client.listOffsets(name, parts, EARLIEST),
    client.listOffsets(name, parts, LATEST),
    client.describeConfigs(ConfigResourceType.Topic, name),
  ]);
  const shown = flag(p, 'all-configs') ? configs : configs.filter((c) => !c.isDefault && c.source === 1);
  if (flag(p, 'json')) {
    const json = {
      name,
      topicId: t.topicId,
      internal: t.isInternal,
      partitions: t.partitions.map((x) => ({
        partition: x.partition,
        leader: x.leader,
        replicas: x.replicas,
        isr: x.isr,
        startOffset: String(start.get(x.partition) ?? -1n),
        endOffset: String(end.get(x.partition) ?? -1n),
      })),
      configs: Object.fromEntries(shown.map((c) => [c.name, c.isSensitive ? null : c.value])),
    };
    out(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  let s = `Topic: ${name}  Id: ${t.topicId}  Partitions: ${t.partitions.length}${t.isInternal ? '  (internal)' : ''}\n\n`;
  const rows: (string | number | bigint)[][] = [
    ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'START-OFFSET', 'END-OFFSET', 'RECORDS'],
  ];
  for (const x of t.partitions) {
    const a = start.get(x.partition) ?? -1n;
    const b = end.get(x.partition) ?? -1n;
    rows.push([x.partition, x.leader, x.replicas.join(','), x.isr.join(','), a, b, b >= a && a >= 0n ? b - a : '-']);
  }
  s += table(rows);
  s += `\n${flag(p, 'all-configs') ? 'Configs' : 'Configs (overrides)'}:${shown.length === 0 ? ' none' : ''}\n`;
  for (const c of [...shown].sort((x, y) => x.name.localeCompare(y.name))) {
    s += `  ${c.name}=${c.isSensitive ? '(sensitive)' : (c.value ?? '')}\n`;
  }
  out(s);
  return 0;
}

async function alterConfig(client: KafkaClient, p: Parsed, name: string): Promise<number> {
  const sets = keyValues(p, 'set');
  const deletes = list(p, 'delete');
  if (Object.keys(sets).length === 0 && deletes.length === 0) {
    throw new UsageError('alter-config needs --set key=value or --delete key');
  }
  const ops = [
    ...Object.entries(sets).map(([k, v]) => ({ name: k, op: AlterConfigOp.Set, value: v })),
    ...deletes.map((k) => ({ name: k, op: AlterConfigOp.Delete, value: null })),
  ];
  await client.alterConfigs(ConfigResourceType.Topic, name, ops);
  out(`updated ${ops.length} config${ops.length === 1 ? '' : 's'} of topic ${name}\n`);
  return 0;
}
