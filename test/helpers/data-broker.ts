// Starts an in-process broker on a random port over a temp data dir, for the data-path suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, startBroker } from '@brook/broker';

export interface TestBroker {
  port: number;
  bootstrap: string;
  dataDir: string;
  /** The in-process broker (state, for topic ids and the like). */
  broker: Broker;
  stop(): Promise<void>;
  /** Stops the broker (if running) and deletes the data dir. */
  destroy(): Promise<void>;
}

export function tempDataDir(prefix = 'brook-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestBroker(
  options: { dataDir?: string; config?: Record<string, string | number | boolean> } = {},
): Promise<TestBroker> {
  const dataDir = options.dataDir ?? tempDataDir();
  const broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir, config: options.config });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await broker.close();
  };
  return {
    port: broker.port,
    bootstrap: `127.0.0.1:${broker.port}`,
    dataDir,
    broker,
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
