// vitest globalSetup: one in-memory Brook for the whole test run. Runs in the main vitest process
// before any worker starts; tests get the bootstrap address with inject('kafkaBrokers').
import { startBroker } from '@brook/broker';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

export default async function setup(project: TestProject) {
  const broker = await startBroker({ port: 0, dataDir: null });
  project.provide('kafkaBrokers', [broker.bootstrap]);
  return async () => {
    await broker.close();
  };
}
