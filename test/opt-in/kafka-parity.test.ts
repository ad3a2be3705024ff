// Opt-in parity suite: the same kafkajs scenarios against Brook and against a real Kafka 3.9 (KRaft, single
// node) started with testcontainers, with the observable results compared. Runs only with BROOK_PARITY=1
// and a Docker engine that answers; otherwise every test skips with a printed reason, also when CI=true,
// because it is opt-in by design (CI machines have no Docker engine). See test/opt-in/README.md.
import { type Broker, startBroker } from '@brook/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clients, clientsFor, scenarios } from './parity-scenarios.js';

const KAFKA_IMAGE = 'apache/kafka:3.9.0';
const OPT_IN = 'opt-in: set BROOK_PARITY=1 with a Docker engine to run it (skipped by design, CI=true included)';

type Testcontainers = typeof import('testcontainers');

/** Null when the suite can run; otherwise why it skips. */
async function skipReason(): Promise<string | null> {
  if (process.env.BROOK_PARITY !== '1') return OPT_IN;
  try {
    const tc: Testcontainers = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    return null;
  } catch (e) {
    return `BROOK_PARITY=1 but no Docker engine answers (${(e as Error).message}); ${OPT_IN}`;
  }
}

const reason = await skipReason();
if (reason) console.warn(`[skip] kafka-parity: ${reason}`);

describe.skipIf(reason !== null)(`parity with ${KAFKA_IMAGE}`, () => {
  let brook: Broker | undefined;
  let kafka: { stop(): Promise<unknown> } | undefined;
  let onBrook: Clients;
  let onKafka: Clients;

  beforeAll(async () => {
    const tc: Testcontainers = await import('testcontainers');
    const runtime = await tc.getContainerRuntimeClient();
    // Kafka must advertise the address clients reach it at, so the host port is chosen before the start.
    const host = runtime.info.containerRuntime.host;
    const port = await new tc.RandomPortGenerator().generatePort();
    const container = await new tc.GenericContainer(KAFKA_IMAGE)
      .withExposedPorts({ container: 9092, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(180_000)
      .start();
    kafka = container;
    onKafka = clientsFor({ name: 'kafka', host, port });
    brook = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null });
    onBrook = clientsFor({ name: 'brook', host: '127.0.0.1', port: brook.port });
  }, 300_000);

  afterAll(async () => {
    await brook?.close();
    await kafka?.stop();
  });

  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const expected = await scenario(onKafka);
      const actual = await scenario(onBrook);
      expect(actual).toEqual(expected);
    }, 180_000);
  }
});
