// Starts Brook with in-memory storage (startBroker({ dataDir: null })) for the bench, as the CLI
// has no in-memory option. Plain JS on the built packages, so the measured process runs no loader.
// Prints "brook listening on host:port" once accepting; stops on SIGTERM/SIGINT.
import { createLogger, primeMallocReuse, startBroker, tuneHeapGrowth } from '@brook/broker';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
// As `brook start` does (packages/cli/src/commands/start.ts).
tuneHeapGrowth();
const broker = await startBroker({
  host: opt('--host', '127.0.0.1'),
  port: Number(opt('--port', '0')),
  dataDir: null,
  env: process.env,
  logger: createLogger({ level: process.env.BROOK_LOG_LEVEL ?? 'info', fd: 2 }),
});
process.stdout.write(`brook listening on ${broker.bootstrap}\n`);
primeMallocReuse();
let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  broker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
