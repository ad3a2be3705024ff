// The only module that knows pino. Everything else sees the small `Logger` interface, so a silent
// embedded broker never loads pino at all (faster start, no stray output in tests).
import { createRequire } from 'node:module';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

type LogFn = {
  (msg: string): void;
  (obj: Record<string, unknown>, msg?: string): void;
};

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** Bindings such as `{ connId, clientId }`; never put request payloads in them. */
  child(bindings: Record<string, unknown>): Logger;
  level: string;
  isLevelEnabled(level: string): boolean;
}

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

const noop: LogFn = () => {};

/** A logger that drops everything; child() returns itself. */
export function silentLogger(): Logger {
  const l: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    child: () => l,
    level: 'silent',
    isLevelEnabled: () => false,
  };
  return l;
}

export interface CreateLoggerOptions {
  level: LogLevel;
  /** File descriptor to write JSON lines to; 2 (stderr) by default so stdout stays machine-readable. */
  fd?: number;
  /** Writes JSON lines here instead of `fd` (tests capture the log this way). */
  stream?: { write(line: string): unknown };
  name?: string;
}

/**
 * Creates the root logger. `silent` returns a no-op logger without loading pino. Writes are
 * synchronous so the last lines before exit (shutdown, fatal errors) are never lost.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  if (opts.level === 'silent') return silentLogger();
  // createRequire keeps pino off the import graph of silent/embedded brokers.
  const require = createRequire(import.meta.url);
  const pino = require('pino') as typeof import('pino');
  const dest = opts.stream ?? pino.destination({ fd: opts.fd ?? 2, sync: true });
  const root = pino.pino(
    {
      level: opts.level,
      name: opts.name ?? 'brook',
      base: { pid: process.pid },
      // Error objects under `err` get message + stack; nothing else is expanded.
      serializers: { err: pino.stdSerializers.err },
    },
    dest,
  );
  return root as unknown as Logger;
}
