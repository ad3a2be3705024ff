// `brook cluster info`: cluster id, controller, brokers, topic/partition counts, API versions.
import { COMMON_HELP, flag, out, prepare, table, UsageError, withClient } from '../args.js';
import { apiName } from '../client/index.js';

export const CLUSTER_USAGE = `Usage: brook cluster info [options]

Shows the cluster id, the controller, the brokers and how many topics and partitions exist.

Options:
      --api-versions       also list the API versions the broker supports
      --json               print JSON
${COMMON_HELP}
`;

const OPTIONS = {
  'api-versions': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function clusterCommand(argv: readonly string[]): Promise<number> {
  const r = prepare(argv, OPTIONS, CLUSTER_USAGE);
  if ('exit' in r) return r.exit;
  const p = r.parsed;
  const [sub, ...rest] = p.positionals;
  if (sub === undefined) {
    process.stderr.write(CLUSTER_USAGE);
    return 2;
  }
  return withClient(p, async (client) => {
    if (sub !== 'info') throw new UsageError(`unknown cluster command "${sub}"`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const [cluster, md] = await Promise.all([client.describeCluster(), client.metadata(null)]);
    const topics = md.topics.filter((t) => !t.isInternal);
    const partitions = topics.reduce((n, t) => n + t.partitions.length, 0);
    const apis = client.apiVersionRanges();
    if (flag(p, 'json')) {
      const json: Record<string, unknown> = {
        clusterId: cluster.clusterId,
        controllerId: cluster.controllerId,
        brokers: cluster.brokers,
        topics: topics.length,
        partitions,
      };
      if (flag(p, 'api-versions')) json.apiVersions = apis.map((a) => ({ api: apiName(a.apiKey), ...a }));
      out(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    let s = `Cluster ID:  ${cluster.clusterId}\nController:  ${cluster.controllerId}\nTopics:      ${topics.length} (${partitions} partitions)\n\n`;
    const rows: (string | number)[][] = [['BROKER', 'HOST', 'PORT', 'RACK']];
    for (const b of [...cluster.brokers].sort((a, b) => a.nodeId - b.nodeId)) {
      rows.push([
        `${b.nodeId}${b.nodeId === cluster.controllerId ? ' (controller)' : ''}`,
        b.host,
        b.port,
        b.rack ?? '-',
      ]);
    }
    s += table(rows);
    if (flag(p, 'api-versions')) {
      const v: (string | number)[][] = [['API', 'KEY', 'MIN', 'MAX']];
      for (const a of apis) v.push([apiName(a.apiKey), a.apiKey, a.minVersion, a.maxVersion]);
      s += `\n${table(v)}`;
    }
    out(s);
    return 0;
  });
}
