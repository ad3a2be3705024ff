// `brook start`: runs one broker in the foreground until SIGTERM/SIGINT.
// stdout gets exactly one line ("brook listening on host:port") once connections are accepted;
// logs go to stderr. Exit codes: 0 after a graceful stop, 2 for usage/config errors (one line naming the
// option or key; a usage error adds a line pointing at --help), 1 otherwise.
import {
  type Broker,
  ConfigError,
  createLogger,
  isLogLevel,
  primeMallocReuse,
  startBroker,
  tuneHeapGrowth,
} from '@brook/broker';

export const START_USAGE = `Usage: brook start [options]

Options:
  --host H             bind address (default 127.0.0.1)
  --port P             port, 0 = ephemeral (default 9092)
  --data-dir D         data directory (default ./data, or log.dirs from the config)
  --config FILE        Kafka-style server.properties file
  --log-level L        trace|debug|info|warn|error|fatal|silent (default info)
  --advertised-host H  host name given to clients in metadata
  --metrics-port P     serve Prometheus metrics on port P at /metrics (0 = ephemeral)
  --set key=value      broker config override (repeatable), e.g. --set num.partitions=3
  -h, --help           show this help

Config precedence: defaults < --config file < BROOK_* environment < --set and flags.
`;

/** Printed after a usage error's one line, instead of the whole usage text. */
export const START_HINT = 'Run "brook start --help" for the options.\n';

export interface StartArgs {
  host?: string;
  port?: number;
  dataDir?: string;
  configFile?: string;
  logLevel?: string;
  advertisedHost?: string;
  metricsPort?: number;
  set: Record<string, string>;
  help: boolean;
}

export class UsageError extends Error {}

/** Parses `brook start` arguments (`--opt value` and `--opt=value`); throws UsageError. */
export function parseStartArgs(argv: readonly string[]): StartArgs {
  const out: StartArgs = { set: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      return v;
    };
    switch (name) {
      case 'host':
        out.host = value();
        break;
      case 'port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port: invalid port "${v}"`);
        out.port = n;
        break;
      }
      case 'data-dir':
        out.dataDir = value();
        break;
      case 'config':
        out.configFile = value();
        break;
      case 'log-level': {
        const v = value();
        if (!isLogLevel(v)) throw new UsageError(`--log-level: invalid level "${v}"`);
        out.logLevel = v;
        break;
      }
      case 'advertised-host':
        out.advertisedHost = value();
        break;
      case 'metrics-port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--metrics-port: invalid port "${v}"`);
        out.metricsPort = Number(v);
        break;
      }
      case 'set': {
        const v = value();
        const k = v.indexOf('=');
        if (k <= 0) throw new UsageError(`--set expects key=value, got "${v}"`);
        out.set[v.slice(0, k)] = v.slice(k + 1);
        break;
      }
      default:
        throw new UsageError(`unknown option "--${name}"`);
    }
  }
  return out;
}

export async function startCommand(argv: readonly string[]): Promise<number> {
  let args: StartArgs;
  try {
    args = parseStartArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`brook start: ${e.message}\n${START_HINT}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(START_USAGE);
    return 0;
  }
  const level = args.logLevel ?? process.env.BROOK_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) {
    process.stderr.write(`brook start: BROOK_LOG_LEVEL: invalid level "${level}"\n`);
    return 2;
  }
  const logger = createLogger({ level, fd: 2 });
  // This process is a broker: V8 heap growth for a request stream (process-tuning.ts).
  tuneHeapGrowth();

  let broker: Broker;
  try {
    broker = await startBroker({
      host: args.host,
      port: args.port,
      // --data-dir wins; otherwise log.dirs/log.dir from file/env/--set; otherwise ./data.
      dataDir: args.dataDir,
      defaultDataDir: './data',
      configFile: args.configFile,
      env: process.env,
      config: args.set,
      logger,
      advertisedHost: args.advertisedHost,
      metricsPort: args.metricsPort,
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`brook start: config error: ${e.message}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`brook start: ${err.code === 'EADDRINUSE' ? 'address in use: ' : ''}${err.message}\n`);
    return 1;
  }
  process.stdout.write(`brook listening on ${broker.bootstrap}\n`);
  // After the ready line: its forced GC takes ~12 ms (process-tuning.ts).
  primeMallocReuse();
  if (broker.metricsPort !== null) logger.info(`metrics at http://${broker.host}:${broker.metricsPort}/metrics`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal, exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      broker.close().then(
        () => resolve(0),
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
