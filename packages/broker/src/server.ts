// startBroker(): load config, open state, listen, accept connections; close() shuts down gracefully.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrokerConfig, parseListener } from './config.js';
import { Connection } from './connection.js';
import { Dispatcher } from './dispatch.js';
import type { Handler } from './handler.js';
import { createLogger, isLogLevel, type Logger } from './logger.js';
import { BrokerState } from './state/broker-state.js';

export interface StartBrokerOptions {
  /** Bind address; default from `listeners` (127.0.0.1). */
  host?: string;
  /** 0 = ephemeral; default from `listeners` (9092). */
  port?: number;
  /** undefined: log.dirs if configured, else a fresh temp dir removed on close; null: in-memory storage. */
  dataDir?: string | null;
  /** Used instead of a temp dir when neither dataDir nor log.dirs/log.dir is given (the CLI: ./data). */
  defaultDataDir?: string;
  /** Broker config overrides (Kafka key names); highest static precedence. */
  config?: Record<string, string | number | boolean>;
  /** Java .properties file (the CLI's --config). */
  configFile?: string;
  /** Environment to read BROOK_* keys from (the CLI passes process.env); ignored when omitted. */
  env?: Record<string, string | undefined>;
  /** Default 'silent' for embedded use. Ignored when `logger` is given. */
  logLevel?: string;
  logger?: Logger;
  /** Host clients are told to connect to (Metadata); overrides advertised.listeners' host. */
  advertisedHost?: string;
  /** Replaces the handler registry (tests). */
  handlers?: readonly Handler[];
  /** Serve Prometheus metrics on this port (0 = ephemeral) at /metrics; prom-client loads only then. */
  metricsPort?: number;
  /** Bind address of the metrics endpoint; default: the broker's bind address. */
  metricsHost?: string;
}

export interface Broker {
  /** Address the listener is bound to (a wildcard bind reports 127.0.0.1). */
  host: string;
  port: number;
  /** "host:port" for clients on this machine. */
  bootstrap: string;
  state: BrokerState;
  /** Port of the metrics endpoint (when metricsPort was given), else null. */
  metricsPort: number | null;
  /** Drops every topic (and its data) and every consumer group: a clean broker between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<Broker> {
  const level = opts.logLevel ?? 'silent';
  if (!opts.logger && !isLogLevel(level)) throw new Error(`invalid log level "${level}"`);
  const log = opts.logger ?? createLogger({ level: isLogLevel(level) ? level : 'silent' });
  const config = BrokerConfig.load({
    file: opts.configFile,
    env: opts.env,
    overrides: opts.config,
    onWarning: (m) => log.warn(m),
  });
  const listener = parseListener(config.getList('listeners')[0]!);
  const bindHost = opts.host ?? (listener.host === '' ? '0.0.0.0' : listener.host);
  const bindPort = opts.port ?? listener.port;

  let dataDir: string | null;
  let ownsDataDir = false;
  if (opts.dataDir !== undefined) dataDir = opts.dataDir === null ? null : resolve(opts.dataDir);
  else if (config.isExplicit('log.dirs') || config.isExplicit('log.dir'))
    dataDir = resolve(config.getString('log.dirs')!);
  else if (opts.defaultDataDir !== undefined) dataDir = resolve(opts.defaultDataDir);
  else {
    dataDir = await mkdtemp(join(tmpdir(), 'brook-'));
    ownsDataDir = true;
  }

  const state = new BrokerState(config, dataDir, log);
  // The handler registry (and the generated codecs behind it) load while storage opens.
  const registry = opts.handlers
    ? Promise.resolve(opts.handlers)
    : import('./handlers/index.js').then((m) => m.handlers);
  const metricsModule = opts.metricsPort !== undefined ? import('./metrics.js') : null;
  let handlers: readonly Handler[];
  let metrics: import('./metrics.js').BrokerMetrics | null = null;
  try {
    [handlers] = await Promise.all([registry, state.start()]);
    if (metricsModule) {
      metrics = new (await metricsModule).BrokerMetrics(state);
      handlers = metrics.wrapHandlers(handlers);
    }
  } catch (e) {
    await state.close().catch(() => {});
    if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const dispatcher = new Dispatcher(handlers, state);
  metrics?.instrumentDispatcher(dispatcher);
  state.apiVersions = dispatcher.apiVersions;

  const connections = new Set<Connection>();
  let nextConn = 0;
  const connOpts = {
    maxFrameBytes: config.getNumber('socket.request.max.bytes'),
    idleMs: config.getNumber('connections.max.idle.ms'),
    maxInflight: config.getNumber('brook.connection.max.inflight.requests'),
    maxPendingBytes: config.getNumber('brook.connection.max.pending.bytes'),
  };
  // allowHalfOpen: a client that half-closes still gets the responses to what it sent (the connection
  // ends its side once its queue is drained).
  const server: Server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    const id = `c${++nextConn}`;
    const conn = new Connection(socket, dispatcher, {
      id,
      ...connOpts,
      log: log.child({ connId: id, remote: `${socket.remoteAddress}:${socket.remotePort}` }),
    });
    connections.add(conn);
    conn.log.debug('connection accepted');
    socket.once('close', () => {
      connections.delete(conn);
      conn.log.debug({ requests: conn.requests }, 'connection closed');
    });
  });

  metrics?.instrumentServer(server);
  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen({ host: bindHost, port: bindPort }, () => {
        server.off('error', rej);
        res();
      });
    });
    if (metrics) await metrics.listen(opts.metricsPort!, opts.metricsHost ?? bindHost);
  } catch (e) {
    server.close();
    await metrics?.close();
    await state.close().catch(() => {});
    if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  server.on('error', (e) => log.error({ err: e }, 'listener error'));

  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : bindPort;
  const boundHost = typeof addr === 'object' && addr ? addr.address : bindHost;
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  const host = wildcard ? '127.0.0.1' : boundHost;

  // Advertised address: option > advertised.listeners > bound host (a wildcard bind advertises the
  // machine's hostname, as Kafka does); port 0 in advertised.listeners means "the bound port".
  const adv = config.getList('advertised.listeners')[0];
  const advListener = adv === undefined ? null : parseListener(adv, 'advertised.listeners');
  state.advertised = {
    host: opts.advertisedHost ?? (advListener?.host || (wildcard ? hostname() : host)),
    port: advListener && advListener.port !== 0 ? advListener.port : port,
  };
  const bootstrap = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  log.info(
    { bootstrap, advertised: `${state.advertised.host}:${state.advertised.port}`, dataDir, nodeId: state.nodeId },
    'broker started',
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('broker shutting down');
      const serverClosed = new Promise<void>((res) => server.close(() => res()));
      const timeout = config.getNumber('brook.shutdown.timeout.ms');
      await Promise.all([...connections].map((c) => c.shutdown(timeout)));
      await serverClosed;
      await metrics?.close();
      await state.close();
      if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
      log.info('broker stopped');
    })();
    return closing;
  };

  const reset = async (): Promise<void> => {
    const { resetBrokerState } = await import('./embedded.js');
    await resetBrokerState(state);
  };

  return { host, port, bootstrap, state, metricsPort: metrics?.port ?? null, reset, close };
}
