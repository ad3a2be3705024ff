// `npm run bench`: Brook side by side with librdkafka's mock cluster and raw disk/TCP ceilings.
// See scripts/bench/README.md for what each case and figure means.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildNative, type NativeBuild } from './build.js';
import {
  Child,
  cpuSeconds,
  fmtBytes,
  fmtNum,
  fmtRatio,
  formatTable,
  median,
  pairedRatio,
  peakRss,
  type Row,
  runJson,
} from './harness.js';
import { rawAppend, rawMemoryKeep, startTcpSink, tcpSend } from './raw-references.js';
import { brookUnavailable, REPO_ROOT, type Subject, type SubjectName, startBrook, startMock } from './subjects.js';

const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

interface Options {
  quick: boolean;
  only: string[] | null;
  pairs: number;
  seconds: number;
  warmupSeconds: number;
  rate: number;
  json: string | null;
  memArgs: string[];
  dataRoot: string;
  list: boolean;
  extended: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: null,
    pairs: 5,
    seconds: 3,
    warmupSeconds: 1,
    rate: 20_000,
    json: null,
    memArgs: [],
    dataRoot: tmpdir(),
    list: false,
    extended: false,
  };
  let pairsSet = false;
  let secondsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--pairs') {
      o.pairs = Number(next());
      pairsSet = true;
    } else if (a === '--seconds') {
      o.seconds = Number(next());
      secondsSet = true;
    } else if (a === '--warmup') o.warmupSeconds = Number(next());
    else if (a === '--rate') o.rate = Number(next());
    else if (a === '--json') o.json = next();
    else if (a === '--brook-mem-args') o.memArgs = next().split(' ').filter(Boolean);
    else if (a === '--data-root') o.dataRoot = next();
    else if (a === '--list') o.list = true;
    else if (a === '--extended') o.extended = true;
    else throw new Error(`unknown option ${a} (see scripts/bench/README.md)`);
  }
  if (o.quick) {
    if (!pairsSet) o.pairs = 2;
    if (!secondsSet) o.seconds = 1;
    o.warmupSeconds = Math.min(o.warmupSeconds, 0.5);
  }
  if (!(o.pairs >= 1) || !(o.seconds > 0)) throw new Error('--pairs must be >= 1 and --seconds > 0');
  return o;
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

type BrookName = Exclude<SubjectName, 'mock'>;
type RefName = 'tcp-sink' | 'append' | 'append-kept' | 'mem-kept' | 'append-fdatasync';
type Kind = 'produce' | 'consume' | 'both' | 'latency';

interface CaseDef {
  id: string;
  kind: Kind;
  size: number;
  partitions: number;
  acks: '1' | '-1';
  brooks: BrookName[];
  refs: RefName[];
  /** Load generator: librdkafka tools (default) or the raw pipelined client on @brook/protocol. */
  client?: 'raw' | undefined;
  /** Not in the default run (time budget); run with --extended or name it in --only. */
  extended?: boolean;
}

const DISK_MEM: BrookName[] = ['brook-disk', 'brook-mem'];
const kase = (
  id: string,
  kind: Kind,
  size: number,
  partitions: number,
  acks: '1' | '-1',
  brooks: BrookName[],
  refs: RefName[] = [],
  client?: 'raw',
): CaseDef => ({ id, kind, size, partitions, acks, brooks, refs, client });

const CASES: CaseDef[] = [
  kase('produce-100B-p1-acks1', 'produce', 100, 1, '1', DISK_MEM),
  kase(
    'produce-1KiB-p1-acks1',
    'produce',
    1024,
    1,
    '1',
    [...DISK_MEM, 'brook-mem-window'],
    ['append-kept', 'mem-kept', 'tcp-sink', 'append'],
  ),
  kase('produce-1KiB-p8-acks1', 'produce', 1024, 8, '1', DISK_MEM),
  { ...kase('produce-100B-p8-acks1', 'produce', 100, 8, '1', ['brook-disk']), extended: true },
  kase('raw-produce-100B-p1-acks1', 'produce', 100, 1, '1', DISK_MEM, [], 'raw'),
  kase('raw-produce-1KiB-p1-acks1', 'produce', 1024, 1, '1', DISK_MEM, [], 'raw'),
  kase('produce-1KiB-p1-acksall', 'produce', 1024, 1, '-1', ['brook-disk', 'brook-fsync'], ['append-fdatasync']),
  kase('consume-1KiB-p1', 'consume', 1024, 1, '1', DISK_MEM),
  { ...kase('consume-100B-p8', 'consume', 100, 8, '1', ['brook-disk']), extended: true },
  kase('raw-fetch-1KiB-p1', 'consume', 1024, 1, '1', DISK_MEM, [], 'raw'),
  kase('both-1KiB-p1', 'both', 1024, 1, '1', DISK_MEM),
  kase('latency-1KiB-p1', 'latency', 1024, 1, '1', DISK_MEM),
];

const RAW_CLIENT = join(HERE, 'raw-client.ts');
const RAW_CONNECTIONS = 4;
const RAW_INFLIGHT = 8;
/** Preloaded bytes per partition for consume cases: the mock keeps only ~5 MB per partition. */
const PRELOAD_BYTES_PER_PARTITION = 4_000_000;
/** fetch.wait.max.ms for the latency case (the mock cannot cut an empty fetch's wait short). */
const LATENCY_FETCH_WAIT_MS = 1;

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

interface Throughput {
  records: number;
  bytes: number;
  seconds: number;
}
interface Lat {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}
interface RunResult {
  /** 'produce' and/or 'consume' throughput. */
  series: Record<string, Throughput>;
  /** 'ack' (produce to delivery report) and 'e2e' (send to receive) latencies in microseconds. */
  lat: Record<string, Lat>;
  /** CPU seconds of the broker (or reference) process during the run. */
  cpu: number | null;
  /** Average produce batch size seen by the producer (librdkafka statistics), bytes. */
  batch: number;
  /** Busiest load-generator process: CPU seconds per second of its run (1 = one core saturated). */
  client?: number;
}
type SubjectKey = SubjectName | RefName;

interface CaseResult {
  def: CaseDef;
  runs: Map<SubjectKey, RunResult[]>;
  rss: Map<SubjectKey, number | null>;
  skipped: string[];
  seconds: number;
}

function throughputOf(j: Record<string, unknown>): Throughput {
  return { records: Number(j.records), bytes: Number(j.bytes), seconds: Number(j.seconds) };
}

// ---------------------------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------------------------

type Bins = Extract<NativeBuild, { ok: true }>['bin'];

class CaseRunner {
  private readonly runs = new Map<SubjectKey, RunResult[]>();
  private readonly skipped: string[] = [];
  private sink: { child: Child; port: number } | null = null;

  constructor(
    private readonly def: CaseDef,
    private readonly bin: Bins,
    private readonly opts: Options,
    private readonly brookSkip: string | null,
  ) {}

  async run(): Promise<CaseResult> {
    const t0 = performance.now();
    const subjects: Subject[] = [];
    const rss = new Map<SubjectKey, number | null>();
    try {
      for (const b of this.def.brooks) {
        if (this.brookSkip) {
          this.skip(`${b}: ${this.brookSkip}`);
          continue;
        }
        try {
          subjects.push(
            await startBrook(b, { memArgs: this.opts.memArgs, dataRoot: this.opts.dataRoot }, this.bin['rk-producer']),
          );
        } catch (err) {
          this.skip(`${b}: ${(err as Error).message}`);
        }
      }
      subjects.push(await startMock(this.bin));
      if (this.def.refs.includes('tcp-sink')) this.sink = await startTcpSink();

      const preloaded = new Map<Subject, string>();
      if (this.def.kind === 'consume') {
        for (const s of [...subjects]) {
          try {
            preloaded.set(s, await this.preload(s));
          } catch (err) {
            this.skip(`${s.name}: preload failed: ${(err as Error).message}`);
            subjects.splice(subjects.indexOf(s), 1);
            await s.stop().catch(() => undefined);
          }
        }
      }

      // Round 0 is the unmeasured warm-up; then A B A B ... for `pairs` rounds.
      for (let round = 0; round <= this.opts.pairs; round++) {
        const seconds = round === 0 ? this.opts.warmupSeconds : this.opts.seconds;
        const batches = new Map<SubjectKey, number>();
        for (const s of subjects) {
          try {
            const r = await this.runBroker(s, round, seconds, preloaded.get(s));
            if (r.batch > 0) batches.set(s.name, r.batch);
            if (round > 0) this.record(s.name, r);
          } catch (err) {
            this.skip(`${s.name} round ${round}: ${(err as Error).message}`);
            if (round > 0) this.record(s.name, null);
          }
        }
        // References move the same bytes in the same chunk sizes as this round's Brook run (the
        // fsync variant for the fdatasync reference), or the mock's when Brook is not running.
        for (const ref of round === 0 ? [] : this.def.refs) {
          const prefer: SubjectKey[] =
            ref === 'append-fdatasync' ? ['brook-fsync', 'brook-disk'] : ['brook-disk', 'brook-mem'];
          const chunk =
            [...prefer, 'mock' as const].map((k) => batches.get(k)).find((b) => b !== undefined) ?? 64 * 1024;
          this.record(ref, await this.runRef(ref, chunk, seconds));
        }
      }
      for (const s of subjects) rss.set(s.name, peakRss(s.pid));
      if (this.sink) rss.set('tcp-sink', peakRss(this.sink.child.pid));
    } finally {
      for (const s of subjects) await s.stop().catch(() => undefined);
      await this.sink?.child.stop();
    }
    return { def: this.def, runs: this.runs, rss, skipped: this.skipped, seconds: (performance.now() - t0) / 1000 };
  }

  private skip(msg: string) {
    this.skipped.push(msg.split('\n')[0]!.slice(0, 300));
  }

  private record(key: SubjectKey, r: RunResult | null) {
    let list = this.runs.get(key);
    if (!list) {
      list = [];
      this.runs.set(key, list);
    }
    list.push(r ?? { series: {}, lat: {}, cpu: null, batch: 0 });
  }

  private producerArgs(s: Subject, topic: string): string[] {
    const d = this.def;
    return [
      '--bootstrap',
      s.bootstrap,
      '--topic',
      topic,
      '--size',
      String(d.size),
      '--acks',
      d.acks,
      '--partitions',
      String(d.partitions),
    ];
  }

  private async preload(s: Subject): Promise<string> {
    const d = this.def;
    const topic = `${d.id}-preload`;
    await s.createTopic(topic, d.partitions);
    const count = Math.floor(PRELOAD_BYTES_PER_PARTITION / d.size) * d.partitions;
    const j = await runJson(
      `${s.name} preload`,
      this.bin['rk-producer'],
      [...this.producerArgs(s, topic), '--count', String(count)],
      120_000,
    );
    if (Number(j.records) !== count) throw new Error(`preloaded ${j.records}/${count} records`);
    return topic;
  }

  private async runBroker(s: Subject, round: number, seconds: number, preloaded?: string): Promise<RunResult> {
    const d = this.def;
    const timeout = seconds * 1000 + 90_000;
    const producer = this.bin['rk-producer'];
    const consumer = this.bin['rk-consumer'];
    if (d.client === 'raw') {
      // ~1 MB batches (librdkafka's batch.size), under the default message.max.bytes of 1048588.
      const batchRecords = Math.max(1, Math.min(10_000, Math.floor(1_000_000 / (d.size + 16))));
      const topic = d.kind === 'consume' ? preloaded! : `${d.id}-r${round}`;
      if (d.kind !== 'consume') await s.createTopic(topic, d.partitions);
      try {
        const args = [
          '--import',
          'tsx',
          RAW_CLIENT,
          d.kind === 'consume' ? 'fetch' : 'produce',
          ...['--bootstrap', s.bootstrap, '--topic', topic, '--size', String(d.size), '--acks', d.acks],
          ...[
            '--partitions',
            String(d.partitions),
            '--seconds',
            String(seconds),
            '--batch-records',
            String(batchRecords),
          ],
          ...['--connections', String(RAW_CONNECTIONS), '--inflight', String(RAW_INFLIGHT)],
        ];
        const cpu0 = cpuSeconds(s.pid);
        const j = await runJson(`${s.name} raw client`, process.execPath, args, timeout, REPO_ROOT);
        const cpu1 = cpuSeconds(s.pid);
        if (Number(j.errors) > 0) throw new Error(`${j.errors} errors (${j.firstError})`);
        const series = d.kind === 'consume' ? 'consume' : 'produce';
        return { series: { [series]: throughputOf(j) }, lat: {}, cpu: delta(cpu0, cpu1), batch: 0, client: load(j) };
      } finally {
        if (d.kind !== 'consume') await s.deleteTopic(topic);
      }
    }
    if (d.kind === 'consume') {
      const args = [
        '--bootstrap',
        s.bootstrap,
        '--topic',
        preloaded!,
        '--partitions',
        String(d.partitions),
        '--loop',
        '--seconds',
        String(seconds),
      ];
      const cpu0 = cpuSeconds(s.pid);
      const j = await runJson(`${s.name} consumer`, consumer, args, timeout);
      const cpu1 = cpuSeconds(s.pid);
      return { series: { consume: throughputOf(j) }, lat: {}, cpu: delta(cpu0, cpu1), batch: 0, client: load(j) };
    }
    const topic = `${d.id}-r${round}`;
    await s.createTopic(topic, d.partitions);
    try {
      if (d.kind === 'produce') {
        const cpu0 = cpuSeconds(s.pid);
        const j = await runJson(
          `${s.name} producer`,
          producer,
          [...this.producerArgs(s, topic), '--seconds', String(seconds)],
          timeout,
        );
        const cpu1 = cpuSeconds(s.pid);
        if (Number(j.errors) > 0) throw new Error(`${j.errors} delivery errors`);
        return {
          series: { produce: throughputOf(j) },
          lat: {},
          cpu: delta(cpu0, cpu1),
          batch: Number(j.avgBatchBytes) || 0,
          client: load(j),
        };
      }
      // both / latency: a consumer follows the topic from its end while the producer runs.
      const latency = d.kind === 'latency';
      const cArgs = [
        '--bootstrap',
        s.bootstrap,
        '--topic',
        topic,
        '--partitions',
        String(d.partitions),
        '--start',
        'end',
        '--seconds',
        String(seconds),
      ];
      if (latency) cArgs.push('--e2e', '--fetch-wait-ms', String(LATENCY_FETCH_WAIT_MS));
      const c = new Child(`${s.name} consumer`, consumer, cArgs);
      try {
        await c.waitFor(/^ready$/m, 30_000, 'stderr');
        const pArgs = [...this.producerArgs(s, topic), '--seconds', String(seconds)];
        if (latency) pArgs.push('--rate', String(this.opts.rate), '--linger', '0', '--embed-ts');
        const cpu0 = cpuSeconds(s.pid);
        const p = await runJson(`${s.name} producer`, producer, pArgs, timeout);
        const killer = setTimeout(() => c.proc.kill('SIGTERM'), seconds * 1000 + 5000);
        await c.exited;
        clearTimeout(killer);
        const cpu1 = cpuSeconds(s.pid);
        const line = c.stdout.trim().split('\n').pop() ?? '';
        const cj = JSON.parse(line.startsWith('{') ? line : '{}') as Record<string, unknown>;
        const lat: Record<string, Lat> = {};
        if (p.ack) lat.ack = p.ack as Lat;
        if (cj.e2e) lat.e2e = cj.e2e as Lat;
        return {
          series: { produce: throughputOf(p), consume: throughputOf(cj) },
          lat,
          cpu: delta(cpu0, cpu1),
          batch: Number(p.avgBatchBytes) || 0,
          client: Math.max(load(p), load(cj)),
        };
      } finally {
        await c.stop();
      }
    } finally {
      await s.deleteTopic(topic);
    }
  }

  private async runRef(ref: RefName, chunkBytes: number, seconds: number): Promise<RunResult> {
    const size = this.def.size;
    const asSeries = (bytes: number, secs: number): Throughput => ({ records: bytes / size, bytes, seconds: secs });
    if (ref === 'tcp-sink') {
      const pid = this.sink!.child.pid;
      const cpu0 = cpuSeconds(pid);
      const r = await tcpSend({ port: this.sink!.port, chunkBytes, seconds });
      return {
        series: { produce: asSeries(r.bytes, r.seconds) },
        lat: {},
        cpu: delta(cpu0, cpuSeconds(pid)),
        batch: chunkBytes,
      };
    }
    const u0 = process.cpuUsage();
    const r =
      ref === 'mem-kept'
        ? rawMemoryKeep({ chunkBytes, seconds })
        : rawAppend({
            dir: this.opts.dataRoot,
            chunkBytes,
            seconds,
            fdatasync: ref === 'append-fdatasync',
            keep: ref === 'append-kept',
          });
    const u = process.cpuUsage(u0);
    return {
      series: { produce: asSeries(r.bytes, r.seconds) },
      lat: {},
      cpu: (u.user + u.system) / 1e6,
      batch: chunkBytes,
    };
  }
}

/** A tool's own CPU seconds per second of its measured window. */
function load(j: Record<string, unknown>): number {
  const cpu = Number(j.cpu);
  const secs = Number(j.seconds);
  return Number.isFinite(cpu) && secs > 0 ? cpu / secs : Number.NaN;
}

function delta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

const SUBJECT_LABEL: Record<SubjectKey, string> = {
  'brook-disk': 'brook (disk)',
  'brook-mem': 'brook (memory)',
  'brook-mem-window': 'brook (memory, 8 MiB window)',
  'brook-fsync': 'brook (disk, fsync before ack)',
  mock: 'librdkafka mock',
  'tcp-sink': 'raw TCP sink',
  append: 'raw fs append',
  'append-kept': 'raw fs append, kept',
  'mem-kept': 'raw copy to new memory, kept',
  'append-fdatasync': 'raw fs append + fdatasync',
};

const isBrook = (k: SubjectKey) => k.startsWith('brook');
const rate = (t: Throughput | undefined) => (t && t.seconds > 0 ? t.records / t.seconds : Number.NaN);
const mbps = (t: Throughput | undefined) => (t && t.seconds > 0 ? t.bytes / t.seconds / 1e6 : Number.NaN);

function cpuPerGb(r: RunResult): number {
  const bytes = Object.values(r.series).reduce((n, t) => n + (Number.isFinite(t.bytes) ? t.bytes : 0), 0);
  return r.cpu === null || bytes <= 0 ? Number.NaN : r.cpu / (bytes / 1e9);
}

interface Check {
  what: string;
  value: number;
  target: string;
  ok: boolean;
}

function reportCase(cr: CaseResult, headers: string[], rows: string[][], checks: Check[], json: unknown[]) {
  const d = cr.def;
  const keys = [...cr.runs.keys()];
  const refs = keys.filter((k) => k !== 'mock' && !isBrook(k));
  const seriesNames = d.kind === 'both' ? ['produce', 'consume'] : d.kind === 'consume' ? ['consume'] : ['produce'];
  const mockRuns = cr.runs.get('mock') ?? [];
  for (const series of seriesNames) {
    for (const k of keys) {
      const runs = cr.runs.get(k)!;
      const rates = runs.map((r) => rate(r.series[series]));
      if (!rates.some(Number.isFinite)) continue;
      const vsMock =
        k === 'mock'
          ? undefined
          : pairedRatio(
              rates,
              mockRuns.map((r) => rate(r.series[series])),
            );
      const vsRefs = isBrook(k)
        ? refs
            .filter(() => series === 'produce')
            .map(
              (ref) =>
                `${ref} ${fmtRatio(
                  pairedRatio(
                    rates,
                    cr.runs.get(ref)!.map((r) => rate(r.series[series])),
                  ),
                )}`,
            )
        : [];
      let detail = vsRefs.join('; ');
      const clients = runs.map((r) => r.client ?? Number.NaN).filter(Number.isFinite);
      if (clients.length)
        detail = [detail, `client ${(median(clients) * 100).toFixed(0)}% CPU`].filter(Boolean).join('; ');
      if (d.kind === 'latency') detail = latencyDetail(runs);
      else if (series === 'produce' && runs.some((r) => r.batch > 0)) {
        const b = median(runs.map((r) => r.batch).filter((x) => x > 0));
        detail = [detail, `batch ${fmtNum(b / 1024)} KiB`].filter(Boolean).join('; ');
      }
      const label = d.kind === 'both' ? `${d.id} (${series})` : d.id;
      rows.push([
        label,
        SUBJECT_LABEL[k],
        fmtNum(median(rates)),
        fmtNum(median(runs.map((r) => mbps(r.series[series])))),
        fmtNum(median(runs.map(cpuPerGb))),
        fmtBytes(cr.rss.get(k)),
        d.kind === 'latency'
          ? latencyVsMock(runs, mockRuns)
          : d.kind === 'both' && series === 'consume'
            ? '- (mock evicts a lagging reader)'
            : fmtRatio(vsMock),
        detail,
      ]);
      json.push({
        case: d.id,
        series,
        subject: k,
        recordsPerSec: median(rates),
        mbPerSec: median(runs.map((r) => mbps(r.series[series]))),
        cpuSecondsPerGb: median(runs.map(cpuPerGb)),
        peakRssBytes: cr.rss.get(k),
        vsMock,
        runs,
      });
    }
  }
  void headers;
  addChecks(cr, checks);
}

const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(us < 10_000 ? 2 : 1) : '-');

function latencyDetail(runs: RunResult[]): string {
  const parts: string[] = [];
  for (const kind of ['ack', 'e2e']) {
    const ls = runs.map((r) => r.lat[kind]).filter((l): l is Lat => !!l);
    if (!ls.length) continue;
    parts.push(
      `${kind} p50/p99/p99.9 ${ms(median(ls.map((l) => l.p50)))}/${ms(median(ls.map((l) => l.p99)))}/${ms(median(ls.map((l) => l.p999)))} ms`,
    );
  }
  return parts.join('; ');
}

function latRatio(runs: RunResult[], mock: RunResult[], kind: string, p: 'p99' | 'p999') {
  return pairedRatio(
    runs.map((r) => r.lat[kind]?.[p] ?? Number.NaN),
    mock.map((r) => r.lat[kind]?.[p] ?? Number.NaN),
  );
}

function latencyVsMock(runs: RunResult[], mock: RunResult[]): string {
  if (runs === mock) return '-';
  const r = latRatio(runs, mock, 'ack', 'p99');
  return r.n ? `ack p99 ${fmtRatio(r)}` : '-';
}

function addChecks(cr: CaseResult, checks: Check[]) {
  const d = cr.def;
  const mock = cr.runs.get('mock') ?? [];
  const get = (k: SubjectKey) => cr.runs.get(k);
  const tput = (k: SubjectKey, ref: SubjectKey, series: string, min: number, what: string) => {
    const a = get(k);
    const b = get(ref);
    if (!a || !b) return;
    const r = pairedRatio(
      a.map((x) => rate(x.series[series])),
      b.map((x) => rate(x.series[series])),
    );
    if (r.n)
      checks.push({
        what: `${d.id}: ${SUBJECT_LABEL[k]} ${what}`,
        value: r.median,
        target: `>= ${min}x`,
        ok: r.median >= min,
      });
  };
  if (d.id === 'produce-100B-p1-acks1') {
    tput('brook-disk', 'mock', 'produce', 0.8, 'vs mock');
    tput('brook-mem', 'mock', 'produce', 0.8, 'vs mock');
  }
  if (d.id === 'produce-1KiB-p1-acks1') {
    tput('brook-mem', 'mock', 'produce', 0.75, 'vs mock');
    tput('brook-mem-window', 'mock', 'produce', 0.75, 'vs mock');
    tput('brook-disk', 'mock', 'produce', 0.5, 'vs mock');
    const disk = get('brook-disk');
    if (disk) {
      const c = median(disk.map(cpuPerGb));
      if (Number.isFinite(c))
        checks.push({ what: `${d.id}: brook (disk) CPU-s/GB`, value: c, target: '<= 2.5', ok: c <= 2.5 });
    }
  }
  if (d.id === 'consume-1KiB-p1') {
    tput('brook-disk', 'mock', 'consume', 0.7, 'vs mock');
    tput('brook-mem', 'mock', 'consume', 0.7, 'vs mock');
  }
  if (d.id === 'produce-1KiB-p1-acksall')
    tput('brook-fsync', 'append-fdatasync', 'produce', 0.7, 'vs raw append+fdatasync');
  if (d.kind === 'latency') {
    for (const k of ['brook-disk', 'brook-mem'] as const) {
      const runs = get(k);
      if (!runs) continue;
      for (const kind of ['ack', 'e2e']) {
        const p99 = latRatio(runs, mock, kind, 'p99');
        const p999 = latRatio(runs, mock, kind, 'p999');
        if (p99.n)
          checks.push({
            what: `${d.id}: ${SUBJECT_LABEL[k]} ${kind} p99 vs mock`,
            value: p99.median,
            target: '<= 1x',
            ok: p99.median <= 1,
          });
        if (p999.n)
          checks.push({
            what: `${d.id}: ${SUBJECT_LABEL[k]} ${kind} p99.9 vs mock`,
            value: p999.median,
            target: '<= 2x',
            ok: p999.median <= 2,
          });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Micro benchmarks owned by the codec and storage engineers
// ---------------------------------------------------------------------------------------------

async function microRows(file: string, fn: string): Promise<{ rows: Row[]; error?: string } | null> {
  const path = join(HERE, file);
  if (!existsSync(path)) return null;
  try {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const run = mod[fn];
    if (typeof run !== 'function') return { rows: [], error: `${file} does not export ${fn}()` };
    return { rows: (await (run as () => Promise<Row[]> | Row[])()) ?? [] };
  } catch (err) {
    return { rows: [], error: `${file}: ${(err as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const selected = (id: string) => !opts.only || opts.only.some((o) => id.includes(o));
  if (opts.list) {
    for (const c of CASES) console.log(`${c.id}${c.extended ? ' (extended)' : ''}`);
    console.log('protocol\nstorage');
    return;
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = new Date();
  const out: string[] = [];
  const log = (s = '') => {
    out.push(s);
    console.log(s);
  };
  const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

  const micro: string[][] = [];
  const json: unknown[] = [];
  for (const [name, file, fn] of [
    ['protocol', 'protocol-bench.ts', 'runProtocolBench'],
    ['storage', 'storage-bench.ts', 'runStorageBench'],
  ] as const) {
    if (!selected(name)) continue;
    progress(`${name} micro benchmarks`);
    const r = await microRows(file, fn);
    if (!r) micro.push([name, `skipped: no scripts/bench/${file}`, '', '']);
    else if (r.error) micro.push([name, `error: ${r.error}`, '', '']);
    for (const row of r?.rows ?? []) {
      micro.push([name, row.name, fmtNum(row.value), row.unit]);
      json.push({ micro: name, ...row });
    }
  }

  const cases = CASES.filter((c) => (opts.only ? selected(c.id) : !c.extended || opts.extended));
  const rows: string[][] = [];
  const checks: Check[] = [];
  const notes: string[] = [];
  const headers = [
    'case',
    'subject',
    'records/s',
    'MB/s',
    'CPU-s/GB',
    'peak RSS',
    'vs mock (median [range])',
    'vs raw refs / latency',
  ];
  if (cases.length) {
    const native = buildNative();
    if (!native.ok) {
      for (const c of cases) notes.push(`${c.id}: skipped: ${native.reason}`);
    } else {
      const brookSkip = brookUnavailable();
      for (const c of cases) {
        progress(`${c.id} (${opts.pairs} pairs x ${opts.seconds}s)`);
        const cr = await new CaseRunner(c, native.bin, opts, brookSkip).run();
        progress(`${c.id} done in ${cr.seconds.toFixed(0)}s`);
        reportCase(cr, headers, rows, checks, json);
        for (const s of [...new Set(cr.skipped)]) notes.push(`${c.id}: skipped: ${s}`);
      }
    }
  }

  log(`$ ${command}`);
  log(
    `# ${started.toISOString()}  pairs=${opts.pairs} seconds=${opts.seconds} warm-up=${opts.warmupSeconds}s  node ${process.version}`,
  );
  if (micro.length) {
    log();
    log(formatTable(['bench', 'name', 'value', 'unit'], micro));
  }
  if (rows.length) {
    log();
    log(formatTable(headers, rows));
  }
  if (checks.length) {
    log();
    log(
      formatTable(
        ['target', 'measured', 'wanted', ''],
        checks.map((c) => [c.what, `${c.value.toFixed(2)}`, c.target, c.ok ? 'ok' : 'MISS']),
      ),
    );
  }
  if (rows.length) {
    log();
    log('MB = 10^6 payload bytes. CPU-s/GB: utime+stime of the broker process per 10^9 payload bytes moved.');
    log('Ratios are medians of per-pair ratios (runs alternate A B A B) with their range. The mock keeps ~5 MB per');
    log(
      `partition in memory (consume cases loop over ${PRELOAD_BYTES_PER_PARTITION / 1e6} MB per partition) and leaves Nagle on; Brook sets TCP_NODELAY.`,
    );
    log(
      `Latency: fixed ${opts.rate} records/s, linger.ms=0, fetch.wait.max.ms=${LATENCY_FETCH_WAIT_MS}; ack = produce to delivery report, e2e = send to receive.`,
    );
  }
  for (const n of notes) log(n);
  if (opts.json)
    writeFileSync(opts.json, JSON.stringify({ command, started, opts, results: json, checks, notes }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
