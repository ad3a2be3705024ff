// Shared argument parsing and error reporting for the client subcommands (topic, produce, consume,
// group, cluster). node:util parseArgs does the parsing; this adds the common options, --help, and
// one-line errors that say what to do.
import { parseArgs } from 'node:util';
import { ConnectionError, KafkaClient, KafkaError, RequestTimeoutError } from './client/index.js';

export class UsageError extends Error {}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean };
export type OptionSpecs = Record<string, OptionSpec>;

export const COMMON_OPTIONS = {
  brokers: { type: 'string', short: 'b' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const COMMON_HELP = `  -b, --brokers LIST   bootstrap brokers, comma-separated (default localhost:9092, or $BROOK_BROKERS)
  -h, --help           show this help`;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv with the command's options plus the common ones; throws UsageError. */
export function parse(argv: readonly string[], options: OptionSpecs): Parsed {
  // "-o -2" / "--offset -2": a negative number is the option's value, not an option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const spec = a.startsWith('--')
      ? options[a.slice(2)]
      : Object.entries(options).find(([, o]) => a === `-${o.short}`)?.[1];
    if (spec?.type === 'string' && next !== undefined && /^-\d+$/.test(next)) {
      const long = a.startsWith('--') ? a : `--${Object.entries(options).find(([, o]) => o === spec)![0]}`;
      args.push(`${long}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    const r = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    // node's messages are long and mention internals; keep the first sentence.
    const msg = (e as Error).message.split('. ')[0]!.replace(/^Unknown option '(.*)'$/, 'unknown option "$1"');
    throw new UsageError(msg);
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}
export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}
export function int(p: Parsed, name: string, min = 0): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`--${name}: expected an integer >= ${min}, got "${v}"`);
  return Number(v);
}
export function bigintOpt(p: Parsed, name: string): bigint | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name}: expected an integer, got "${v}"`);
  return BigInt(v);
}

/** key=value pairs (repeatable option) into a record. */
export function keyValues(p: Parsed, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list(p, name)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--${name} expects key=value, got "${kv}"`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function brokers(p: Parsed): string[] {
  const v = str(p, 'brokers') ?? process.env.BROOK_BROKERS ?? 'localhost:9092';
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function connectClient(p: Parsed): Promise<KafkaClient> {
  return KafkaClient.connect({ brokers: brokers(p), clientId: 'brook-cli', connectTimeoutMs: 5000 });
}

/** Parses a date/time for --to-datetime / --timestamp: ms since epoch or an ISO-8601 string. */
export function parseTime(s: string, what: string): bigint {
  if (/^\d+$/.test(s)) return BigInt(s);
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new UsageError(`${what}: expected milliseconds since the epoch or an ISO date, got "${s}"`);
  return BigInt(t);
}

const KAFKA_HINTS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'check the name with: brook topic list',
  TOPIC_ALREADY_EXISTS: 'pick another name, or delete it first with: brook topic delete NAME',
  INVALID_TOPIC_EXCEPTION: 'topic names use letters, digits, ".", "_" and "-", up to 249 characters',
  INVALID_PARTITIONS: 'the partition count must be at least 1',
  INVALID_CONFIG: 'see the valid keys with: brook topic describe NAME',
  GROUP_ID_NOT_FOUND: 'check the name with: brook group list',
  NON_EMPTY_GROUP: "stop the group's consumers first (the group must be empty)",
  UNKNOWN_MEMBER_ID: 'the group is in use by active consumers; stop them first',
  ILLEGAL_GENERATION: 'the group is in use by active consumers; stop them first',
  REBALANCE_IN_PROGRESS: 'the group is in use by active consumers; stop them first',
  RECORD_LIST_TOO_LARGE: 'send smaller records, or raise max.message.bytes on the topic',
  MESSAGE_TOO_LARGE: 'send smaller records, or raise max.message.bytes on the topic',
  POLICY_VIOLATION: 'the broker refused the change',
};

/** Turns any error into one line ("brook: ... — what to do") and an exit code. */
export function reportError(e: unknown, brokerList: string): number {
  const line = describeError(e, brokerList);
  process.stderr.write(`brook: ${line}\n`);
  if (process.env.BROOK_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return e instanceof UsageError ? 2 : 1;
}

export function describeError(e: unknown, brokerList: string): string {
  if (e instanceof UsageError) return `${e.message} (see --help)`;
  if (e instanceof ConnectionError) {
    if (e.reason === 'closed') return `${e.message} — is the broker still running?`;
    return `${e.message.replace(/^cannot reach \S+/, `cannot reach ${brokerList}`)} — is the broker running? start one with: npx brook start`;
  }
  if (e instanceof RequestTimeoutError) return `${e.message} — is the broker overloaded or stuck?`;
  if (e instanceof KafkaError) {
    const hint = KAFKA_HINTS[e.errorName];
    return hint ? `${e.message} — ${hint}` : e.message;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' && err.path) return `no such file: ${err.path}`;
  if (err?.code === 'EPIPE') return 'output closed';
  return err instanceof Error ? err.message : String(e);
}

/** Runs a subcommand body with a connected client; maps every failure to a one-line error. */
export async function withClient(p: Parsed, fn: (client: KafkaClient) => Promise<number | undefined>): Promise<number> {
  let client: KafkaClient | null = null;
  try {
    client = await connectClient(p);
    const code = await fn(client);
    return code ?? 0;
  } catch (e) {
    // The reader of our output went away (`brook consume T | head`): stop quietly, as cat does.
    if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
    return reportError(e, brokers(p).join(','));
  } finally {
    await client?.close().catch(() => {});
  }
}

/** Formats rows as aligned columns (first row = header). */
export function table(rows: readonly (readonly (string | number | bigint)[])[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths: number[] = [];
  for (const r of cells) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return `${cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Common preamble: parse, print help, or report a usage error. Returns null when the command should stop. */
export function prepare(
  argv: readonly string[],
  options: OptionSpecs,
  usage: string,
): { parsed: Parsed } | { exit: number } {
  let parsed: Parsed;
  try {
    parsed = parse(argv, options);
  } catch (e) {
    return { exit: reportError(e, '') };
  }
  if (flag(parsed, 'help')) {
    process.stdout.write(usage);
    return { exit: 0 };
  }
  return { parsed };
}

export function out(s: string): void {
  process.stdout.write(s);
}
